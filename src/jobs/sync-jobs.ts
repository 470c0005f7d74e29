import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../db/database.js';
import { listSyncShards, lockSyncQueuing } from '../catalog/sync-state.repository.js';
import type { StorageRetry } from '../datasources/object-store.js';
import { AppError, describeError, ERROR_OUTCOMES, isAppError, type ErrorCode } from '../errors.js';
import { trackJobView } from './track-job-view.js';
import { syncDataset, type ShardRunner, type SyncDeps, type SyncProgress, type SyncReport } from '../workflows/sync-dataset.js';
import type { JobFilter, JobView } from './job-queue.js';

/** What syncs need of the queue (src/jobs/winnow-jobs.ts's, which runs them): their own jobs. */
export interface SyncJobQueue {
  enqueue(name: 'sync', data: { dataset: string; skipVerify?: boolean | undefined }): Promise<string>;
  enqueue(name: 'sync-shard', data: { dataset: string; generation: number; shard: number }): Promise<string>;
  get(id: string): Promise<JobView | undefined>;
  list(filter: JobFilter<'sync' | 'sync-shard'>): Promise<JobView[]>;
  cancel(id: string): Promise<unknown>;
}

export type SyncJobStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface SyncJobView {
  id: string;
  dataset: string;
  status: SyncJobStatus;
  startedAt: string;
  finishedAt: string | null;
  progress: SyncProgress | null;
  /** The storage call being retried right now (throttling, 5xx, a broken connection); null once the job moves on. */
  retrying: StorageRetry | null;
  /** Storage calls retried so far in this job. */
  retries: number;
  report: SyncReport | null;
  error: { code: string; message: string; hint: string | null } | null;
}

/** Runs syncs in the background of this process (the embedded default's queue), one per dataset at a time. */
export interface SyncJobs {
  start(dataset: string, options?: { skipVerify?: boolean }): Promise<SyncJobView>;
  /** The running or most recent job of a dataset. */
  latest(dataset: string): Promise<SyncJobView | undefined>;
  cancel(dataset: string): Promise<SyncJobView | undefined>;
  /** Resolves when the dataset's current job has ended (tests, shutdown). */
  settled(dataset: string): Promise<void>;
}

interface Job {
  view: SyncJobView;
  abort: AbortController;
  done: Promise<void>;
}

export function createSyncJobs(deps: SyncDeps): SyncJobs {
  const jobs = new Map<string, Job>();
  return {
    async start(dataset, options = {}) {
      const current = jobs.get(dataset);
      if (current?.view.status === 'running') return current.view;
      const abort = new AbortController();
      const view: SyncJobView = {
        id: randomUUID(),
        dataset,
        status: 'running',
        startedAt: deps.clock().toISOString(),
        finishedAt: null,
        progress: null,
        retrying: null,
        retries: 0,
        report: null,
        error: null,
      };
      const done = syncDataset(deps, dataset, {
        skipVerify: options.skipVerify,
        signal: abort.signal,
        ...trackJobView(view),
      }).then(
        (report) => {
          view.status = 'completed';
          view.report = report;
        },
        (error: unknown) => {
          view.status = isAppError(error, 'SyncCancelled') ? 'cancelled' : 'failed';
          view.error = isAppError(error)
            ? { code: error.code, message: error.message, hint: error.webHint ?? error.hint ?? null }
            : { code: 'InternalError', message: describeError(error), hint: null };
          if (view.status === 'failed') deps.log.error({ dataset, err: describeError(error) }, 'background sync failed');
        },
      );
      const finished = done.finally(() => (view.finishedAt = deps.clock().toISOString()));
      jobs.set(dataset, { view, abort, done: finished });
      return view;
    },
    latest: async (dataset) => jobs.get(dataset)?.view,
    async cancel(dataset) {
      const job = jobs.get(dataset);
      if (job?.view.status === 'running') job.abort.abort();
      return job?.view;
    },
    settled: async (dataset) => {
      await jobs.get(dataset)?.done;
    },
  };
}

const UNFINISHED: readonly string[] = ['created', 'retry', 'active'];

/**
 * Runs a fanned-out sync's shards as `sync-shard` jobs, so workers on every machine share their listing and
 * header reads: enqueues one per unfinished shard (a resumed parent adopts the jobs its earlier attempt left
 * queued or running), then follows the shards' committed counters until all are done. A shard job that
 * failed for good fails the sync with that shard's error; a cancelled sync cancels its shard jobs.
 */
