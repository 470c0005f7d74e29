/**
 * s3rver in a child process, plus a client and a bulk-put helper for seeding
 * fixtures directly (bypassing any policy proxy).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface S3ServerOptions {
  /** Where s3rver keeps its data; defaults to a fresh temp dir removed on stop(). */
  directory?: string;
  buckets: string[];
  /** Attach a permissive CORS configuration to every bucket. */
  cors?: boolean;
}

export interface S3Server {
  endpoint: string;
  port: number;
  /** The s3rver process, for benchmarks that read its CPU time. */
  pid: number;
  /** s3rver's data directory (objects live under `<directory>/<bucket>/`). */
  directory: string;
  stop(): Promise<void>;
}

export interface ObjectEntry {
  key: string;
  body: Uint8Array | string;
}

const CHILD_SCRIPT = fileURLToPath(new URL('./s3rver-child.mjs', import.meta.url));
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

export const PERMISSIVE_CORS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

type ChildMessage = { type: 'ready'; port: number } | { type: 'failed'; message: string };

export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const ownsDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(path.join(tmpdir(), 's3rver-')));
  const config = {
    directory,
    removeDirectoryOnExit: ownsDirectory,
    buckets: options.buckets,
    corsXml: options.cors ? PERMISSIVE_CORS_XML : undefined,
  };

  const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD_SCRIPT, JSON.stringify(config)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // Belt and braces next to the child's own 'disconnect' handler: a normal exit of the test process stops it too.
  const killOnExit = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);

  let port: number;
  try {
    port = await waitUntilReady(child);
  } catch (error) {
    process.off('exit', killOnExit);
    await stopChild(child);
    if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    throw error;
  }
  // Don't let a forgotten stop() keep the test process alive; the child follows it out.
  child.unref();
  child.channel?.unref();

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    directory,
    stop: async () => {
      process.off('exit', killOnExit);
      await stopChild(child);
      if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}

/** An S3 client for s3rver's built-in S3RVER/S3RVER key pair. */
export function createS3rverClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver would store the aws-chunked checksum framing as object bytes.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function putObjects(client: S3Client, bucket: string, entries: ObjectEntry[], concurrency = 16): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const { key, body } = entries[next++] as ObjectEntry;
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, entries.length)) }, worker));
}

function waitUntilReady(child: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`s3rver did not start within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS);
    const onMessage = (message: ChildMessage): void => {
      if (message.type === 'ready') finish(() => resolve(message.port));
      else fail(new Error(`s3rver failed to start: ${message.message}`));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      fail(new Error(`s3rver exited before it was ready (code ${code}, signal ${signal})`));
    };
    const onError = (error: Error): void => fail(error);
    function finish(settle: () => void): void {
      clearTimeout(timer);
      child.off('message', onMessage).off('exit', onExit).off('error', onError);
      settle();
    }
    function fail(error: Error): void {
      finish(() => reject(error));
    }
    child.on('message', onMessage).once('exit', onExit).once('error', onError);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const escalation = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(escalation);
}
