import { createHash } from 'node:crypto';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/context.js';
import { DIALECTS } from '../../test/support/databases.js';
import { listOnlyPolicy, referencePolicy } from '../../test/support/policies.js';
import { fixtureImage, proxyUser, startSeededS3, underPrefix, type SeededS3 } from '../../test/support/s3-fixture.js';
import { requireDataset } from '../catalog/dataset.service.js';
import type { Context } from '../context.js';
import { isAppError } from '../errors.js';
import { createDataset } from './create-dataset.js';
import { syncDataset, type SyncProgress } from './sync-dataset.js';
import { MAX_KEY_RANGE_PROBES } from './sync-key-ranges.js';

const BUCKET = 'datalake';
const owner = proxyUser('AKIASYNCFANOUT000001', referencePolicy(BUCKET, 'fan/'));
// Lists only: header reads are denied at the first one (so the 2,000-key flat test measures the listing).
const lister = proxyUser('AKIASYNCFANOUTLIST01', listOnlyPolicy(BUCKET, 'fan/'));
const cat = fixtureImage('cat.jpg');

const nestedKeys = (folders: string[], perFolder: number) =>
  folders.flatMap((folder) => Array.from({ length: perFolder }, (_, i) => `${folder}/img-${String(i).padStart(2, '0')}.jpg`));
const flatKeys = (count: number) => Array.from({ length: count }, (_, i) => `img-${String(i).padStart(3, '0')}.jpg`);
const hashedKeys = (count: number) => Array.from({ length: count }, (_, i) => `${createHash('sha1').update(`photo ${i}`).digest('hex').slice(0, 20)}.jpg`);
const objects = (prefix: string, keys: string[]) => underPrefix(prefix, Object.fromEntries(keys.map((key) => [key, cat])));

/** 2,000 keys of a flat layout, read (never changed) by the tests of both dialects. */
const HASHED = 'fan/hashed/';

let s3: SeededS3;
beforeAll(async () => {
  s3 = await startSeededS3({
    buckets: [BUCKET],
    users: [owner, lister],
  });
  await s3.put({ [BUCKET]: objects(HASHED, hashedKeys(2_000)) });
});
afterAll(async () => s3?.stop());

