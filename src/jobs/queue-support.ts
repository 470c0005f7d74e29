import type { EnqueueOptions } from './job-queue.js';

/** Settings both queues share (from the config; tests shorten them). */
export interface QueueSettings {
  /** An attempt running longer is taken for a dead worker's and retried. */
  expireInSeconds: number;
  /** How often an idle worker looks for jobs (pg-boss: its polling interval). */
  pollIntervalMs: number;
  /** Progress is written at most this often (the last report of a run is always written). */
  progressIntervalMs: number;
  /** Wait before the first retry when the job does not say (default 10 s). */
  retryDelaySeconds?: number | undefined;
}

export const DEFAULT_RETRY = { retryLimit: 3, retryDelaySeconds: 10, retryBackoff: true };

export function jobDefaults(settings: QueueSettings, options: EnqueueOptions) {
  return {
    retryLimit: options.retryLimit ?? DEFAULT_RETRY.retryLimit,
    retryDelaySeconds: options.retryDelaySeconds ?? settings.retryDelaySeconds ?? DEFAULT_RETRY.retryDelaySeconds,
    retryBackoff: options.retryBackoff ?? DEFAULT_RETRY.retryBackoff,
    expireInSeconds: options.expireInSeconds ?? settings.expireInSeconds,
  };
}

/** The dataset a job's payload names, if any (every Winnow job names one). */
export function datasetOf(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const dataset = (data as { dataset?: unknown }).dataset;
  return typeof dataset === 'string' ? dataset : undefined;
}

export interface ProgressWriter {
  report(progress: object): Promise<void>;
  /** Writes the last report if the interval held it back. */
  flush(): Promise<void>;
}

/**
 * Writes a job's progress at most once per interval and, with each write, asks whether the job
 * was cancelled (by another process: this one aborts its own jobs directly). A report held back
 * by the interval is written when the interval ends even if no other report follows: a job
 * waiting out a storage backoff reports nothing for seconds, and its last report (that it is
 * retrying) must still reach the other processes.
 */
export function createProgressWriter(io: {
  write: (progress: object) => Promise<void>;
  isCancelled: () => Promise<boolean>;
  onCancelled: () => void;
  intervalMs: number;
}): ProgressWriter {
  let writtenAt = 0;
  let pending: object | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing = Promise.resolve();
  const write = (progress: object) => {
    pending = undefined;
    clearTimeout(timer);
    timer = undefined;
    writtenAt = Date.now();
    const done = writing.then(async () => {
      await io.write(progress);
      if (await io.isCancelled()) io.onCancelled();
    });
    writing = done.catch(() => undefined);
    return done;
  };
  return {
    async report(progress) {
      const copy = structuredClone(progress);
      const wait = io.intervalMs - (Date.now() - writtenAt);
      if (wait <= 0) return write(copy);
      pending = copy;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (pending !== undefined) write(pending).catch(() => undefined);
      }, wait);
    },
    async flush() {
      if (pending !== undefined) await write(pending);
      else await writing;
    },
  };
}
