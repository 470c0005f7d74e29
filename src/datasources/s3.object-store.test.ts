import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referencePolicy } from '../../test/support/policies.js';
import { startPolicyProxy, type PolicyProxy } from '../../test/support/s3-policy-proxy.js';
import { createS3rverClient, putObjects, startS3Server, type S3Server } from '../../test/support/s3-server.js';
import { isAppError } from '../errors.js';
import type { ObjectStore } from './object-store.js';
import { createS3ObjectStore } from './s3.object-store.js';

const BUCKET = 'datalake';
const PREFIX = 'projects/farm-animals/';
const USER = { accessKeyId: 'AKIASTORETEST0000001', secretAccessKey: 'store-test-secret' };
const TRICKY = `${PREFIX}ç ü 猫 + % # 100% (x).jpg`;

const STORE_OPTIONS = {
  bucket: BUCKET,
  region: 'us-east-1',
  endpoint: undefined,
  pathStyle: true,
  credentials: USER,
  identity: USER.accessKeyId,
  sseKmsKeyId: undefined,
  writablePrefix: `${PREFIX}.winnow/`,
  maxAttempts: 2,
  connectTimeoutMs: 2_000,
  requestTimeoutMs: 10_000,
  callDeadlineMs: 30_000,
  endpointRules: { privateAddresses: true, linkLocalAddresses: false },
};

let server: S3Server;
let proxy: PolicyProxy;
let store: ObjectStore;

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET] });
  proxy = await startPolicyProxy({ upstream: server.endpoint, users: [{ ...USER, policy: referencePolicy(BUCKET, PREFIX) }] });
  const seed = createS3rverClient(server.endpoint);
  await putObjects(seed, BUCKET, [
    ...Array.from({ length: 25 }, (_, i) => ({ key: `${PREFIX}k${String(i).padStart(2, '0')}.jpg`, body: `body-${i}` })),
    { key: TRICKY, body: 'tricky bytes' },
    { key: 'projects/farm-animals-2/sibling.jpg', body: 'no' },
    ...Array.from({ length: 130 }, (_, i) => ({ key: `projects/many/${String(i).padStart(3, '0')}.jpg`, body: 'x' })),
  ]);
  seed.destroy();
  store = createS3ObjectStore({ ...STORE_OPTIONS, endpoint: proxy.endpoint });
});

afterAll(async () => {
  await proxy?.stop();
  await server?.stop();
});

async function listAll(options: { startAfter?: string; pageSize?: number }) {
  const pages: string[][] = [];
  for await (const page of store.listPages(PREFIX, options)) pages.push(page.map((object) => object.key));
  return pages;
}

async function collectSummaries() {
  const summaries = [];
  for await (const page of store.listPages(PREFIX)) summaries.push(...page);
  return summaries;
}

