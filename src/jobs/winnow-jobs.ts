import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/config.js';
import { AppError, isAppError } from '../errors.js';
import type { Database } from '../db/database.js';
import type { StorageRetry } from '../datasources/object-store.js';
import type { Logger } from '../log/logger.js';
import { embedDataset, embedDatasetInBatches, embedSampleRange, type EmbedBatchResult, type EmbedDeps } from '../workflows/embed-dataset.js';
import { createEmbedSessions } from '../workflows/embed-sessions.js';
import { generateThumbnails, generateThumbnailsInBatches, thumbnailSampleRange, type ThumbnailBatchResult } from '../workflows/make-thumbnails.js';
import { queueSampleBatches } from './sample-batch-jobs.js';
import { runSyncShard, syncDataset } from '../workflows/sync-dataset.js';
import { queuedShardRunner } from './sync-jobs.js';
import { createInProcessJobQueue } from './in-process.job-queue.js';
import { FINISHED_STATES, type JobContext, type JobHandlers, type JobQueue } from './job-queue.js';
import type { SampleIdRange } from '../catalog/sample-ranges.repository.js';
import type { SampleBatchOutcome } from '../workflows/sample-batches.js';
import { createPgBossJobQueue } from './pg-boss.job-queue.js';

/** Every job Winnow runs in the background, by name, with its payload. */
export type WinnowJobs = {
  sync: { dataset: string; skipVerify?: boolean | undefined };
  /** One key range of a fanned-out sync: listed, and its samples' headers read (src/workflows/sync-headers.ts). */
  'sync-shard': { dataset: string; generation: number; shard: number };
  thumbnails: { dataset: string; size?: number | undefined };
  embed: { dataset: string; model?: string | undefined; batchSize?: number | undefined };
  /** A range of sample ids of a `thumbnails` job run on pg-boss; `parent` is that job's id. */
  'thumbnails-batch': { dataset: string; size: number; fromId: number; throughId: number; parent: string };
  /** A range of sample ids of an `embed` job run on pg-boss. */
  'embed-batch': { dataset: string; model?: string | undefined; batchSize?: number | undefined; fromId: number; throughId: number; parent: string };
};

export type WinnowJobName = keyof WinnowJobs;

export const WINNOW_JOB_NAMES: readonly WinnowJobName[] = ['sync', 'thumbnails', 'embed', 'sync-shard', 'thumbnails-batch', 'embed-batch'];

/** What a job reports while it runs: which phase, and that phase's counters. */
export type WinnowJobProgress = { phase: 'starting' | 'listing' | 'probing' | 'thumbnails' | 'embedding' | 'waiting' } & Record<string, unknown>;

/**
 * Written into every progress report by the worker, beside the phase's counters: storage retries happen
 * in the worker's process, and this is how other processes (the API, `winnow jobs show`, a CLI
 * following a queued job) see them.
 */
export interface JobRetryState {
  /** The storage call being retried right now; null once the job moved on (its next progress report). */
  retrying: StorageRetry | null;
  /** Storage calls retried so far in this attempt. */
  storageRetries: number;
}

/** The retry state a worker wrote into a job's progress (none from workers older than it: no retries known). */
export function retryStateOf(progress: Record<string, unknown> | null): JobRetryState {
  const retrying = progress?.retrying;
  const storageRetries = progress?.storageRetries;
  return {
    retrying: retrying !== null && typeof retrying === 'object' ? (retrying as StorageRetry) : null,
    storageRetries: typeof storageRetries === 'number' ? storageRetries : 0,
  };
}

export type WinnowJobQueue = JobQueue<WinnowJobs>;

/**
 * The handlers: each one calls the same workflow the CLI calls in the embedded default. They are
 * idempotent (the workflows skip what the catalog already has for a key's present etag and take
 * the dataset's lease), which is what at-least-once delivery needs. On pg-boss, `thumbnails` and
 * `embed` split into batch jobs that several workers run at once (see sample-batch-jobs.ts).
 */
