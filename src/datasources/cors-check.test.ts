import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3rverClient, putObjects, startS3Server, type S3Server } from '../../test/support/s3-server.js';
import { checkBucketCors } from './cors-check.js';
import type { BoundStore } from './bound-store.js';
import { createLocalS3Store } from '../../test/support/s3-store.js';

const ORIGIN = 'http://127.0.0.1:8080';

function boundStore(endpoint: string): BoundStore {
  const store = createLocalS3Store(endpoint);
  return {
    store,
    location: { kind: 's3', bucket: 'photos', prefix: 'p/' },
    prefix: 'p/',
    uri: 's3://photos/p/',
    accessKeyId: 'S3RVER',
    kind: 's3',
    sseKmsKeyId: undefined,
    browserUrls: 'presigned',
  };
}

const LOCAL = { privateAddresses: true, linkLocalAddresses: false };

describe('bucket CORS check', () => {
  let withCors: S3Server;
  let withoutCors: S3Server;

  beforeAll(async () => {
    [withCors, withoutCors] = await Promise.all([startS3Server({ buckets: ['photos'], cors: true }), startS3Server({ buckets: ['photos'] })]);
    for (const server of [withCors, withoutCors]) {
      const client = createS3rverClient(server.endpoint);
      await putObjects(client, 'photos', [{ key: 'p/ç ü #1.jpg', body: 'x' }]);
      client.destroy();
    }
  });
  afterAll(async () => {
    await withCors?.stop();
    await withoutCors?.stop();
  });

  it('passes when the bucket answers the preflight for this origin', async () => {
    expect(await checkBucketCors(boundStore(withCors.endpoint), 'p/ç ü #1.jpg', ORIGIN, LOCAL)).toMatchObject({ ok: true, configuration: null });
  });

  it('never sends the preflight to an address the rules refuse', async () => {
    const check = await checkBucketCors(boundStore(withCors.endpoint), 'p/ç ü #1.jpg', ORIGIN, { privateAddresses: false, linkLocalAddresses: false });
    expect(check.ok).toBe(false);
    expect(check.message).toContain('loopback');
  });

  it('fails with the exact CORS configuration to apply when it does not', async () => {
    const check = await checkBucketCors(boundStore(withoutCors.endpoint), 'p/ç ü #1.jpg', ORIGIN, LOCAL);
    expect(check.ok).toBe(false);
    expect(check.message).toContain(ORIGIN);
    expect(check.configuration).toEqual([
      { AllowedOrigins: [ORIGIN], AllowedMethods: ['GET', 'HEAD'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag', 'Content-Length'], MaxAgeSeconds: 3000 },
    ]);
  });
});
