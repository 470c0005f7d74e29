import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3Dataset, freshHome, runCli } from './support/cli.js';
import { listOnlyPolicy, readOnlyPolicy, referencePolicy } from './support/policies.js';
import { startPolicyProxy, type PolicyProxy, type ProxyUser } from './support/s3-policy-proxy.js';
import { createS3rverClient, putObjects, startS3Server, type S3Server } from './support/s3-server.js';

const BUCKET = 'datalake';
const PREFIX = 'projects/farm-animals/';
const INPUT = `s3://${BUCKET}/${PREFIX}`;
const PHOTOS = resolve(import.meta.dirname, 'fixtures/photos');
const IMAGES = resolve(import.meta.dirname, 'fixtures/images');
const photos = readdirSync(PHOTOS).filter((name) => name.endsWith('.jpg'));
const BROKEN = ['broken/truncated.jpg', 'broken/corrupt.jpg'];
const TOTAL = photos.length + BROKEN.length;

function user(accessKeyId: string, policy: object): ProxyUser {
  return { accessKeyId, secretAccessKey: `secret-of-${accessKeyId}-wJalrXUtnFEMI`, policy };
}
const users = {
  reference: user('AKIAEMBEDREF00000001', referencePolicy(BUCKET, PREFIX)),
  readOnly: user('AKIAEMBEDRO000000001', readOnlyPolicy(BUCKET, PREFIX)),
  listOnly: user('AKIAEMBEDLIST0000001', listOnlyPolicy(BUCKET, PREFIX)),
};

let server: S3Server;
let proxy: PolicyProxy;
let seed: S3Client;

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET] });
  proxy = await startPolicyProxy({ upstream: server.endpoint, users: Object.values(users) });
  seed = createS3rverClient(server.endpoint);
  await putObjects(seed, BUCKET, [
    ...photos.map((name) => ({ key: `${PREFIX}photos/${name}`, body: readFileSync(resolve(PHOTOS, name)) })),
    { key: `${PREFIX}broken/truncated.jpg`, body: readFileSync(resolve(IMAGES, 'truncated.jpg')) },
    { key: `${PREFIX}broken/corrupt.jpg`, body: readFileSync(resolve(IMAGES, 'corrupt.jpg')) },
    { key: 'projects/farm-animals-2/intruder.jpg', body: readFileSync(resolve(PHOTOS, photos[0]!)) },
  ]);
});
afterAll(async () => {
  seed?.destroy();
  await proxy?.stop();
  await server?.stop();
});
beforeEach(() => proxy.clearLog());

function asUser(who: ProxyUser) {
  const env = { WINNOW_HOME: freshHome(), WINNOW_EMBED_THREADS: '1' };
  return {
    run: (...args: string[]) => runCli(args, { env, timeoutMs: 120_000 }),
    create: () => createS3Dataset('farm', { input: INPUT, endpoint: proxy.endpoint, keys: who, env }),
  };
}

const reads = () => proxy.log.filter((entry) => entry.action === 's3:GetObject');
const writes = () => proxy.log.filter((entry) => ['PUT', 'POST', 'DELETE'].includes(entry.method));

describe('embedding through s3rver behind the policy proxy', () => {
  it('embeds every good image under the reference policy, reading each once, writing nothing to the bucket', async () => {
    const cli = asUser(users.reference);
    expect((await cli.create()).code).toBe(0);
    expect((await cli.run('dataset', 'sync', 'farm')).code).toBe(0);
    proxy.clearLog();
    const result = await cli.run('embed', 'farm', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({ embedded: photos.length, failed: BROKEN.length, skipped: 0, total: TOTAL });
    expect(proxy.denied()).toEqual([]);
    expect(writes()).toEqual([]);
    const read = reads().map((entry) => entry.resource);
    expect(read).toHaveLength(TOTAL);
    expect(new Set(read).size).toBe(TOTAL);
    for (const resource of read) expect(resource).toMatch(new RegExp(`^arn:aws:s3:::${BUCKET}/projects/farm-animals/`));

    proxy.clearLog();
    expect((await cli.run('embed', 'farm', '--json')).json()).toMatchObject({ embedded: 0, skipped: TOTAL });
    expect(reads()).toEqual([]);
  });

  it('works with a read-only policy: embedding writes nothing to the bucket', async () => {
    const cli = asUser(users.readOnly);
    await cli.create();
    await cli.run('dataset', 'sync', 'farm');
    const result = await cli.run('embed', 'farm', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({ embedded: photos.length });
  });

  it('stops up front under a list-only policy, after one denied GET, naming s3:GetObject', async () => {
    const cli = asUser(users.listOnly);
    await cli.create();
    await cli.run('dataset', 'sync', 'farm', '--skip-verify');
    proxy.clearLog();
    const result = await cli.run('embed', 'farm');
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('Winnow may not read the images of "farm", so it cannot embed them');
    expect(result.stderr).toContain('s3:GetObject');
    expect(proxy.denied().map((entry) => entry.action)).toEqual(['s3:GetObject']);
    expect(reads()).toHaveLength(1);
    const json = await cli.run('embed', 'farm', '--json');
    expect(json.json()).toMatchObject({ error: { code: 'DatasourceAccessDenied', details: { action: 's3:GetObject' } } });
  });
});
