import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GetBucketCorsCommand, GetObjectCommand, ListBucketsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createS3rverClient, putObjects, startS3Server } from './s3-server.js';

const S3_SERVER_MODULE = fileURLToPath(new URL('./s3-server.ts', import.meta.url));

describe('startS3Server', () => {
  it('creates the buckets with a permissive CORS rule and cleans up its temp dir on stop', async () => {
    const server = await startS3Server({ buckets: ['alpha', 'beta'], cors: true });
    const client = createS3rverClient(server.endpoint);
    try {
      const { Buckets } = await client.send(new ListBucketsCommand({}));
      expect(Buckets?.map((bucket) => bucket.Name).sort()).toEqual(['alpha', 'beta']);
      const { CORSRules } = await client.send(new GetBucketCorsCommand({ Bucket: 'alpha' }));
      expect(CORSRules).toMatchObject([{ AllowedOrigins: ['*'], AllowedMethods: ['GET', 'PUT', 'HEAD'], AllowedHeaders: ['*'] }]);
    } finally {
      client.destroy();
      await server.stop();
    }
    expect(existsSync(server.directory)).toBe(false);
    await expect(fetch(server.endpoint)).rejects.toThrow();
  });

  it('keeps a caller-supplied directory, so data survives a restart', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 's3-server-test-'));
    try {
      const first = await startS3Server({ directory, buckets: ['keep'] });
      const firstClient = createS3rverClient(first.endpoint);
      await putObjects(firstClient, 'keep', [{ key: 'a/b.txt', body: 'kept' }]);
      firstClient.destroy();
      await first.stop();

      const second = await startS3Server({ directory, buckets: ['keep'] });
      const secondClient = createS3rverClient(second.endpoint);
      try {
        const object = await secondClient.send(new GetObjectCommand({ Bucket: 'keep', Key: 'a/b.txt' }));
        expect(await object.Body?.transformToString()).toBe('kept');
      } finally {
        secondClient.destroy();
        await second.stop();
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('pages ListObjectsV2 past the first page (needs --openssl-legacy-provider in the child)', async () => {
    const server = await startS3Server({ buckets: ['many'] });
    const client = createS3rverClient(server.endpoint);
    try {
      await putObjects(
        client,
        'many',
        Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, body: '' })),
      );
      const first = await client.send(new ListObjectsV2Command({ Bucket: 'many', MaxKeys: 2 }));
      const second = await client.send(new ListObjectsV2Command({ Bucket: 'many', MaxKeys: 2, ContinuationToken: first.NextContinuationToken }));
      expect(second.Contents?.map((object) => object.Key)).toEqual(['k2', 'k3']);
    } finally {
      client.destroy();
      await server.stop();
    }
  });

  it('does not outlive a parent that is killed', async () => {
    const parentScript = `
      const { startS3Server } = await import(${JSON.stringify(S3_SERVER_MODULE)});
      const server = await startS3Server({ buckets: ['orphan'] });
      console.log(JSON.stringify({ endpoint: server.endpoint, directory: server.directory }));
      setInterval(() => {}, 60_000);
    `;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', parentScript], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const firstLine = await new Promise<string>((resolve) => createInterface({ input: parent.stdout }).once('line', resolve));
    const { endpoint, directory } = JSON.parse(firstLine) as { endpoint: string; directory: string };
    expect((await fetch(endpoint)).status).toBe(200);

    parent.kill('SIGKILL');

    const gone = await pollUntil(async () => !existsSync(directory) && (await isRefusing(endpoint)), 10_000);
    expect(gone).toBe(true);
  });
});

async function isRefusing(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint);
    return false;
  } catch {
    return true;
  }
}

async function pollUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}
