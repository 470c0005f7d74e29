/**
 * The retrying state during 503 SlowDown storms, where users see it: a queued job's view (written by a real
 * `winnow worker` on PostgreSQL into the job's progress, read by `winnow jobs show` and the API's queued
 * views), and the progress lines of `winnow embed`, `winnow thumbnails` and a CLI following a `--queue`d sync,
 * drawn in a terminal (`script` gives the CLI a pseudo-terminal, as a user's shell would).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import type { StorageRetry } from '../src/datasources/object-store.js';
import { createQueuedSyncJobs } from '../src/jobs/queued-dataset-jobs.js';
import { openJobQueue, type WinnowJobQueue } from '../src/jobs/winnow-jobs.js';
import { createLogger } from '../src/log/logger.js';
import { closed, freshHome, runCli, spawnCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { queueDetached, workerStarted } from './support/jobs.js';
import type { FaultProxy } from './support/fault-proxy.js';
import { fixturePhotos as photos, startPhotoBucketBehindFaults, type PhotoBucket } from './support/photo-bucket.js';
import { waitFor } from './support/wait.js';

const BUCKET = 'storms';
const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const BIN = resolve(import.meta.dirname, '../bin/winnow.js');
const ENV = {
  WINNOW_S3_MAX_ATTEMPTS: '12',
  WINNOW_LIST_PAGE_SIZE: '5',
  WINNOW_EMBED_THREADS: '1',
  WINNOW_EMBED_BATCH_SIZE: '2',
  WINNOW_JOB_POLL_MS: '200',
  WINNOW_JOB_PROGRESS_MS: '300',
  WINNOW_JOB_MAINTENANCE_SECONDS: '1',
  WINNOW_JOB_RETRY_DELAY_SECONDS: '1',
};

let bucket: PhotoBucket;
let storm: FaultProxy;

beforeAll(async () => {
  bucket = await startPhotoBucketBehindFaults(BUCKET, { slowDownBurst: 3, seed: 18 });
  storm = bucket.storm;
}, 60_000);

afterAll(async () => {
  await bucket?.stop();
});

const create = (env: Record<string, string>, name: string, extra: string[] = []) =>
  runCli(
    [
      'dataset',
      'create',
      name,
      '--input',
      `s3://${BUCKET}/pics/`,
      '--endpoint',
      storm.endpoint,
      '--path-style',
      '--access-key-id',
      KEYS.accessKeyId,
      '--secret-access-key-stdin',
      '--output',
      `s3://${BUCKET}/out-${name}/`,
      ...extra,
    ],
    { env, stdin: `${KEYS.secretAccessKey}\n` },
  );

/** Every GET answered 503 SlowDown until `calm()`. */
function storming(): void {
  storm.plan.rates = { slowDown: 1 };
}
function calm(): void {
  storm.plan.rates = {};
}

