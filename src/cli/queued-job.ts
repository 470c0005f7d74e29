import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from '../context.js';
import { AppError, ERROR_OUTCOMES, type ErrorCode } from '../errors.js';
import type { JobView } from '../jobs/job-queue.js';
import type { StorageRetry } from '../datasources/object-store.js';
import { retryStateOf, type WinnowJobName, type WinnowJobQueue, type WinnowJobs } from '../jobs/winnow-jobs.js';
import type { Output } from './render.js';

export interface QueuedRun<Result> {
  /** The embedded default: run the workflow here, as before workers existed. */
  inProcess: () => Promise<Result>;
  /** Queue the job for `winnow worker` processes and follow it (PostgreSQL only). */
  queue: boolean | undefined;
  /** Queue it and return at once (implies `queue`). */
  detach: boolean | undefined;
  onProgress: (progress: Record<string, unknown>) => void;
  /** Told when the worker says a storage call is being retried (after the progress it came with). */
  onRetry?: ((retry: StorageRetry) => void) | undefined;
  output: Output;
  /** Queues the job, or finds the one that makes queuing it moot (a sync of the dataset already queued or running). */
  enqueue?: ((queue: WinnowJobQueue) => Promise<{ id: string; existing: boolean }>) | undefined;
}

/** How long a queued job may wait before the CLI says that no worker seems to be running. */
const NO_WORKER_NOTICE_MS = 15_000;

/**
 * A long command (`dataset sync`, `thumbnails`, `embed`): by default it runs the workflow in this
 * process, as the same handler a worker runs (it takes the dataset's lease, so it never overlaps a
 * worker's job of that dataset). On PostgreSQL, `--queue` hands it to `winnow worker` processes and
 * follows its progress until it ends (Ctrl-C stops following, not the job); `--detach` returns at once.
 * Returns undefined when detached.
 */
export async function runQueued<Name extends WinnowJobName, Result>(
  context: Context,
  name: Name,
  payload: WinnowJobs[Name],
  run: QueuedRun<Result>,
): Promise<Result | undefined> {
  if (run.queue !== true && run.detach !== true) return run.inProcess();
  if (context.database.dialect !== 'postgres') {
    throw new AppError('InputInvalid', `--${run.detach ? 'detach' : 'queue'} needs a PostgreSQL catalog with \`winnow worker\` processes.`, {
      hint: 'Leave it out to run here, or set WINNOW_DATABASE_URL.',
    });
  }
  const queue = await context.jobs();
  const { id, existing } = run.enqueue ? await run.enqueue(queue) : { id: await queue.enqueue(name, payload), existing: false };
  if (existing) {
    run.output.err(`The ${name} job ${id} of "${payload.dataset}" is already queued or running; not queuing another.`);
    if (run.detach) {
      run.output.err(`Follow it with: winnow jobs show ${id}`);
      return undefined;
    }
  } else if (run.detach) {
    run.output.err(`Queued ${name} job ${id}. Follow it with: winnow jobs show ${id}`);
    return undefined;
  }
  if (!existing) run.output.err(`Queued ${name} job ${id}; following it (Ctrl-C stops following, not the job).`);
  const queuedAt = Date.now();
  let noticed = false;
  let lastProgress = '';
  for (;;) {
    const job = await queue.get(id);
    if (job === undefined) throw new AppError('JobNotFound', `Job ${id} vanished from the queue.`);
    if (job.progress !== null && JSON.stringify(job.progress) !== lastProgress) {
      lastProgress = JSON.stringify(job.progress);
      // A retry before the first progress report comes with no counters to show.
      if (job.progress.phase !== 'starting') run.onProgress(job.progress);
      const { retrying } = retryStateOf(job.progress);
      if (retrying !== null) run.onRetry?.(retrying);
    }
    if (job.state === 'completed') return job.result as Result;
    if (job.state === 'failed' || job.state === 'cancelled') throw jobFailure(job);
    if (!noticed && job.startedAt === null && Date.now() - queuedAt > NO_WORKER_NOTICE_MS) {
      noticed = true;
      run.output.err('No worker has taken the job yet. Start one with `winnow worker` against the same WINNOW_DATABASE_URL.');
    }
    await sleep(Math.max(200, context.config.jobPollMs));
  }
}

/** The job's own error, as this CLI's exit status and message would be had it run here. */
export function jobFailure(job: JobView): AppError {
  if (job.state === 'cancelled')
    return new AppError('SyncCancelled', `The ${job.name} job ${job.id} was cancelled.`, { hint: `Run it again with: winnow jobs retry ${job.id}` });
  const error = job.error ?? { code: 'InternalError', message: 'The job failed without saying why.', hint: null };
  const code: ErrorCode = error.code in ERROR_OUTCOMES ? (error.code as ErrorCode) : 'DatasourceError';
  return new AppError(code, `The ${job.name} job ${job.id} failed: ${error.message}`, {
    hint: error.hint ?? `See it with: winnow jobs show ${job.id}; run it again with: winnow jobs retry ${job.id}`,
  });
}
