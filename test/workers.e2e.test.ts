import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.js';
import { closed, createS3Dataset, freshHome, runCli, spawnCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { queueDetached, showJob, waitForJob, workerStarted } from './support/jobs.js';
import { referencePolicy } from './support/policies.js';
import { listingPagesAfter, objectReadsAfter, startPolicyProxy, type PolicyProxy, type ProxyUser } from './support/s3-policy-proxy.js';
import { createS3rverClient, putObjects, startS3Server, type S3Server } from './support/s3-server.js';
import { waitFor } from './support/wait.js';

const BUCKET = 'datalake';
const PREFIX = 'projects/farm-animals/';
const INPUT = `s3://${BUCKET}/${PREFIX}`;
const PHOTOS = resolve(import.meta.dirname, 'fixtures/photos');
const photos = readdirSync(PHOTOS).filter((name) => name.endsWith('.jpg'));
const COPIES = 8;
const owner: ProxyUser = {
  accessKeyId: 'AKIAWORKERS000000001',
  secretAccessKey: 'secret-of-the-workers-wJalrXUtnFEMI',
  policy: referencePolicy(BUCKET, PREFIX),
};
/** Small pages and batches, so a job has many committed steps to be killed between. */
const JOB_ENV = {
  WINNOW_LIST_PAGE_SIZE: '7',
  WINNOW_EMBED_BATCH_SIZE: '4',
  WINNOW_EMBED_THREADS: '1',
  WINNOW_EMBED_DECODE_THREADS: '1',
  WINNOW_JOB_POLL_MS: '200',
  WINNOW_JOB_PROGRESS_MS: '0',
  WINNOW_JOB_EXPIRE_SECONDS: '20',
  WINNOW_JOB_MAINTENANCE_SECONDS: '1',
  WINNOW_JOB_RETRY_DELAY_SECONDS: '1',
  // A held request must stay held until its worker is killed, not time out and be retried past the hold.
  WINNOW_S3_REQUEST_TIMEOUT_MS: '300000',
  WINNOW_S3_CALL_DEADLINE_MS: '300000',
};

let server: S3Server;
let proxy: PolicyProxy;
let seed: S3Client;

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET] });
  proxy = await startPolicyProxy({ upstream: server.endpoint, users: [owner] });
  seed = createS3rverClient(server.endpoint);
  const objects = [];
  for (let copy = 0; copy < COPIES; copy++) {
    for (const name of photos) objects.push({ key: `${PREFIX}batch-${copy}/${name}`, body: readFileSync(resolve(PHOTOS, name)) });
  }
  await putObjects(seed, BUCKET, objects);
});
afterAll(async () => {
  seed?.destroy();
  await proxy?.stop();
  await server?.stop();
});

/** Everything a run leaves in a catalog that the user can see, in key order, without ids or times. */
async function catalogOf(database: Database) {
  const db = database.db;
  const samples = await db
    .selectFrom('samples')
    .select(['key', 'size', 'etag', 'width', 'height', 'format', 'status', 'error', 'removed_at'])
    .orderBy('key')
    .execute();
  const thumbnails = await db
    .selectFrom('thumbnails')
    .innerJoin('samples', 'samples.id', 'thumbnails.sample_id')
    .select([
      'samples.key',
      'thumbnails.status',
      'thumbnails.key as thumbnail',
      'thumbnails.width',
      'thumbnails.height',
      'thumbnails.bytes',
      'thumbnails.box_size',
    ])
    .orderBy('samples.key')
    .execute();
  const embeddings = await db
    .selectFrom('embeddings')
    .innerJoin('samples', 'samples.id', 'embeddings.sample_id')
    .select(['samples.key', 'embeddings.status'])
    .orderBy('samples.key')
    .execute();
  return { samples, thumbnails, embeddings };
}

async function exportVectors(env: Record<string, string>, folder: string) {
  const out = join(folder, `vectors-${Math.random().toString(36).slice(2)}.npy`);
  const result = await runCli(['embeddings', 'export', 'farm', '--out', out], { env });
  expect(result.code, result.stderr).toBe(0);
  return { vectors: readFileSync(out), filenames: readFileSync(out.replace(/\.npy$/, '.filenames.txt'), 'utf8') };
}

const create = (env: Record<string, string>) => createS3Dataset('farm', { input: INPUT, endpoint: proxy.endpoint, keys: owner, env });

