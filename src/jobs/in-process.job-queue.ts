import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  claimNextJob,
  findJob,
  findJobProgress,
  finishJobAttempt,
  insertJob,
  listActiveJobs,
  listJobs,
  saveJobProgress,
  setJobState,
  touchJob,
  type JobRow,
} from '../catalog/job.repository.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { isProcessAlive } from '../shared/process.js';
import {
  checkHandlers,
  foundJob,
  isPermanentJobError,
  jobErrorOf,
  retryDelaySeconds,
  type EnqueueOptions,
  type JobContext,
  type JobFilter,
  type JobHandlers,
  type JobPayloads,
  type JobQueue,
  type JobView,
  type WorkOptions,
} from './job-queue.js';
import { createProgressWriter, datasetOf, jobDefaults, type QueueSettings } from './queue-support.js';

export interface InProcessQueueOptions<Payloads extends JobPayloads> extends QueueSettings {
  database: Database;
  names: ReadonlyArray<keyof Payloads & string>;
  clock: () => Date;
  log: Logger;
}

/** Why a running job's signal was aborted. */
type StopReason = 'cancelled' | 'stopping';

/**
 * The embedded default's queue: jobs are rows of the catalog's `jobs` table and run in the
 * process that works them (the CLI, or `winnow serve`). A job whose process died is retried:
 * at once when that process ran on this host, else once its attempt expires. Same states,
 * retries and backoff as pg-boss, so both adapters pass one contract.
 */
