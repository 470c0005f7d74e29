import type { Job, StorageRetry } from './api.js';

/** What a job's progress says, in the words and numbers the jobs view shows. */
export interface JobProgressView {
  /** `Listing: 1,200 keys`, `Listing: 1,200 keys, 800 headers read`, `Embedding: 40 of 120`. */
  text: string;
  /** Done and total, when the phase has a total (a bar is drawn). */
  done: number | undefined;
  total: number | undefined;
  /** The storage call being retried right now, while the job is unfinished. */
  retrying: StorageRetry | null;
  /** Storage calls retried in the running (or last) attempt. */
  storageRetries: number;
}

const PHASES: Record<string, { label: string; done: string; total: string | undefined }> = {
  listing: { label: 'Listing', done: 'listed', total: undefined },
  probing: { label: 'Reading image headers', done: 'probed', total: 'toProbe' },
  thumbnails: { label: 'Thumbnails', done: 'done', total: 'toGenerate' },
  embedding: { label: 'Embedding', done: 'done', total: 'toEmbed' },
};

const count = new Intl.NumberFormat('en-US');

export function isUnfinished(job: Job): boolean {
  return job.state === 'created' || job.state === 'retry' || job.state === 'active';
}

/** Reads the progress a worker wrote: the phase's counters, and its storage retry state beside them. */
export function jobProgressView(job: Job): JobProgressView {
  const progress = job.progress ?? {};
  const number = (key: string | undefined) => (key !== undefined && typeof progress[key] === 'number' ? (progress[key] as number) : undefined);
  const retrying = isUnfinished(job) && typeof progress.retrying === 'object' && progress.retrying !== null ? (progress.retrying as StorageRetry) : null;
  const storageRetries = number('storageRetries') ?? 0;
  const phase = typeof progress.phase === 'string' ? progress.phase : undefined;
  const known = phase === undefined ? undefined : PHASES[phase];
  if (known === undefined) {
    const text = phase === 'waiting' ? `Waiting: ${String(progress.reason ?? 'the dataset is busy')}` : phase === 'starting' ? 'Starting' : '';
    return { text, done: undefined, total: undefined, retrying, storageRetries };
  }
  const done = number(known.done) ?? 0;
  const total = number(known.total);
  // A fanned-out sync's shards read headers while they list.
  const read = phase === 'listing' && (number('probed') ?? 0) > 0 ? `, ${count.format(number('probed')!)} headers read` : '';
  const text = total === undefined ? `${known.label}: ${count.format(done)} keys${read}` : `${known.label}: ${count.format(done)} of ${count.format(total)}`;
  return { text: `${text}${shardNote(progress.shards)}`, done, total, retrying, storageRetries };
}

/** ` · 8 shards, 3 done` once a sync's listing fanned out (progress is the worker's JSON: checked, not trusted). */
function shardNote(shards: unknown): string {
  if (typeof shards !== 'object' || shards === null) return '';
  const { done, total } = shards as Record<string, unknown>;
  return typeof done === 'number' && typeof total === 'number' ? ` · ${count.format(total)} shards, ${count.format(done)} done` : '';
}

/** `GetObject after 503 SlowDown, attempt 3 of 10 (waited 1.2 s)`. */
export function describeRetry(retry: StorageRetry): string {
  const waited = retry.delayMs === undefined ? '' : ` (waited ${(retry.delayMs / 1000).toFixed(1)} s)`;
  return `${retry.operation ?? 'A storage call'} after ${retry.reason}, attempt ${retry.attempt} of ${retry.maxAttempts}${waited}`;
}
