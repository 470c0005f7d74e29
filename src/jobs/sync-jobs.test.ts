import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/context.js';
import { listOnlyPolicy, referencePolicy } from '../../test/support/policies.js';
import { fixtureImage, proxyUser, startSeededS3, underPrefix, type SeededS3 } from '../../test/support/s3-fixture.js';
import { waitFor } from '../../test/support/wait.js';
import { requireDataset } from '../catalog/dataset.service.js';
import type { Context } from '../context.js';
import { createDataset } from '../workflows/create-dataset.js';
import { syncDataset } from '../workflows/sync-dataset.js';
import { enqueueSyncOnce } from './sync-jobs.js';
import { winnowJobHandlers, type WinnowJobQueue } from './winnow-jobs.js';

const BUCKET = 'datalake';
const PREFIX = 'queued/';
const owner = proxyUser('AKIASYNCSHARDJOBS001', referencePolicy(BUCKET, PREFIX));
const lister = proxyUser('AKIASYNCSHARDLIST001', listOnlyPolicy(BUCKET, PREFIX));
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'].flatMap((folder) => Array.from({ length: 4 }, (_, i) => `${folder}/img-${i}.jpg`));

let s3: SeededS3;
let sharded: Context & { drop(): Promise<void> };
let single: Context & { drop(): Promise<void> };
let queue: WinnowJobQueue;

beforeAll(async () => {
  const cat = fixtureImage('cat.jpg');
  s3 = await startSeededS3({
    buckets: [BUCKET],
    users: [owner, lister],
    objects: { [BUCKET]: underPrefix(PREFIX, Object.fromEntries(KEYS.map((key) => [key, cat]))) },
  });
  const settings = { WINNOW_LIST_PAGE_SIZE: '2', WINNOW_JOB_POLL_MS: '100', WINNOW_JOB_PROGRESS_MS: '0' };
  sharded = await createTestContext('postgres', { ...settings, WINNOW_SYNC_SHARDS: '3', WINNOW_SYNC_SHARD_AFTER_KEYS: '2' });
  single = await createTestContext('postgres', { ...settings, WINNOW_SYNC_SHARDS: '1' });
  for (const context of [sharded, single]) {
    await createDataset(context, { name: 'photos', input: { uri: `s3://${BUCKET}/${PREFIX}`, endpoint: s3.proxy.endpoint, pathStyle: true, ...owner } });
  }
  await createDataset(sharded, { name: 'list-only', input: { uri: `s3://${BUCKET}/${PREFIX}`, endpoint: s3.proxy.endpoint, pathStyle: true, ...lister } });
  queue = await sharded.jobs();
  expect(queue.kind).toBe('pg-boss');
  await queue.work(winnowJobHandlers(sharded, queue), { concurrency: 3 });
});
afterAll(async () => {
  await sharded?.drop();
  await single?.drop();
  await s3?.stop();
});
afterEach(() => s3.proxy.addUser(owner));

const finished = (id: string) =>
  waitFor(`job ${id} to finish`, async () => {
    const job = await queue.get(id);
    return job !== undefined && ['completed', 'failed', 'cancelled'].includes(job.state) ? job : undefined;
  });

async function keysOf(context: Context) {
  const { dataset } = await requireDataset(context, 'photos');
  const rows = await context.database.db
    .selectFrom('samples')
    .select(['key', 'etag', 'status', 'width', 'height', 'removed_at'])
    .where('dataset_id', '=', dataset.id)
    .orderBy('key')
    .execute();
  return rows.map((row) => ({ ...row, removed_at: row.removed_at !== null }));
}