/** Runs the built CLI in a pseudo-terminal (so it draws its progress lines) and returns all it drew. */
async function inTerminal(args: readonly string[], env: Record<string, string>, timeoutMs = 240_000): Promise<{ code: number; screen: string }> {
  const command = [process.execPath, BIN, ...args].map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
  // A wide terminal: cli-progress cuts its line at the terminal's width.
  const child = spawn('script', ['-qefc', `stty cols 240 rows 40; ${command}`, '/dev/null'], {
    env: { PATH: process.env.PATH, WINNOW_LOG_LEVEL: 'warn', AWS_EC2_METADATA_DISABLED: 'true', TERM: 'xterm', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number>((resolveExit) => child.on('close', (exitCode) => resolveExit(exitCode ?? 1)));
  clearTimeout(timer);
  return { code, screen };
}

describe('a worker on PostgreSQL during a 503 SlowDown storm', () => {
  let catalog: TestDatabase;
  let env: Record<string, string>;
  let queue: WinnowJobQueue;
  let worker: ChildProcess | undefined;

  beforeAll(async () => {
    catalog = await createTestDatabase('postgres');
    env = { ...catalog.env, ...ENV };
    const created = await create(env, 'farm');
    expect(created.code, created.stderr).toBe(0);
    queue = await openJobQueue({ config: loadConfig({}, env), database: catalog.database, log: createLogger('silent'), clock: () => new Date() });
    worker = spawnCli(['worker', '--concurrency', '1'], env);
    await workerStarted(worker);
  }, 120_000);

  afterAll(async () => {
    calm();
    worker?.kill('SIGKILL');
    if (worker) await closed(worker);
    await queue?.stop();
    await catalog?.drop();
  });

  it("writes which call it retries into the job's progress; jobs show and the API's sync view read it there", async () => {
    storming();
    onTestFinished(calm);
    const id = await queueDetached(['dataset', 'sync', 'farm'], env);

    const retrying = await waitFor(
      'the worker to report a retry',
      async () => {
        const job = await queue.get(id);
        const state = job?.progress?.retrying as StorageRetry | null | undefined;
        return state != null && state.attempt >= 3 ? { job: job!, state } : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(retrying.job.state).toBe('active');
    expect(retrying.state).toMatchObject({ operation: 'ListObjectsV2', reason: '503 SlowDown', code: 'SlowDown', maxAttempts: 12 });
    expect(retrying.state.delayMs).toBeGreaterThan(0);
    expect(retrying.job.progress?.storageRetries).toBeGreaterThanOrEqual(2);

    // The API's sync view (a queued one on PostgreSQL) and `winnow jobs show` read the same progress.
    const view = await createQueuedSyncJobs(queue).latest('farm');
    expect(view).toMatchObject({ id, status: 'running', retrying: { operation: 'ListObjectsV2', code: 'SlowDown' } });
    expect(view!.retries).toBeGreaterThanOrEqual(2);
    const shown = await runCli(['jobs', 'show', id], { env });
    expect(shown.stdout).toMatch(/storage calls retried: \d+; now retrying ListObjectsV2 after 503 SlowDown, attempt \d+ of 12, waited \d+\.\d s/);

    calm();
    const done = await waitFor(
      'the sync to complete',
      async () => {
        const job = await queue.get(id);
        expect(job?.state).not.toBe('failed');
        return job?.state === 'completed' ? job : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    expect(done.result).toMatchObject({ total: photos.length });
    expect(done.progress).toMatchObject({ retrying: null });
    expect(done.progress?.storageRetries).toBeGreaterThanOrEqual(2);
    const finished = await createQueuedSyncJobs(queue).latest('farm');
    expect(finished).toMatchObject({ status: 'completed', retrying: null });
  }, 240_000);

  it('shows the retrying state on the progress line of a CLI following a --queue’d sync', async () => {
    const refused = storm.count('slowDown');
    storming();
    onTestFinished(calm);
    const following = inTerminal(['dataset', 'sync', 'farm', '--queue'], env);
    await waitFor('a few refused calls', () => storm.count('slowDown') >= refused + 4, { timeoutMs: 60_000 });
    await new Promise((resolveSoon) => setTimeout(resolveSoon, 1_500));
    calm();
    const { code, screen } = await following;
    expect(code, screen).toBe(0);
    expect(screen).toMatch(/retrying (ListObjectsV2|GetObject) after 503 SlowDown \(attempt \d+ of 12\)/);
  }, 240_000);
});

describe('winnow embed and winnow thumbnails in a terminal during a 503 SlowDown storm', () => {
  const home = freshHome();
  const env = { WINNOW_HOME: home, ...ENV };

  beforeAll(async () => {
    const created = await create(env, 'pics');
    expect(created.code, created.stderr).toBe(0);
    const synced = await runCli(['dataset', 'sync', 'pics'], { env });
    expect(synced.code, synced.stderr).toBe(0);
  }, 120_000);

  for (const command of [
    ['thumbnails', 'pics'],
    ['embed', 'pics'],
  ]) {
    it(`winnow ${command[0]} says which call it retries after which error, then finishes`, async () => {
      // A quarter of the reads start a burst of 4 SlowDowns in a row (few enough for the SDK's retry budget).
      storm.plan.rates = { slowDown: 0.25 };
      try {
        const { code, screen } = await inTerminal(command, env);
        expect(code, screen).toBe(0);
        expect(screen).toMatch(/retrying GetObject after 503 SlowDown \(attempt \d+ of 12\)/);
        expect(screen).toMatch(command[0] === 'embed' ? /Embedded "pics"/ : /Thumbnails of "pics"/);
      } finally {
        calm();
      }
    }, 240_000);
  }
});