describe('workers on PostgreSQL', () => {
  let catalog: TestDatabase;
  const workers: ChildProcess[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'winnow-workers-'));

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await Promise.all(workers.map(closed));
    await catalog?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('two workers share sync, thumbnails and embed jobs; each SIGKILLed mid-job, the catalog equals a single-process run', async () => {
    catalog = await createTestDatabase('postgres');
    const env = { ...catalog.env, ...JOB_ENV };
    expect((await create(env)).code).toBe(0);
    const startWorker = async () => {
      const worker = spawnCli(['worker', '--concurrency', '1'], env);
      workers.push(worker);
      await workerStarted(worker);
      return worker;
    };
    const completed = (id: string) => waitForJob(id, env, { timeoutMs: 180_000, intervalMs: 500 });

    // Sync: the first worker takes it alone. The proxy lets three listing pages through and holds the fourth, so the
    // kill provably lands mid-listing, after two pages are committed; the second worker finishes the job.
    const first = await startWorker();
    const listing = proxy.hold(listingPagesAfter(3, PREFIX));
    const sync = await queueDetached(['dataset', 'sync', 'farm'], env);
    await listing.reached(1, 60_000);
    // A second detached sync of the dataset queues nothing: it names the running one.
    expect(await queueDetached(['dataset', 'sync', 'farm'], env)).toBe(sync);
    await waitFor('the sync to commit two pages', async () => ((await showJob(sync, env)).progress?.listed ?? 0) >= 14, { timeoutMs: 60_000, intervalMs: 100 });
    first.kill('SIGKILL');
    await closed(first);
    listing.release();
    proxy.clearLog();
    const second = await startWorker();
    // Taken over after the kill: a second attempt that resumed from the committed cursor, not from the first key.
    expect(await completed(sync)).toMatchObject({ retryCount: 1, result: { resumed: true, total: photos.length * COPIES } });
    const pages = proxy.log.filter((entry) => entry.action === 's3:ListBucket' && entry.query['max-keys'] !== '1');
    expect(pages[0]?.query['start-after']).toMatch(new RegExp(`^${PREFIX}batch-`));

    // Thumbnails by the survivor, then embed: the proxy lets twelve images through and holds every later read, so
    // the second worker is killed mid-embedding with two batches recorded; a third worker, started before the kill, finishes it.
    await completed(await queueDetached(['thumbnails', 'farm', '--size', '64'], env));
    const reads = proxy.hold(objectReadsAfter(12));
    const embed = await queueDetached(['embed', 'farm'], env);
    await reads.reached(1, 120_000);
    await waitFor('two embedding batches', async () => ((await showJob(embed, env)).progress?.done ?? 0) >= 8, { timeoutMs: 120_000, intervalMs: 100 });
    await startWorker();
    second.kill('SIGKILL');
    await closed(second);
    reads.release();
    const embedded = await completed(embed);
    // The third worker embedded only what the killed one had not recorded.
    expect(embedded.retryCount).toBe(1);
    expect(embedded.result?.skipped).toBeGreaterThanOrEqual(8);
    expect(embedded.result?.skipped).toBeLessThanOrEqual(12);
    expect((embedded.result?.embedded as number) + (embedded.result?.skipped as number)).toBe(photos.length * COPIES);

    // The reference: the embedded default, every job run by the CLI in its own process. It runs second, so the
    // workers list a bucket without thumbnails in it and the held page is the fourth page of images.
    const single = { WINNOW_HOME: freshHome(), ...JOB_ENV };
    expect((await create(single)).code).toBe(0);
    for (const args of [
      ['dataset', 'sync', 'farm'],
      ['thumbnails', 'farm', '--size', '64'],
      ['embed', 'farm'],
    ]) {
      const result = await runCli(args, { env: single, timeoutMs: 180_000 });
      expect(result.code, result.stderr).toBe(0);
    }
    const singleCatalog = await openDatabase({ home: single.WINNOW_HOME, databaseUrl: undefined });
    const expected = await catalogOf(singleCatalog);
    await singleCatalog.close();
    expect(expected.samples).toHaveLength(photos.length * COPIES);
    expect(expected.embeddings.every((row) => row.status === 'ok')).toBe(true);

    expect(await catalogOf(catalog.database)).toEqual(expected);
    expect(await exportVectors(env, scratch)).toEqual(await exportVectors(single, scratch));
  }, 600_000);
});