const removeObjects = async (prefix: string, keys: string[]) => {
  for (const key of keys) await s3.seed.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${prefix}${key}` }));
};

/** What a sync leaves in the catalog, row by row: the thing a sharded and a single-stream sync must agree on. */
async function catalogOf(context: Context, dataset: string) {
  const { dataset: row } = await requireDataset(context, dataset);
  const samples = await context.database.db
    .selectFrom('samples')
    .select(['key', 'etag', 'size', 'status', 'width', 'height', 'removed_at'])
    .where('dataset_id', '=', row.id)
    .orderBy('key')
    .execute();
  return samples.map((sample) => ({ ...sample, removed_at: sample.removed_at !== null }));
}

type TestContext = Context & { drop(): Promise<void> };

/** Syncs `dataset` in the context that fans out, then in the one that lists in one stream; says into how many shards the first fanned out. */
async function syncBothOf(sharded: TestContext, single: TestContext, dataset: string, options: { skipVerify?: boolean } = {}) {
  const seen: SyncProgress[] = [];
  const report = await syncDataset(sharded, dataset, { ...options, onProgress: (progress) => seen.push(structuredClone(progress)) });
  const peer = await syncDataset(single, dataset, options);
  const fannedOut = Math.max(0, ...seen.map((progress) => progress.shards?.total ?? 0));
  return { report, peer, fannedOut };
}

const inputOf = (prefix: string, user = owner) => ({ uri: `s3://${BUCKET}/${prefix}`, endpoint: s3.proxy.endpoint, pathStyle: true, ...user });

describe.each(DIALECTS)('a sync fanned out into shards on %s', (dialect) => {
  // Each dialect has a bucket prefix of its own: the tests add and remove keys.
  const NESTED = `fan/${dialect}/nested/`;
  const FLAT = `fan/${dialect}/flat/`;
  const HEADERS = `fan/${dialect}/headers/`;
  const RESUMED = `fan/${dialect}/resumed/`;
  let sharded: TestContext;
  let single: TestContext;

  beforeAll(async () => {
    const folders = ['a', 'b', 'c', 'd', 'e', 'f'];
    await s3.put({
      [BUCKET]: {
        ...objects(NESTED, nestedKeys(folders, 5)),
        ...objects(FLAT, flatKeys(30)),
        ...objects(HEADERS, nestedKeys(folders, 5)),
        ...objects(RESUMED, nestedKeys(folders, 5)),
      },
    });
    const page = { WINNOW_LIST_PAGE_SIZE: '2' };
    sharded = await createTestContext(dialect, { ...page, WINNOW_SYNC_SHARDS: '3', WINNOW_SYNC_SHARD_AFTER_KEYS: '2' });
    single = await createTestContext(dialect, { ...page, WINNOW_SYNC_SHARDS: '1' });
    for (const context of [sharded, single]) {
      for (const [name, prefix] of [
        ['nested', NESTED],
        ['flat', FLAT],
        ['headers', HEADERS],
        ['resumed', RESUMED],
      ] as const) {
        await createDataset(context, { name, input: inputOf(prefix) });
      }
      await createDataset(context, { name: 'list-only', input: { uri: `s3://${BUCKET}/${HEADERS}`, endpoint: s3.proxy.endpoint, pathStyle: true, ...lister } });
    }
  });
  afterAll(async () => {
    await sharded?.drop();
    await single?.drop();
  });

  const syncBoth = (dataset: string) => syncBothOf(sharded, single, dataset);

  it('catalogs a nested layout exactly as one stream does, before and after keys come and go', async () => {
    const first = await syncBoth('nested');
    expect(first.fannedOut).toBeGreaterThan(1);
    expect(first.report).toMatchObject({ listed: 30, added: 30, removed: 0 });
    expect(await catalogOf(sharded, 'nested')).toEqual(await catalogOf(single, 'nested'));

    await removeObjects(NESTED, ['a/img-00.jpg', 'c/img-03.jpg', 'f/img-04.jpg']);
    await s3.put({ [BUCKET]: { ...objects(NESTED, ['b/img-99.jpg', 'g/img-00.jpg']), [`${NESTED}d/img-01.jpg`]: fixtureImage('coffee.png') } });
    const second = await syncBoth('nested');
    expect(second.fannedOut).toBeGreaterThan(1);
    expect(second.report).toMatchObject({ listed: 29, added: 2, updated: 1, removed: 3 });
    expect(second.report).toMatchObject({ listed: second.peer.listed, added: second.peer.added, updated: second.peer.updated, removed: second.peer.removed });
    expect(await catalogOf(sharded, 'nested')).toEqual(await catalogOf(single, 'nested'));
  });

  it('cuts a flat layout at key ranges probed in the bucket, then at the keys the catalog holds, with the same result as one stream', async () => {
    // The first sync of a flat layout has no folders and an empty catalog to cut at: it probes the bucket for key ranges.
    const first = await syncBoth('flat');
    expect(first.fannedOut).toBeGreaterThan(1);
    expect(first.report).toMatchObject({ listed: 30, added: 30, shards: first.fannedOut });
    expect(await catalogOf(sharded, 'flat')).toEqual(await catalogOf(single, 'flat'));
    await removeObjects(FLAT, ['img-004.jpg', 'img-017.jpg']);
    await s3.put({ [BUCKET]: objects(FLAT, ['img-0105.jpg', 'img-999.jpg']) });
    const second = await syncBoth('flat');
    expect(second.fannedOut).toBeGreaterThan(1);
    expect(second.report).toMatchObject({ listed: 30, added: 2, updated: 0, removed: 2 });
    expect(await catalogOf(sharded, 'flat')).toEqual(await catalogOf(single, 'flat'));
  });

  it('resumes a cancelled fan-out from each shard cursor, with no duplicates and no early removals', async () => {
    await removeObjects(NESTED, ['e/img-02.jpg']);
    const abort = new AbortController();
    let commits = 0;
    const cancelled = await syncDataset(sharded, 'nested', {
      signal: abort.signal,
      onProgress: (progress) => {
        if (progress.shards !== undefined && ++commits === 4) abort.abort();
      },
    }).catch((error: unknown) => error);
    expect(isAppError(cancelled, 'SyncCancelled'), String(cancelled)).toBe(true);
    const { dataset } = await requireDataset(sharded, 'nested');
    const shards = await sharded.database.db.selectFrom('sync_shards').selectAll().where('dataset_id', '=', dataset.id).orderBy('shard_index').execute();
    const advanced = shards.filter((shard) => shard.cursor_key !== null && shard.status === 'listing');
    expect(advanced.length).toBeGreaterThan(0);
    // Reconciliation waits for every shard: nothing is marked removed yet, not even the deleted key.
    expect((await catalogOf(sharded, 'nested')).filter((sample) => sample.removed_at && sample.key === 'e/img-02.jpg')).toHaveLength(0);

    s3.proxy.clearLog();
    const resumed = await syncDataset(sharded, 'nested');
    const startAfters = s3.proxy.log.filter((entry) => entry.action === 's3:ListBucket').map((entry) => entry.query['start-after']);
    for (const shard of advanced) expect(startAfters).toContain(`${NESTED}${shard.cursor_key}`);
    expect(resumed).toMatchObject({ resumed: true, removed: 1, added: 0, updated: 0, total: 28 });
    await syncDataset(single, 'nested');
    const catalog = await catalogOf(sharded, 'nested');
    expect(new Set(catalog.map((sample) => sample.key)).size).toBe(catalog.length);
    expect(catalog).toEqual(await catalogOf(single, 'nested'));
    expect(await sharded.database.db.selectFrom('sync_shards').selectAll().execute()).toEqual([]);
  });

  it('gives every sample the dimensions one stream gives it', async () => {
    const { report, fannedOut } = await syncBoth('headers');
    expect(fannedOut).toBeGreaterThan(1);
    expect(report).toMatchObject({ added: 30, failed: 0, withoutDimensions: 0, readDenied: false, warnings: [] });
    const catalog = await catalogOf(sharded, 'headers');
    expect(catalog.every((sample) => sample.status === 'ok' && sample.width === 96 && sample.height === 64)).toBe(true);
    expect(catalog).toEqual(await catalogOf(single, 'headers'));
  });

  it('shows the headers the shards read in the fanned-out listing, and the last pass has none left', async () => {
    await s3.put({ [BUCKET]: objects(HEADERS, nestedKeys(['b', 'e'], 8)) });
    const seen: SyncProgress[] = [];
    const report = await syncDataset(sharded, 'headers', { onProgress: (progress) => seen.push(structuredClone(progress)) });
    // The first stream lists 2 keys before fanning out, and the shards read the rest while listing.
    expect(report).toMatchObject({ added: 6, withoutDimensions: 0 });
    const listing = seen.filter((progress) => progress.phase === 'listing' && progress.shards !== undefined);
    expect(listing.at(-1)?.probed).toBe(6);
    expect(listing.some((progress) => progress.probed > 0 && progress.shards!.done < progress.shards!.total)).toBe(true);
    expect(seen.find((progress) => progress.phase === 'probing')).toMatchObject({ probed: 6, toProbe: 6 });
  });

  it('makes one denied read and warns once when reads are denied, however many shards list', async () => {
    s3.proxy.clearLog();
    const seen: SyncProgress[] = [];
    const report = await syncDataset(sharded, 'list-only', { skipVerify: true, onProgress: (progress) => seen.push(structuredClone(progress)) });
    expect(Math.max(0, ...seen.map((progress) => progress.shards?.total ?? 0))).toBeGreaterThan(1);
    expect(report).toMatchObject({ readDenied: true, failed: 0, withoutDimensions: report.total });
    expect(report.total).toBeGreaterThanOrEqual(30);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatch(new RegExp(`^Reading objects is denied, so ${report.total} samples were indexed without dimensions: .*s3:GetObject`));
    expect(s3.proxy.denied().filter((entry) => entry.action === 's3:GetObject')).toHaveLength(1);
    const catalog = await catalogOf(sharded, 'list-only');
    expect(catalog.every((sample) => sample.status === 'pending' && sample.width === null)).toBe(true);
  });

  it('resumes a cancelled fan-out without reading again the headers it stored', async () => {
    const abort = new AbortController();
    const cancelled = await syncDataset(sharded, 'resumed', {
      signal: abort.signal,
      onProgress: (progress) => {
        if (progress.shards !== undefined && progress.probed >= 6) abort.abort();
      },
    }).catch((error: unknown) => error);
    expect(isAppError(cancelled, 'SyncCancelled'), String(cancelled)).toBe(true);
    const stored = (await catalogOf(sharded, 'resumed')).filter((sample) => sample.status === 'ok').map((sample) => sample.key);
    expect(stored.length).toBeGreaterThanOrEqual(6);
    expect(stored.length).toBeLessThan(30);

    s3.proxy.clearLog();
    const resumed = await syncDataset(sharded, 'resumed');
    expect(resumed).toMatchObject({ resumed: true, added: 30, total: 30, withoutDimensions: 0 });
    // The first read is the verify probe's; then each header still to read is read once, and none stored before the cancel.
    const [, ...headerReads] = s3.proxy.log.filter((entry) => entry.action === 's3:GetObject').map((entry) => entry.resource!.split(RESUMED)[1]!);
    expect(headerReads.filter((key) => stored.includes(key))).toEqual([]);
    expect(headerReads.sort()).toEqual(nestedKeys(['a', 'b', 'c', 'd', 'e', 'f'], 5).filter((key) => !stored.includes(key)));
    await syncDataset(single, 'resumed');
    expect(await catalogOf(sharded, 'resumed')).toEqual(await catalogOf(single, 'resumed'));
  });
});

describe.each(DIALECTS)('the first sync of a flat layout on %s', (dialect) => {
  let sharded: TestContext;
  let single: TestContext;

  beforeAll(async () => {
    const page = { WINNOW_LIST_PAGE_SIZE: '50' };
    sharded = await createTestContext(dialect, { ...page, WINNOW_SYNC_SHARDS: '8', WINNOW_SYNC_SHARD_AFTER_KEYS: '50' });
    single = await createTestContext(dialect, { ...page, WINNOW_SYNC_SHARDS: '1' });
    for (const context of [sharded, single]) await createDataset(context, { name: 'hashed', input: inputOf(HASHED, lister) });
  });
  afterAll(async () => {
    await sharded?.drop();
    await single?.drop();
  });

  it('fans 2,000 hashed names out into key ranges found with a few one-key listings, cataloguing them as one stream does', async () => {
    s3.proxy.clearLog();
    const { report, peer, fannedOut } = await syncBothOf(sharded, single, 'hashed', { skipVerify: true });
    const probes = s3.proxy.log.filter(
      (entry) => entry.action === 's3:ListBucket' && entry.query['max-keys'] === '1' && entry.query['start-after'] !== undefined,
    );
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.length).toBeLessThanOrEqual(MAX_KEY_RANGE_PROBES);
    expect(fannedOut).toBe(8);
    expect(report).toMatchObject({ listed: 2_000, added: 2_000, removed: 0, total: 2_000, shards: 8 });
    expect(peer).toMatchObject({ listed: 2_000, added: 2_000, shards: 0 });
    expect(await catalogOf(sharded, 'hashed')).toEqual(await catalogOf(single, 'hashed'));
  });
});
