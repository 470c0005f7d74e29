import cliProgress, { type Options, type Params } from 'cli-progress';
import { isInteractive } from '../config/config.js';
import type { StorageRetry } from '../datasources/object-store.js';
import type { SyncProgress } from '../workflows/sync-dataset.js';
import type { ThumbnailProgress } from '../workflows/make-thumbnails.js';
import { formatCount } from './render.js';

export interface ProgressDisplay {
  update: (progress: SyncProgress) => void;
  /** Shows that a storage call is being retried, until the next update. */
  retry: (retry: StorageRetry) => void;
  stop: () => void;
}

interface Payload {
  progress: SyncProgress | undefined;
  retrying: StorageRetry | undefined;
}

/** The end of a progress line while the storage is being retried: `retrying GetObject after 503 SlowDown (attempt 2 of 8)`. */
export function retryNote(retry: StorageRetry | undefined): string {
  if (retry === undefined) return '';
  return ` — retrying${retry.operation === undefined ? '' : ` ${retry.operation}`} after ${retry.reason} (attempt ${retry.attempt} of ${retry.maxAttempts})`;
}

/** The end of a listing line once the listing fanned out: ` · 8 shards, 3 done` (a queued job's progress is JSON: checked, not trusted). */
export function shardNote(shards: unknown): string {
  if (typeof shards !== 'object' || shards === null) return '';
  const { done, total } = shards as Record<string, unknown>;
  return typeof done === 'number' && typeof total === 'number' ? ` · ${formatCount(total)} shards, ${formatCount(done)} done` : '';
}

/** Whether progress lines are drawn: stderr is a terminal, the session is interactive, and no --json. */
export function showsProgress(quiet: boolean): boolean {
  return !quiet && isInteractive() && process.stderr.isTTY === true;
}

/** The one look of every progress bar of the CLI, on stderr; `format` draws the line. */
export function terminalBar<Payload>(format: (options: Options, params: Params, payload: Payload) => string): cliProgress.SingleBar {
  return new cliProgress.SingleBar({
    stream: process.stderr,
    format,
    hideCursor: true,
    etaBuffer: 50,
    barsize: 30,
    barCompleteChar: '█',
    barIncompleteChar: '░',
  });
}

/** A progress line on stderr when it is a terminal; silent otherwise (and with --json). */
export function createSyncProgress(quiet: boolean): ProgressDisplay {
  if (!showsProgress(quiet)) return { update: () => undefined, retry: () => undefined, stop: () => undefined };
  const bar = terminalBar(renderLine);
  let started = false;
  let last: SyncProgress | undefined;
  return {
    update(progress) {
      last = progress;
      const value = progress.phase === 'listing' ? progress.listed : progress.probed;
      const total = progress.phase === 'listing' ? 0 : progress.toProbe;
      if (!started) bar.start(total, value, { progress, retrying: undefined });
      started = true;
      bar.setTotal(total);
      bar.update(value, { progress, retrying: undefined });
    },
    retry(retrying) {
      if (!started) bar.start(0, 0, { progress: last, retrying });
      started = true;
      bar.update({ progress: last, retrying });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

// Listing has no known total (S3 does not say how many keys there are), so it shows a count, not a bar.
export function renderLine(options: Options, params: Params, payload: Payload): string {
  const { progress } = payload;
  if (progress === undefined) return `starting${retryNote(payload.retrying)}`;
  if (progress.phase === 'listing') {
    const read = progress.probed > 0 ? `, ${formatCount(progress.probed)} headers read` : '';
    return `listing  ${formatCount(progress.listed)} images (${formatCount(progress.added)} new, ${formatCount(progress.updated)} changed${read})${shardNote(progress.shards)}${retryNote(payload.retrying)}`;
  }
  const bar = cliProgress.Format.BarFormat(params.progress, options);
  const eta = Number.isFinite(params.eta) && params.eta > 0 ? `, ${cliProgress.Format.TimeFormat(params.eta, options, 1)} left` : '';
  return `headers  ${bar} ${formatCount(params.value)}/${formatCount(params.total)} (${formatCount(progress.failed)} unreadable${eta})${retryNote(payload.retrying)}`;
}

export interface ThumbnailProgressDisplay {
  update: (progress: ThumbnailProgress) => void;
  /** Shows that a storage call is being retried, until the next update. */
  retry: (retry: StorageRetry) => void;
  stop: () => void;
}

/** A bar for the thumbnail job on stderr when it is a terminal; silent otherwise (and with --json). */
export function createThumbnailProgress(quiet: boolean): ThumbnailProgressDisplay {
  if (!showsProgress(quiet)) return { update: () => undefined, retry: () => undefined, stop: () => undefined };
  const bar = terminalBar(renderThumbnailLine);
  let started = false;
  return {
    update(progress) {
      if (!started) bar.start(progress.toGenerate, progress.done, { progress, retrying: undefined });
      started = true;
      bar.update(progress.done, { progress, retrying: undefined });
    },
    retry(retrying) {
      // Before the first update there is no total to draw a bar against; the first update shows the state.
      if (started) bar.update({ retrying });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

function renderThumbnailLine(options: Options, params: Params, payload: { progress: ThumbnailProgress; retrying: StorageRetry | undefined }): string {
  const bar = cliProgress.Format.BarFormat(params.progress, options);
  const eta = Number.isFinite(params.eta) && params.eta > 0 ? `, ${cliProgress.Format.TimeFormat(params.eta, options, 1)} left` : '';
  return `thumbnails  ${bar} ${formatCount(params.value)}/${formatCount(params.total)} (${formatCount(payload.progress.failed)} failed${eta})${retryNote(payload.retrying)}`;
}