describe('a big sync on pg-boss', () => {
  it('fans out into sync-shard jobs that workers share, with the catalog one stream makes', async () => {
    const id = await queue.enqueue('sync', { dataset: 'photos' });
    const job = await finished(id);
    expect(job).toMatchObject({ state: 'completed', result: { listed: KEYS.length, added: KEYS.length, removed: 0 } });
    // The parent follows the shards' committed counters, so it may finish before pg-boss marks the last shard job completed.
    const shardJobs = await waitFor('every shard job to be completed', async () => {
      const jobs = await queue.list({ names: ['sync-shard'], dataset: 'photos' });
      return jobs.every((shard) => shard.state === 'completed') ? jobs : undefined;
    });
    expect(shardJobs.length).toBeGreaterThan(1);
    // Each shard job read the headers of the keys it listed; the parent read only the first stream's 2 (its own progress counts them all).
    const shardReports = shardJobs.map((shard) => shard.result as { progress: { added: number; probed: number } });
    expect(shardReports.every((report) => report.progress.probed === report.progress.added)).toBe(true);
    expect(shardReports.reduce((total, report) => total + report.progress.probed, 0)).toBe(KEYS.length - 2);
    expect(job.progress).toMatchObject({ phase: 'probing', probed: KEYS.length, toProbe: KEYS.length });
    await syncDataset(single, 'photos');
    expect(await keysOf(sharded)).toEqual(await keysOf(single));
    expect((await keysOf(sharded)).every((sample) => sample.status === 'ok' && sample.width === 96 && sample.height === 64)).toBe(true);
  });

  it('makes one denied read and warns once when reads are denied, whichever workers run the shards', async () => {
    s3.proxy.clearLog();
    const id = await queue.enqueue('sync', { dataset: 'list-only', skipVerify: true });
    const job = await finished(id);
    expect(job.state, JSON.stringify(job.error)).toBe('completed');
    const report = job.result as { total: number; withoutDimensions: number; readDenied: boolean; warnings: string[] };
    expect(report).toMatchObject({ total: KEYS.length, withoutDimensions: KEYS.length, readDenied: true });
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toContain(`so ${KEYS.length} samples were indexed without dimensions`);
    expect((await queue.list({ names: ['sync-shard'], dataset: 'list-only' })).length).toBeGreaterThan(1);
    expect(s3.proxy.denied().filter((entry) => entry.action === 's3:GetObject')).toHaveLength(1);
  });

  it('fails the sync at once with the error of a shard that failed for good, and cancels the other shards', async () => {
    // A shard's listing is held; meanwhile the key loses its list permission, so that shard is refused (a permanent error).
    const hold = s3.proxy.hold((entry) => entry.action === 's3:ListBucket' && entry.query['start-after'] !== undefined && entry.query.delimiter === undefined);
    const id = await queue.enqueue('sync', { dataset: 'photos' });
    await hold.reached(1);
    s3.proxy.addUser({ ...owner, policy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:ListBucket', Resource: '*' }] } });
    hold.release();
    const job = await finished(id);
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('DatasourceAccessDenied');
    expect(job.error?.message).toMatch(/^Shard \d+ of the sync of "photos" failed: /);
    expect(job.retryCount).toBe(0);
    await waitFor('every shard job to end', async () => {
      const shardJobs = await queue.list({ names: ['sync-shard'], dataset: 'photos', states: ['created', 'retry', 'active'] });
      return shardJobs.length === 0;
    });
  });
});

describe.each(['sqlite', 'postgres'] as const)('queuing a sync on %s', (dialect) => {
  it('returns the sync already queued for the dataset instead of queuing a second, even when asked twice at once', async () => {
    const context = await createTestContext(dialect);
    try {
      const jobs = await context.jobs();
      const [first, second] = await Promise.all([
        enqueueSyncOnce(context.database, jobs, { dataset: 'photos' }),
        enqueueSyncOnce(context.database, jobs, { dataset: 'photos' }),
      ]);
      expect([first.existing, second.existing].sort()).toEqual([false, true]);
      expect(second.id).toBe(first.id);
      expect(await enqueueSyncOnce(context.database, jobs, { dataset: 'other' })).toMatchObject({ existing: false });
      expect(await jobs.list({ names: ['sync'] })).toHaveLength(2);
    } finally {
      await context.drop();
    }
  });
});