export function queuedShardRunner(deps: SyncDeps, queue: SyncJobQueue, pollMs: number, signal?: AbortSignal): ShardRunner {
  return async (run) => {
    const db = deps.database.db;
    const jobs = new Map<number, string>();
    for (const job of await queue.list({ names: ['sync-shard'], dataset: run.dataset, states: ['created', 'retry', 'active'], limit: 10_000 })) {
      if (job.data.generation === run.generation) jobs.set(Number(job.data.shard), job.id);
    }
    for (const shard of run.shards) {
      if (shard.status !== 'done' && !jobs.has(shard.index)) {
        jobs.set(shard.index, await queue.enqueue('sync-shard', { dataset: run.dataset, generation: run.generation, shard: shard.index }));
      }
    }
    const sum = (shards: typeof run.shards, field: 'listed' | 'added' | 'updated' | 'probed' | 'failed') =>
      shards.reduce((total, shard) => total + shard[field], 0);
    const base = {
      listed: run.progress.listed - sum(run.shards, 'listed'),
      added: run.progress.added - sum(run.shards, 'added'),
      updated: run.progress.updated - sum(run.shards, 'updated'),
    };
    // Header counts move by what the shards added since the last look: this process adds its own reads meanwhile.
    let shardsRead = { probed: sum(run.shards, 'probed'), failed: sum(run.shards, 'failed') };
    try {
      for (;;) {
        const shards = await listSyncShards(db, run.datasetId, run.generation);
        const done = shards.filter((shard) => shard.status === 'done').length;
        const read = { probed: sum(shards, 'probed'), failed: sum(shards, 'failed') };
        Object.assign(run.progress, {
          listed: base.listed + sum(shards, 'listed'),
          added: base.added + sum(shards, 'added'),
          updated: base.updated + sum(shards, 'updated'),
          probed: run.progress.probed + read.probed - shardsRead.probed,
          failed: run.progress.failed + read.failed - shardsRead.failed,
          shards: { done, total: shards.length },
        });
        shardsRead = read;
        await run.onCommitted();
        if (done === shards.length) return;
        for (const shard of shards) {
          const id = jobs.get(shard.index);
          if (shard.status === 'done' || id === undefined) continue;
          const job = await queue.get(id);
          if (job?.state === 'failed') throw shardFailure(job, run.dataset);
          if (job?.state === 'cancelled') throw new AppError('SyncCancelled', `Shard ${shard.index} of the sync of "${run.dataset}" was cancelled.`);
          // Ended without finishing its range (its generation looked superseded for a moment): queued again.
          if (job === undefined || job.state === 'completed')
            jobs.set(shard.index, await queue.enqueue('sync-shard', { dataset: run.dataset, generation: run.generation, shard: shard.index }));
        }
        await sleep(pollMs, undefined, { signal }).catch(() => undefined);
      }
    } catch (error) {
      for (const id of jobs.values()) {
        const job = await queue.get(id).catch(() => undefined);
        if (job !== undefined && UNFINISHED.includes(job.state)) await queue.cancel(id).catch(() => undefined);
      }
      throw error;
    }
  };
}

/** A shard's failure as the sync's own: same code (so a permanent one is not retried), the shard named. */
function shardFailure(job: JobView, dataset: string): AppError {
  const error = job.error ?? { code: 'InternalError', message: 'The shard failed without saying why.', hint: null };
  const code: ErrorCode = error.code in ERROR_OUTCOMES ? (error.code as ErrorCode) : 'DatasourceError';
  return new AppError(code, `Shard ${String(job.data.shard)} of the sync of "${dataset}" failed: ${error.message}`, { hint: error.hint ?? undefined });
}

/** The job a sync request ended up with: a new one, or the dataset's sync already queued or running. */
export interface QueuedSync {
  id: string;
  /** True when an unfinished sync of the dataset was there first, and no other was queued. */
  existing: boolean;
}

/**
 * Queues a sync unless the dataset has one queued or running, which it returns instead: two syncs of a
 * dataset never wait side by side, whichever machine asked. On PostgreSQL the look and the send hold a
 * transaction-scoped advisory lock of the dataset, so two requests at the same moment cannot both send;
 * the embedded default has one process per catalog, whose requests take turns here.
 */
export async function enqueueSyncOnce(
  database: Database | undefined,
  queue: SyncJobQueue,
  payload: { dataset: string; skipVerify?: boolean | undefined },
): Promise<QueuedSync> {
  const lookAndSend = async (): Promise<QueuedSync> => {
    const [unfinished] = await queue.list({ names: ['sync'], dataset: payload.dataset, states: ['created', 'retry', 'active'], limit: 1 });
    if (unfinished !== undefined) return { id: unfinished.id, existing: true };
    return { id: await queue.enqueue('sync', payload), existing: false };
  };
  if (database?.dialect !== 'postgres') return serialized(payload.dataset, lookAndSend);
  return database.db.transaction().execute(async (trx) => {
    await lockSyncQueuing(trx, payload.dataset);
    return lookAndSend();
  });
}

const turns = new Map<string, Promise<unknown>>();

/** Runs `task` after every earlier task of `key` in this process has ended. */
async function serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = turns.get(key) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(task);
  turns.set(key, mine);
  try {
    return await mine;
  } finally {
    if (turns.get(key) === mine) turns.delete(key);
  }
}