export function winnowJobHandlers(deps: EmbedDeps, queue?: WinnowJobQueue): JobHandlers<WinnowJobs> {
  const single = singleJobHandlers(deps, queue);
  if (queue?.kind !== 'pg-boss') return { ...single, ...batchJobHandlers(deps) };
  const batches = (job: JobContext, name: 'thumbnails-batch' | 'embed-batch', payload: (range: SampleIdRange) => WinnowJobs[typeof name]) =>
    queueSampleBatches<WinnowJobs, never>({ queue, parent: job, name, payload, pollMs: Math.max(deps.config.jobPollMs, 500) });
  return {
    ...single,
    ...batchJobHandlers(deps, queue),
    thumbnails: (payload, job) =>
      withProgress(job, (report, onRetry) =>
        generateThumbnailsInBatches(deps, payload.dataset, {
          size: payload.size,
          batchSamples: deps.config.jobBatchSamples,
          runBatches: (plan) =>
            batches(job, 'thumbnails-batch', (range) => ({ dataset: payload.dataset, size: plan.settings.size!, ...range, parent: job.id }))(plan) as Promise<
              SampleBatchOutcome<ThumbnailBatchResult>
            >,
          signal: job.signal,
          onProgress: (progress) => report({ ...progress, phase: 'thumbnails' }),
          onRetry,
        }),
      ),
    embed: (payload, job) =>
      withProgress(job, (report, onRetry) =>
        embedDatasetInBatches(deps, payload.dataset, {
          model: payload.model,
          batchSize: payload.batchSize,
          batchSamples: deps.config.jobBatchSamples,
          runBatches: (plan) =>
            batches(job, 'embed-batch', (range) => ({
              dataset: payload.dataset,
              model: payload.model,
              batchSize: payload.batchSize,
              ...range,
              parent: job.id,
            }))(plan) as Promise<SampleBatchOutcome<EmbedBatchResult>>,
          signal: job.signal,
          onProgress: (progress) => report({ ...progress, phase: 'embedding' }),
          onRetry,
        }),
      ),
  };
}

/** The batch jobs of a run split on pg-boss; one whose parent job has ended (cancelled, failed) does nothing. */
function batchJobHandlers(deps: EmbedDeps, queue?: WinnowJobQueue): Pick<JobHandlers<WinnowJobs>, 'thumbnails-batch' | 'embed-batch'> {
  const sessions = createEmbedSessions(deps);
  const parentEnded = async (parent: string) => {
    const state = (await queue?.get(parent))?.state;
    return state === undefined || FINISHED_STATES.includes(state);
  };
  return {
    'thumbnails-batch': async (payload, job) =>
      (await parentEnded(payload.parent))
        ? {}
        : withProgress(job, (report, onRetry) =>
            thumbnailSampleRange(deps, payload.dataset, {
              size: payload.size,
              range: payload,
              signal: job.signal,
              onProgress: (progress) => report({ ...progress, phase: 'thumbnails' }),
              onRetry,
            }),
          ),
    'embed-batch': async (payload, job) =>
      (await parentEnded(payload.parent))
        ? {}
        : withProgress(job, (report, onRetry) =>
            embedSampleRange(deps, payload.dataset, {
              model: payload.model,
              batchSize: payload.batchSize,
              range: payload,
              sessions,
              signal: job.signal,
              onProgress: (progress) => report({ ...progress, phase: 'embedding' }),
              onRetry,
            }),
          ),
  };
}

