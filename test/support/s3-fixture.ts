/**
 * The S3 side of a test in one call: s3rver with its buckets seeded, the policy-enforcing proxy
 * in front of it with the test's users, and a client that bypasses the proxy for seeding.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { startPolicyProxy, type PolicyProxy, type ProxyUser } from './s3-policy-proxy.js';
import { createS3rverClient, putObjects, startS3Server, type S3Server } from './s3-server.js';

const IMAGES = resolve(import.meta.dirname, '../fixtures/images');

/** The bytes of `test/fixtures/images/<name>`. */
export function fixtureImage(name: string): Buffer {
  return readFileSync(resolve(IMAGES, name));
}

/** A proxy user holding `policy`, with a secret of its own derived from the key id. */
export function proxyUser(accessKeyId: string, policy: object, extra: Partial<ProxyUser> = {}): ProxyUser {
  return { accessKeyId, secretAccessKey: `secret-of-${accessKeyId}-wJalrXUtnFEMI`, policy, ...extra };
}

/** Key → body, per bucket. */
export type BucketObjects = Record<string, Record<string, Uint8Array | string>>;

export interface SeededS3 {
  server: S3Server;
  proxy: PolicyProxy;
  /** s3rver's own key: seeds and inspects buckets without going through the proxy. */
  seed: S3Client;
  /** Adds objects, straight into s3rver. */
  put(objects: BucketObjects): Promise<void>;
  stop(): Promise<void>;
}

export interface SeededS3Options {
  buckets: string[];
  users?: ProxyUser[];
  objects?: BucketObjects;
  /** A permissive CORS configuration on every bucket (browser tests). */
  cors?: boolean;
}

/** s3rver with `objects` in its buckets, behind the policy proxy that knows `users`. */
export async function startSeededS3(options: SeededS3Options): Promise<SeededS3> {
  const server = await startS3Server({ buckets: options.buckets, cors: options.cors });
  const seed = createS3rverClient(server.endpoint);
  const put = async (objects: BucketObjects) => {
    for (const [bucket, entries] of Object.entries(objects)) {
      await putObjects(
        seed,
        bucket,
        Object.entries(entries).map(([key, body]) => ({ key, body })),
      );
    }
  };
  try {
    await put(options.objects ?? {});
    const proxy = await startPolicyProxy({ upstream: server.endpoint, users: options.users ?? [] });
    return {
      server,
      proxy,
      seed,
      put,
      stop: async () => {
        seed.destroy();
        await proxy.stop();
        await server.stop();
      },
    };
  } catch (error) {
    seed.destroy();
    await server.stop();
    throw error;
  }
}

/** `objects` with every key under `prefix`. */
export function underPrefix(prefix: string, objects: Record<string, Uint8Array | string>): Record<string, Uint8Array | string> {
  return Object.fromEntries(Object.entries(objects).map(([key, body]) => [`${prefix}${key}`, body]));
}
