import { randomUUID } from 'node:crypto';
import type { StorageRetry } from '../datasources/object-store.js';
import { describeError, isAppError } from '../errors.js';
import { trackJobView } from './track-job-view.js';
import { syncDataset, type SyncDeps, type SyncProgress, type SyncReport } from '../workflows/sync-dataset.js';

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