describe('S3 object store', () => {
  it('lists a prefix page by page, never its sibling', async () => {
    const pages = await listAll({ pageSize: 10 });
    expect(pages.map((page) => page.length)).toEqual([10, 10, 6]);
    expect(pages.flat()).toContain(TRICKY);
    expect(pages.flat().some((key) => key.includes('farm-animals-2'))).toBe(false);
  });

  it('asks for a small first page, then full pages', async () => {
    const unrestricted = createS3ObjectStore({
      ...STORE_OPTIONS,
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      identity: 'S3RVER',
    });
    const sizes = [];
    for await (const page of unrestricted.listPages('projects/many/')) sizes.push(page.length);
    expect(sizes).toEqual([100, 30]);
  });

  it('resumes a listing after a given key', async () => {
    expect((await listAll({ startAfter: `${PREFIX}k22.jpg` })).flat()).toEqual([`${PREFIX}k23.jpg`, `${PREFIX}k24.jpg`, TRICKY]);
  });

  it('reads byte ranges of keys with unicode, spaces, +, % and #', async () => {
    expect(Buffer.from(await store.readRange(TRICKY, 0, 5)).toString()).toBe('tricky');
    expect(Buffer.from(await store.readRange(TRICKY, 7, 100)).toString()).toBe('bytes');
  });

  it('reads a whole object with the etag the listing reports, and refuses one over the size limit', async () => {
    const listed = (await collectSummaries()).find((object) => object.key === TRICKY);
    const whole = await store.readObject(TRICKY, 1_000);
    expect(whole.body.toString()).toBe('tricky bytes');
    expect(whole.etag).toBe(listed?.etag);
    await expect(store.readObject(TRICKY, 5)).rejects.toMatchObject({
      code: 'ImageTooLarge',
      message: expect.stringContaining('is 12 bytes, more than the 5 bytes'),
    });
  });

  it('reads whole objects with presigned GETs once the SDK has read one, and leaves refused reads to the SDK', async () => {
    const fresh = createS3ObjectStore({ ...STORE_OPTIONS, endpoint: proxy.endpoint });
    const seen = proxy.log.length;
    const reads = [];
    for (const key of [`${PREFIX}k01.jpg`, `${PREFIX}k02.jpg`, TRICKY]) reads.push(await fresh.readObject(key, 1_000));
    expect(reads.map((read) => read.body.toString())).toEqual(['body-1', 'body-2', 'tricky bytes']);
    const listed = new Map((await collectSummaries()).map((object) => [object.key, object.etag]));
    expect(reads[2]!.etag).toBe(listed.get(TRICKY));
    const gets = proxy.log.slice(seen).filter((entry) => entry.method === 'GET' && entry.action === 's3:GetObject');
    expect(gets.map((entry) => ('X-Amz-Signature' in entry.query ? 'presigned' : 'sdk'))).toEqual(['sdk', 'presigned', 'presigned']);
    expect(gets.every((entry) => entry.decision === 'Allowed')).toBe(true);

    await expect(fresh.readObject(TRICKY, 5)).rejects.toMatchObject({ code: 'ImageTooLarge', message: expect.stringContaining('is 12 bytes') });
    const denied = await fresh.readObject('projects/farm-animals-2/sibling.jpg', 1_000).catch((caught: unknown) => caught);
    expect(isAppError(denied, 'DatasourceAccessDenied')).toBe(true);
    expect((denied as Error).message).toContain('s3:GetObject on arn:aws:s3:::datalake/projects/farm-animals-2/sibling.jpg');
    await expect(fresh.readObject(`${PREFIX}missing.jpg`, 1_000)).rejects.toMatchObject({ code: 'ObjectNotFound' });
    expect((await fresh.readObject(`${PREFIX}k03.jpg`, 1_000)).body.toString()).toBe('body-3');
    expect('X-Amz-Signature' in proxy.log.at(-1)!.query).toBe(true);
  });

  it('presigns GET URLs that a browser-like client can fetch exactly once encoded', async () => {
    const asked = Date.now();
    const { url, validUntil } = await store.presignGet(TRICKY, 60);
    // Valid for the 60 s asked for, counted from before the call (so no slowness can fail it), and exactly as long as the URL says.
    expect(validUntil).toBeGreaterThanOrEqual(asked + 60_000);
    const query = new URL(url).searchParams;
    const signedAt = Date.parse(query.get('X-Amz-Date')!.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    expect(validUntil).toBe(signedAt + Number(query.get('X-Amz-Expires')) * 1000);
    expect(url).not.toContain('%25C3');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('tricky bytes');
  });

  it('writes and deletes only under the writable prefix', async () => {
    await store.write(`${PREFIX}.winnow/results/a.json`, '{}', 'application/json');
    await store.delete(`${PREFIX}.winnow/results/a.json`);
    for (const key of [`${PREFIX}k00.jpg`, `${PREFIX}.winnow/../k00.jpg`, 'elsewhere/.winnow/x']) {
      await expect(store.write(key, 'overwrite!')).rejects.toThrow(/Refusing to write/);
      await expect(store.delete(key)).rejects.toThrow(/Refusing to write/);
    }
    expect(Buffer.from(await store.readRange(`${PREFIX}k00.jpg`, 0, 100)).toString()).toBe('body-0');
  });

  it('turns a denied read outside the policy into DatasourceAccessDenied naming s3:GetObject', async () => {
    const error = await store.readRange('projects/farm-animals-2/sibling.jpg', 0, 0).catch((caught: unknown) => caught);
    expect(isAppError(error, 'DatasourceAccessDenied')).toBe(true);
    expect((error as Error).message).toContain('s3:GetObject on arn:aws:s3:::datalake/projects/farm-animals-2/sibling.jpg');
  });
});
