import { randomUUID } from 'node:crypto';
import type { StorageRetry } from '../datasources/object-store.js';
import { describeError, isAppError } from '../errors.js';
import { trackJobView } from './track-job-view.js';
import { embedDataset, type EmbedDeps, type EmbedProgress, type EmbedReport } from '../workflows/embed-dataset.js';

export type EmbedJobStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface EmbedJobView {
  id: string;
  dataset: string;
  model: string;
  status: EmbedJobStatus;
  startedAt: string;
  finishedAt: string | null;
  progress: EmbedProgress | null;
  /** The storage call being retried right now (throttling, 5xx, a broken connection); null once the job moves on. */
  retrying: StorageRetry | null;
  /** Storage calls retried so far in this job. */
  retries: number;
  report: EmbedReport | null;
  error: { code: string; message: string; hint: string | null } | null;
}

/** Runs `winnow embed` in the background of this process (the embedded default's queue), one per dataset at a time. */
export interface EmbedJobs {
  start(dataset: string, options?: { model?: string | undefined; batchSize?: number | undefined }): Promise<EmbedJobView>;
  latest(dataset: string): Promise<EmbedJobView | undefined>;
  cancel(dataset: string): Promise<EmbedJobView | undefined>;
  /** Resolves when the dataset's current job has ended (tests, shutdown). */
  settled(dataset: string): Promise<void>;
}

export function createEmbedJobs(deps: EmbedDeps): EmbedJobs {
  const jobs = new Map<string, { view: EmbedJobView; abort: AbortController; done: Promise<void> }>();
  return {
    async start(dataset, options = {}) {
      const current = jobs.get(dataset);
      if (current?.view.status === 'running') return current.view;
      const abort = new AbortController();
      const view: EmbedJobView = {
        id: randomUUID(),
        dataset,
        model: options.model ?? 'default',
        status: 'running',
        startedAt: deps.clock().toISOString(),
        finishedAt: null,
        progress: null,
        retrying: null,
        retries: 0,
        report: null,
        error: null,
      };
      const done = embedDataset(deps, dataset, {
        model: options.model,
        batchSize: options.batchSize,
        signal: abort.signal,
        ...trackJobView(view),
      })
        .then(
          (report) => {
            view.status = 'completed';
            view.report = report;
          },
          (error: unknown) => {
            view.status = isAppError(error, 'SyncCancelled') ? 'cancelled' : 'failed';
            view.error = isAppError(error)
              ? { code: error.code, message: error.message, hint: error.hint ?? null }
              : { code: 'InternalError', message: describeError(error), hint: null };
            if (view.status === 'failed') deps.log.error({ dataset, err: describeError(error) }, 'background embedding failed');
          },
        )
        .finally(() => (view.finishedAt = deps.clock().toISOString()));
      jobs.set(dataset, { view, abort, done });
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