export function createInProcessJobQueue<Payloads extends JobPayloads>(options: InProcessQueueOptions<Payloads>): JobQueue<Payloads> {
  type Name = keyof Payloads & string;
  const db = options.database.db;
  const self = `${hostname()}:${process.pid}:${randomUUID().slice(0, 6)}`;
  const running = new Map<string, AbortController>();
  const loops: Array<Promise<void>> = [];
  const wakers = new Set<() => void>();
  let stopping = false;
  const now = () => options.clock().toISOString();

  const wakeAll = () => {
    for (const wake of [...wakers]) wake();
  };
  const idle = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, options.pollIntervalMs);
      wakers.add(done);
    });

  const toView = async (row: JobRow): Promise<JobView<Name>> => {
    const progress = (await findJobProgress(db, [row.id])).get(row.id);
    return viewOf<Name>(row, progress);
  };

  /** Attempts whose worker is gone: a process of this host that no longer runs, or any that outlived its expiry. */
  const recoverAbandoned = async () => {
    const at = options.clock();
    for (const row of await listActiveJobs(db)) {
      const expired = row.started_at !== null && new Date(row.started_at).getTime() + row.expire_in_seconds * 1000 <= at.getTime();
      if (!expired && !workerIsGone(row.worker)) continue;
      const error = { code: 'WorkerLost', message: `The worker ${row.worker ?? '?'} stopped before finishing this job; it is tried again.`, hint: null };
      await failAttempt(row, null, error);
      options.log.warn({ job: row.id, name: row.name, worker: row.worker }, 'job of a lost worker taken back');
    }
  };

  const failAttempt = async (row: JobRow, worker: string | null, error: ReturnType<typeof jobErrorOf>) => {
    const retrying = !isPermanentJobError(error) && row.retry_count < row.retry_limit;
    const delay = retryDelaySeconds(row.retry_delay_seconds, row.retry_backoff === 1, row.retry_count);
    await finishJobAttempt(db, row.id, worker, {
      state: retrying ? 'retry' : 'failed',
      output: JSON.stringify({ error }),
      finishedAt: retrying ? null : now(),
      ...(retrying ? { startAfter: new Date(options.clock().getTime() + delay * 1000).toISOString(), retryCount: row.retry_count + 1 } : {}),
    });
  };

  const runJob = async (handlers: JobHandlers<Payloads>, row: JobRow) => {
    const abort = new AbortController();
    running.set(row.id, abort);
    const progress = createProgressWriter({
      write: async (value) => {
        await saveJobProgress(db, row.id, JSON.stringify(value), now());
        await touchJob(db, row.id, self, now());
      },
      isCancelled: async () => (await findJob(db, row.id))?.state === 'cancelled',
      onCancelled: () => abort.abort('cancelled' satisfies StopReason),
      intervalMs: options.progressIntervalMs,
    });
    const context: JobContext = { id: row.id, signal: abort.signal, reportProgress: progress.report };
    const handler = handlers[row.name as Name];
    try {
      const result = await handler(JSON.parse(row.data) as Payloads[Name], context);
      await progress.flush();
      await finishJobAttempt(db, row.id, self, { state: 'completed', output: JSON.stringify({ result: result ?? {} }), finishedAt: now() });
    } catch (error) {
      await progress.flush().catch(() => undefined);
      if (abort.signal.aborted && abort.signal.reason === 'stopping') {
        // Released, not failed: the next worker resumes it where this one committed.
        await finishJobAttempt(db, row.id, self, { state: 'retry', output: null, finishedAt: null, startAfter: now() });
      } else if (!(abort.signal.aborted && abort.signal.reason === 'cancelled')) {
        options.log.warn({ job: row.id, name: row.name, err: jobErrorOf(error).message }, 'job attempt failed');
        await failAttempt(row, self, jobErrorOf(error));
      }
    } finally {
      running.delete(row.id);
    }
  };

  const workLoop = async (handlers: JobHandlers<Payloads>, names: readonly Name[]) => {
    while (!stopping) {
      try {
        await recoverAbandoned();
        const row = await claimNextJob(db, names, self, now());
        if (row === undefined) await idle();
        else await runJob(handlers, row);
      } catch (error) {
        options.log.error({ err: jobErrorOf(error).message }, 'job queue error');
        await idle();
      }
    }
  };

  return {
    kind: 'in-process',
    async enqueue(name, data, enqueueOptions: EnqueueOptions = {}) {
      const id = enqueueOptions.id ?? randomUUID();
      const settings = jobDefaults(options, enqueueOptions);
      await insertJob(db, { id, name, data: JSON.stringify(data), ...settings, now: now() });
      wakeAll();
      return id;
    },
    async get(id) {
      const row = await findJob(db, id);
      return row === undefined ? undefined : toView(row);
    },
    async list(filter: JobFilter<Name> = {}) {
      const rows = await listJobs(db, {
        names: filter.names,
        states: filter.states,
        dataPattern: filter.dataset === undefined ? undefined : `%${JSON.stringify(filter.dataset).slice(1, -1)}%`,
        limit: filter.limit ?? 100,
      });
      const wanted = filter.dataset === undefined ? rows : rows.filter((row) => datasetOf(JSON.parse(row.data)) === filter.dataset);
      const progress = await findJobProgress(
        db,
        wanted.map((row) => row.id),
      );
      return wanted.map((row) => viewOf<Name>(row, progress.get(row.id)));
    },
    async cancel(id) {
      const row = foundJob(await findJob(db, id), id);
      if (!(await setJobState(db, id, ['created', 'retry', 'active'], { state: 'cancelled', finishedAt: now() }))) {
        throw new AppError('JobStateConflict', `Job ${id} is ${row.state}; only a job that has not finished can be cancelled.`);
      }
      running.get(id)?.abort('cancelled' satisfies StopReason);
      return foundJob(await this.get(id), id);
    },
    async retry(id) {
      const row = foundJob(await findJob(db, id), id);
      const retried = await setJobState(db, id, ['failed', 'cancelled'], {
        state: 'retry',
        finishedAt: null,
        retryLimit: row.retry_limit + 1,
        startAfter: now(),
      });
      if (!retried) throw new AppError('JobStateConflict', `Job ${id} is ${row.state}; only a failed or cancelled job can be retried.`);
      wakeAll();
      return foundJob(await this.get(id), id);
    },
    async work(handlers, workOptions: WorkOptions<Name>) {
      checkHandlers<Payloads>(options.names, handlers);
      const names = workOptions.queues ?? options.names;
      stopping = false;
      for (const name of names) {
        for (let slot = 0; slot < workOptions.concurrency; slot++) loops.push(workLoop(handlers, [name]));
      }
    },
    async stop() {
      stopping = true;
      for (const abort of running.values()) abort.abort('stopping' satisfies StopReason);
      wakeAll();
      await Promise.all(loops.splice(0));
    },
  };

  function workerIsGone(worker: string | null): boolean {
    if (worker === null) return true;
    const [host, pid] = worker.split(':');
    return host === hostname() && worker !== self && Number(pid) !== process.pid && !isProcessAlive(Number(pid));
  }
}

function viewOf<Name extends string>(row: JobRow, progress: string | undefined): JobView<Name> {
  const output = row.output === null ? {} : (JSON.parse(row.output) as { result?: Record<string, unknown>; error?: JobView['error'] });
  return {
    id: row.id,
    name: row.name as Name,
    data: JSON.parse(row.data) as Record<string, unknown>,
    state: row.state,
    retryCount: row.retry_count,
    retryLimit: row.retry_limit,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    startAfter: row.start_after,
    progress: progress === undefined ? null : (JSON.parse(progress) as Record<string, unknown>),
    result: output.result ?? null,
    error: output.error ?? null,
  };
}
