import type { EmbedProgress, EmbedReport } from '../workflows/embed-dataset.js';
import type { SyncProgress, SyncReport } from '../workflows/sync-dataset.js';
import type { EmbedJobs, EmbedJobView } from './embed-jobs.js';
import { FINISHED_STATES, type JobView } from './job-queue.js';
import { enqueueSyncOnce, type SyncJobs, type SyncJobView } from './sync-jobs.js';
import type { Database } from '../db/database.js';
import { retryStateOf, type WinnowJobName, type WinnowJobQueue } from './winnow-jobs.js';

const UNFINISHED = ['created', 'retry', 'active'] as const;

/** `winnow serve`'s sync routes on the job queue: the sync runs on whichever worker takes it. */
/** With the catalog (`database`), two requests at the same moment on PostgreSQL still queue one sync. */
export function createQueuedSyncJobs(queue: WinnowJobQueue, database?: Database): SyncJobs {
  const jobs = datasetJobs(queue, 'sync');
  return {
    start: async (dataset, options = {}) =>
      syncView(await jobs.start(dataset, async () => (await enqueueSyncOnce(database, queue, { dataset, skipVerify: options.skipVerify })).id)),
    latest: async (dataset) => mapped(await jobs.latest(dataset), syncView),
    cancel: async (dataset) => mapped(await jobs.cancel(dataset), syncView),
    settled: jobs.settled,
  };
}

/** The same for `embed`. */
export function createQueuedEmbedJobs(queue: WinnowJobQueue): EmbedJobs {
  const jobs = datasetJobs(queue, 'embed');
  return {
    start: async (dataset, options = {}) =>
      embedView(await jobs.start(dataset, () => queue.enqueue('embed', { dataset, model: options.model, batchSize: options.batchSize }))),
    latest: async (dataset) => mapped(await jobs.latest(dataset), embedView),
    cancel: async (dataset) => mapped(await jobs.cancel(dataset), embedView),
    settled: jobs.settled,
  };
}

/** A dataset's jobs of one name: at most one unfinished at a time, the newest first. */
function datasetJobs(queue: WinnowJobQueue, name: WinnowJobName) {
  const latest = async (dataset: string) => (await queue.list({ names: [name], dataset, limit: 1 }))[0];
  const unfinished = async (dataset: string) => (await queue.list({ names: [name], dataset, states: UNFINISHED, limit: 1 }))[0];
  return {
    latest,
    async start(dataset: string, enqueue: () => Promise<string>): Promise<JobView> {
      const running = await unfinished(dataset);
      if (running !== undefined) return running;
      const id = await enqueue();
      return (await queue.get(id))!;
    },
    async cancel(dataset: string): Promise<JobView | undefined> {
      const running = await unfinished(dataset);
      return running === undefined ? latest(dataset) : queue.cancel(running.id);
    },
    async settled(dataset: string): Promise<void> {
      for (;;) {
        const job = await latest(dataset);
        if (job === undefined || FINISHED_STATES.includes(job.state)) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

const mapped = <View>(job: JobView | undefined, view: (job: JobView) => View) => (job === undefined ? undefined : view(job));

function status(job: JobView): SyncJobView['status'] {
  return job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled' ? job.state : 'running';
}

/** The phase's counters alone: the worker's retry state and the phase name are fields of their own in the views. */
function countersOf(job: JobView): Record<string, unknown> | null {
  if (job.progress === null) return null;
  const { phase: _phase, retrying: _retrying, storageRetries: _storageRetries, ...counters } = job.progress;
  return counters;
}

function syncView(job: JobView): SyncJobView {
  const phase = job.progress?.phase;
  const { retrying, storageRetries } = retryStateOf(job.progress);
  return {
    id: job.id,
    dataset: String(job.data.dataset),
    status: status(job),
    startedAt: job.startedAt ?? job.createdAt,
    finishedAt: job.finishedAt,
    // The thumbnail phase has counters of its own, which this view does not carry.
    progress: phase === 'listing' || phase === 'probing' ? ({ ...countersOf(job), phase } as unknown as SyncProgress) : null,
    report: job.result as unknown as SyncReport | null,
    error: job.error,
    // Storage retries happen inside the worker's process, which writes them into the job's progress.
    retrying: FINISHED_STATES.includes(job.state) ? null : retrying,
    retries: storageRetries,
  };
}

function embedView(job: JobView): EmbedJobView {
  const progress = countersOf(job);
  const { retrying, storageRetries } = retryStateOf(job.progress);
  return {
    id: job.id,
    dataset: String(job.data.dataset),
    model: typeof job.data.model === 'string' ? job.data.model : 'default',
    status: status(job),
    startedAt: job.startedAt ?? job.createdAt,
    finishedAt: job.finishedAt,
    progress: progress as unknown as EmbedProgress | null,
    report: job.result as unknown as EmbedReport | null,
    error: job.error,
    // Storage retries happen inside the worker's process, which writes them into the job's progress.
    retrying: FINISHED_STATES.includes(job.state) ? null : retrying,
    retries: storageRetries,
  };
}
