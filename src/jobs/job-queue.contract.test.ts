import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { waitFor } from '../../test/support/wait.js';
import { AppError, isAppError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { createInProcessJobQueue } from './in-process.job-queue.js';
import { checkHandlers, retryDelaySeconds, type JobHandlers, type JobQueue } from './job-queue.js';
import { createPgBossJobQueue } from './pg-boss.job-queue.js';

type TestJobs = { count: { n: number }; hang: { n: number } };
const NAMES = ['count', 'hang'] as const;
const SETTINGS = { expireInSeconds: 3_600, pollIntervalMs: 50, progressIntervalMs: 0 };

/** The same behaviour from both queues: the embedded default's (on SQLite) and pg-boss (on PostgreSQL). */
const ADAPTERS = [
  { kind: 'in-process', dialect: 'sqlite' },
  { kind: 'pg-boss', dialect: 'postgres' },
] as const;

describe.each(ADAPTERS)('job queue contract: $kind on $dialect', ({ kind, dialect }) => {
  let test: TestDatabase;
  const queues: Array<JobQueue<TestJobs>> = [];

  const openQueue = async (): Promise<JobQueue<TestJobs>> => {
    const log = createLogger('silent');
    const queue =
      kind === 'in-process'
        ? createInProcessJobQueue<TestJobs>({ database: test.database, names: NAMES, clock: () => new Date(), log, ...SETTINGS })
        : await createPgBossJobQueue<TestJobs>({
            url: test.env.WINNOW_DATABASE_URL!,
            database: test.database,
            names: NAMES,
            clock: () => new Date(),
            log,
            maintenanceIntervalSeconds: 1,
            ...SETTINGS,
          });
    queues.push(queue);
    return queue;
  };
  const settled = (queue: JobQueue<TestJobs>, id: string, state = 'completed') =>
    waitFor(`job ${id} to be ${state}`, async () => {
      const job = await queue.get(id);
      return job?.state === state ? job : undefined;
    });

  beforeEach(async () => {
    test = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    for (const queue of queues.splice(0)) await queue.stop();
    await test.drop();
  });

  it('runs an enqueued job once and keeps its payload and result', async () => {
    const queue = await openQueue();
    const id = await queue.enqueue('count', { n: 41 });
    expect(await queue.get(id)).toMatchObject({ id, name: 'count', state: 'created', data: { n: 41 }, result: null });
    await queue.work(handlers({ count: async ({ n }) => ({ answer: n + 1 }) }), { concurrency: 1 });
    const done = await settled(queue, id);
    expect(done).toMatchObject({ state: 'completed', result: { answer: 42 }, error: null, retryCount: 0 });
    expect(done.startedAt).not.toBeNull();
    expect((await queue.list({ names: ['count'] })).map((job) => job.id)).toEqual([id]);
    expect(await queue.list({ names: ['hang'] })).toEqual([]);
  });

  it('shows the progress a running job reports, to any process', async () => {
    const queue = await openQueue();
    const reader = kind === 'in-process' ? queue : await openQueue();
    const release = deferred();
    await queue.work(
      handlers({
        count: async (_, job) => {
          await job.reportProgress({ done: 1, of: 2 });
          await release.promise;
          await job.reportProgress({ done: 2, of: 2 });
        },
      }),
      { concurrency: 1 },
    );
    const id = await queue.enqueue('count', { n: 1 });
    const running = await waitFor('the first progress report', async () => {
      const job = await reader.get(id);
      return job?.progress?.done === 1 ? job : undefined;
    });
    expect(running).toMatchObject({ state: 'active', progress: { done: 1, of: 2 } });
    release.resolve();
    expect((await settled(reader, id)).progress).toEqual({ done: 2, of: 2 });
  });

  it('fails a job with its error code, message and hint once its retries are spent', async () => {
    const queue = await openQueue();
    await queue.work(
      handlers({
        count: async () => {
          throw new AppError('DatasetNotFound', 'No dataset is named "cows".', { hint: 'List them with `winnow dataset list`.' });
        },
      }),
      { concurrency: 1 },
    );
    const id = await queue.enqueue('count', { n: 1 }, { retryLimit: 0 });
    const failed = await settled(queue, id, 'failed');
    expect(failed.error).toEqual({ code: 'DatasetNotFound', message: 'No dataset is named "cows".', hint: 'List them with `winnow dataset list`.' });
    expect(failed.finishedAt).not.toBeNull();
  });

  it('fails at once, its retries unspent, when no retry can mend the failure (denied keys), and runs again when asked', async () => {
    const queue = await openQueue();
    let attempts = 0;
    await queue.work(
      handlers({
        count: async () => {
          attempts++;
          if (attempts === 1) throw new AppError('DatasourceAccessDenied', 'Access denied to s3:ListBucket on datalake.');
          return { done: true };
        },
      }),
      { concurrency: 1 },
    );
    const id = await queue.enqueue('count', { n: 1 }, { retryLimit: 3, retryDelaySeconds: 0 });
    const failed = await settled(queue, id, 'failed');
    expect(failed).toMatchObject({ retryCount: 0, error: { code: 'DatasourceAccessDenied' } });
    expect(attempts).toBe(1);
    await queue.retry(id);
    expect((await settled(queue, id, 'completed')).result).toEqual({ done: true });
  });

  it('retries a failed attempt after a backoff delay, then completes', async () => {
    const queue = await openQueue();
    const attempts: number[] = [];
    await queue.work(
      handlers({
        count: async () => {
          attempts.push(Date.now());
          if (attempts.length === 1) throw new Error('the bucket answered 503 SlowDown');
          return { attempts: attempts.length };
        },
      }),
      { concurrency: 1 },
    );
    const id = await queue.enqueue('count', { n: 1 }, { retryLimit: 2, retryDelaySeconds: 1, retryBackoff: true });
    const waiting = await waitFor('the retry to be scheduled', async () => {
      const job = await queue.get(id);
      return job?.state === 'retry' || job?.state === 'active' || job?.state === 'completed' ? job : undefined;
    });
    const done = await settled(queue, id);
    expect(done).toMatchObject({ result: { attempts: 2 }, retryCount: 1 });
    // With backoff the first retry waits between 1 and 2 delays (pg-boss's rule: doubling, jitter in the upper half).
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(900);
    if (waiting.state === 'retry') expect(waiting.error?.message).toBe('the bucket answered 503 SlowDown');
  });

  it('cancels a waiting job so it never runs, and a running one at its next step; retry runs it again', async () => {
    const queue = await openQueue();
    const waitingId = await queue.enqueue('count', { n: 1 });
    expect((await queue.cancel(waitingId)).state).toBe('cancelled');

    const ran: number[] = [];
    let sawAbort = false;
    const started = deferred();
    await queue.work(
      handlers({
        count: async ({ n }, job) => {
          ran.push(n);
          if (n !== 2) return;
          started.resolve();
          while (!job.signal.aborted) await job.reportProgress({ n });
          sawAbort = true;
          throw new AppError('SyncCancelled', 'stopped');
        },
      }),
      { concurrency: 1 },
    );
    const runningId = await queue.enqueue('count', { n: 2 });
    await started.promise;
    expect((await queue.cancel(runningId)).state).toBe('cancelled');
    await waitFor('the handler to see the cancel', () => sawAbort);
    const after = await queue.enqueue('count', { n: 3 });
    await settled(queue, after);
    expect(ran).toEqual([2, 3]);
    expect((await queue.get(runningId))?.state).toBe('cancelled');
    await expect(queue.cancel(after)).rejects.toSatisfy((error) => isAppError(error, 'JobStateConflict'));

    expect((await queue.retry(waitingId)).state).not.toBe('cancelled');
    await settled(queue, waitingId);
    expect(ran).toEqual([2, 3, 1]);
    await expect(queue.retry(waitingId)).rejects.toSatisfy((error) => isAppError(error, 'JobStateConflict'));
    await expect(queue.get('00000000-0000-4000-8000-000000000000')).resolves.toBeUndefined();
  });

  it("gives a lost worker's job to another worker once its attempt expires, and ignores the lost worker's late answer", async () => {
    const lost = await openQueue();
    const rescuer = await openQueue();
    const hung = deferred();
    const runs: string[] = [];
    await lost.work(
      handlers({
        hang: async () => {
          runs.push('lost');
          await hung.promise; // Ignores its signal: a worker that froze or lost its connection.
          return { by: 'lost' };
        },
      }),
      { concurrency: 1 },
    );
    const id = await lost.enqueue('hang', { n: 1 }, { expireInSeconds: 1, retryDelaySeconds: 0, retryBackoff: false });
    await waitFor('the first worker to take the job', () => runs.length === 1);
    await rescuer.work(
      handlers({
        hang: async () => {
          runs.push('rescuer');
          return { by: 'rescuer' };
        },
      }),
      { concurrency: 1 },
    );
    const done = await settled(rescuer, id);
    expect(done.result).toEqual({ by: 'rescuer' });
    hung.resolve();
    await lost.stop();
    expect((await rescuer.get(id))?.result).toEqual({ by: 'rescuer' });
    expect(runs).toEqual(['lost', 'rescuer']);
  });

  it('leaves a job that outlives its expiry alone while it keeps reporting progress', async () => {
    const first = await openQueue();
    const second = await openQueue();
    const runs: string[] = [];
    const slow =
      (who: string): JobHandlers<TestJobs>['count'] =>
      async (_, job) => {
        runs.push(who);
        const until = Date.now() + 3_000;
        while (Date.now() < until) {
          await job.reportProgress({ at: Date.now() });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return { by: who };
      };
    await first.work(handlers({ count: slow('first') }), { concurrency: 1 });
    const id = await first.enqueue('count', { n: 1 }, { expireInSeconds: 1, retryDelaySeconds: 0, retryBackoff: false });
    await waitFor('the first worker to take the job', () => runs.length === 1);
    await second.work(handlers({ count: slow('second') }), { concurrency: 1 });
    const done = await settled(first, id);
    expect(done).toMatchObject({ result: { by: 'first' }, retryCount: 0 });
    expect(runs).toEqual(['first']);
  });

  it('hands each job to exactly one of several workers', async () => {
    const first = await openQueue();
    const second = await openQueue();
    const runs = new Map<number, number>();
    const count: JobHandlers<TestJobs>['count'] = async ({ n }) => {
      runs.set(n, (runs.get(n) ?? 0) + 1);
      return { n };
    };
    const ids = [];
    for (let n = 0; n < 30; n++) ids.push(await first.enqueue('count', { n }));
    await first.work(handlers({ count }), { concurrency: 3 });
    await second.work(handlers({ count }), { concurrency: 3 });
    await waitFor('every job to complete', async () => (await first.list({ states: ['completed'] })).length === ids.length);
    expect([...runs.values()].every((times) => times === 1)).toBe(true);
    expect(runs.size).toBe(30);
  });

  it('refuses to work when a job has no handler', async () => {
    const queue = await openQueue();
    const incomplete = { count: async () => ({}) } as unknown as JobHandlers<TestJobs>;
    await expect(queue.work(incomplete, { concurrency: 1 })).rejects.toThrow('No handler for the job "hang"; refusing to start.');
  });
});

describe('pg-boss started by many workers at once', () => {
  it('starts every one on a fresh database (they take turns creating the schema and queues)', async () => {
    const test = await createTestDatabase('postgres');
    const names = Array.from({ length: 12 }, (_, index) => `job-${index}`);
    const started: Array<JobQueue<Record<string, { n: number }>>> = [];
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 4 }, () =>
          createPgBossJobQueue<Record<string, { n: number }>>({
            url: test.env.WINNOW_DATABASE_URL!,
            database: test.database,
            names,
            clock: () => new Date(),
            log: createLogger('silent'),
            maintenanceIntervalSeconds: 1,
            ...SETTINGS,
          }),
        ),
      );
      for (const outcome of outcomes) if (outcome.status === 'fulfilled') started.push(outcome.value);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => String((outcome as PromiseRejectedResult).reason))).toEqual([]);
      const id = await started[0]!.enqueue('job-11', { n: 1 });
      expect((await started[3]!.get(id))?.name).toBe('job-11');
    } finally {
      for (const queue of started) await queue.stop();
      await test.drop();
    }
  });
});

describe('retry delays', () => {
  it("double with each retry when backing off (pg-boss's rule), and stay put otherwise", () => {
    expect([0, 1, 2].map((count) => retryDelaySeconds(10, true, count, () => 0))).toEqual([10, 20, 40]);
    expect([0, 1, 2].map((count) => retryDelaySeconds(10, true, count, () => 1))).toEqual([20, 40, 80]);
    expect(retryDelaySeconds(10, false, 5)).toBe(10);
  });

  it('names every job without a handler', () => {
    expect(() => checkHandlers<TestJobs>(NAMES, {})).toThrow('No handler for the jobs "count", "hang"; refusing to start.');
  });
});

function handlers(some: Partial<JobHandlers<TestJobs>>): JobHandlers<TestJobs> {
  const unexpected = async () => {
    throw new Error('unexpected job');
  };
  return { count: unexpected, hang: unexpected, ...some };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}