function singleJobHandlers(deps: EmbedDeps, queue?: WinnowJobQueue): Pick<JobHandlers<WinnowJobs>, 'sync' | 'sync-shard' | 'thumbnails' | 'embed'> {
  return {
    sync: (payload, job) =>
      withProgress(job, (report, onRetry) =>
        syncDataset(deps, payload.dataset, {
          skipVerify: payload.skipVerify,
          signal: job.signal,
          // On pg-boss a big sync's shards are jobs that workers on every machine share; in-process they are listed here.
          runShards: queue?.kind === 'pg-boss' ? queuedShardRunner(deps, queue, deps.config.jobPollMs, job.signal) : undefined,
          onProgress: (progress) => report({ ...progress }),
          onThumbnailProgress: (progress) => report({ ...progress, phase: 'thumbnails' }),
          onRetry,
        }),
      ),
    'sync-shard': (payload, job) =>
      withProgress(job, (report, onRetry) => runSyncShard(deps, payload, { signal: job.signal, onProgress: (progress) => report({ ...progress }), onRetry })),
    thumbnails: (payload, job) =>
      withProgress(job, (report, onRetry) =>
        generateThumbnails(deps, payload.dataset, {
          size: payload.size,
          signal: job.signal,
          onProgress: (progress) => report({ ...progress, phase: 'thumbnails' }),
          onRetry,
        }),
      ),
    embed: (payload, job) =>
      withProgress(job, (report, onRetry) =>
        embedDataset(deps, payload.dataset, {
          model: payload.model,
          batchSize: payload.batchSize,
          signal: job.signal,
          onProgress: (progress) => report({ ...progress, phase: 'embedding' }),
          onRetry,
        }),
      ),
  };
}

/** How often a job waiting for its dataset's lease looks again. */
const BUSY_RETRY_MS = 2_000;

/**
 * Workflows report progress synchronously; the writes go out in order behind them and are all done
 * before the job ends. A job whose dataset is busy with another long job (a sync, while an
 * embedding run is queued) waits for it here, reporting that it waits, rather than spending its retries.
 */
async function withProgress<Result extends object>(
  job: JobContext,
  run: (report: (progress: WinnowJobProgress) => void, onRetry: (retry: StorageRetry) => void) => Promise<Result>,
): Promise<Result> {
  let writes = Promise.resolve();
  let last: WinnowJobProgress | undefined;
  let storageRetries = 0;
  const write = (progress: WinnowJobProgress & JobRetryState) => {
    writes = writes.then(() => job.reportProgress(progress)).catch(() => undefined);
  };
  const report = (progress: WinnowJobProgress) => {
    last = progress;
    write({ ...progress, retrying: null, storageRetries });
  };
  const onRetry = (retry: StorageRetry) => {
    storageRetries++;
    write({ ...(last ?? { phase: 'starting' }), retrying: retry, storageRetries });
  };
  try {
    for (;;) {
      try {
        return await run(report, onRetry);
      } catch (error) {
        if (!isAppError(error, 'DatasetBusy') || job.signal.aborted) throw error;
        report({ phase: 'waiting', reason: error.message });
        await sleep(BUSY_RETRY_MS, undefined, { signal: job.signal }).catch(() => undefined);
        if (job.signal.aborted) throw new AppError('SyncCancelled', `The job was stopped while waiting: ${error.message}`);
      }
    }
  } finally {
    await writes;
  }
}

/** The queue for this catalog: pg-boss in its own schema when the catalog is PostgreSQL, else the embedded default's. */
export async function openJobQueue(deps: { config: Config; database: Database; log: Logger; clock: () => Date }): Promise<WinnowJobQueue> {
  const { config } = deps;
  const settings = {
    expireInSeconds: config.jobExpireSeconds,
    pollIntervalMs: config.jobPollMs,
    progressIntervalMs: config.jobProgressMs,
    retryDelaySeconds: config.jobRetryDelaySeconds,
  };
  if (deps.database.dialect === 'postgres' && config.databaseUrl !== undefined) {
    return createPgBossJobQueue<WinnowJobs>({
      url: config.databaseUrl,
      database: deps.database,
      names: WINNOW_JOB_NAMES,
      log: deps.log,
      clock: deps.clock,
      maintenanceIntervalSeconds: config.jobMaintenanceSeconds,
      ...settings,
    });
  }
  return createInProcessJobQueue<WinnowJobs>({ database: deps.database, names: WINNOW_JOB_NAMES, log: deps.log, clock: deps.clock, ...settings });
}
