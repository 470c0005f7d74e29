import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/config.js';
import { AppError, isAppError } from '../errors.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../log/logger.js';
import { embedDataset, type EmbedDeps } from '../workflows/embed-dataset.js';
import { generateThumbnails } from '../workflows/make-thumbnails.js';
import { syncDataset } from '../workflows/sync-dataset.js';
import { createInProcessJobQueue } from './in-process.job-queue.js';
import type { JobContext, JobHandlers, JobQueue } from './job-queue.js';
import { createPgBossJobQueue } from './pg-boss.job-queue.js';

/** Every job Winnow runs in the background, by name, with its payload. */
export type WinnowJobs = {
  sync: { dataset: string; skipVerify?: boolean | undefined };
  thumbnails: { dataset: string; size?: number | undefined };
  embed: { dataset: string; model?: string | undefined; batchSize?: number | undefined };
};

export type WinnowJobName = keyof WinnowJobs;

export const WINNOW_JOB_NAMES: readonly WinnowJobName[] = ['sync', 'thumbnails', 'embed'];

/** What a job reports while it runs: which phase, and that phase's counters. */
export type WinnowJobProgress = { phase: 'listing' | 'probing' | 'thumbnails' | 'embedding' | 'waiting' } & Record<string, unknown>;

export type WinnowJobQueue = JobQueue<WinnowJobs>;

/**
 * The handlers: each one calls the same workflow the CLI calls in the embedded default. They are
 * idempotent (the workflows skip what the catalog already has for a key's present etag and take
 * the dataset's lease), which is what at-least-once delivery needs.
 */
export function winnowJobHandlers(deps: EmbedDeps): JobHandlers<WinnowJobs> {
  return {
    sync: (payload, job) =>
      withProgress(job, (report) =>
        syncDataset(deps, payload.dataset, {
          skipVerify: payload.skipVerify,
          signal: job.signal,
          onProgress: (progress) => report({ ...progress }),
          onThumbnailProgress: (progress) => report({ ...progress, phase: 'thumbnails' }),
        }),
      ),
    thumbnails: (payload, job) =>
      withProgress(job, (report) =>
        generateThumbnails(deps, payload.dataset, {
          size: payload.size,
          signal: job.signal,
          onProgress: (progress) => report({ ...progress, phase: 'thumbnails' }),
        }),
      ),
    embed: (payload, job) =>
      withProgress(job, (report) =>
        embedDataset(deps, payload.dataset, {
          model: payload.model,
          batchSize: payload.batchSize,
          signal: job.signal,
          onProgress: (progress) => report({ ...progress, phase: 'embedding' }),
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
async function withProgress<Result extends object>(job: JobContext, run: (report: (progress: WinnowJobProgress) => void) => Promise<Result>): Promise<Result> {
  let writes = Promise.resolve();
  const report = (progress: WinnowJobProgress) => {
    writes = writes.then(() => job.reportProgress(progress)).catch(() => undefined);
  };
  try {
    for (;;) {
      try {
        return await run(report);
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
