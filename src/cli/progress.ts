import cliProgress, { type Options, type Params } from 'cli-progress';
import { isInteractive } from '../config/config.js';
import type { SyncProgress } from '../workflows/sync-dataset.js';
import type { ThumbnailProgress } from '../workflows/make-thumbnails.js';
import { formatCount } from './render.js';

export interface ProgressDisplay {
  update: (progress: SyncProgress) => void;
  stop: () => void;
}

interface Payload {
  progress: SyncProgress;
}

/** A progress line on stderr when it is a terminal; silent otherwise (and with --json). */
export function createSyncProgress(quiet: boolean): ProgressDisplay {
  if (quiet || !isInteractive() || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: renderLine,
    hideCursor: true,
    etaBuffer: 50,
    barsize: 30,
    barCompleteChar: '█',
    barIncompleteChar: '░',
  });
  let started = false;
  return {
    update(progress) {
      const value = progress.phase === 'listing' ? progress.listed : progress.probed;
      const total = progress.phase === 'listing' ? 0 : progress.toProbe;
      if (!started) bar.start(total, value, { progress });
      started = true;
      bar.setTotal(total);
      bar.update(value, { progress });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

// Listing has no known total (S3 does not say how many keys there are), so it shows a count, not a bar.
function renderLine(options: Options, params: Params, payload: Payload): string {
  const { progress } = payload;
  if (progress.phase === 'listing') {
    return `listing  ${formatCount(progress.listed)} images (${formatCount(progress.added)} new, ${formatCount(progress.updated)} changed)`;
  }
  const bar = cliProgress.Format.BarFormat(params.progress, options);
  const eta = Number.isFinite(params.eta) && params.eta > 0 ? `, ${cliProgress.Format.TimeFormat(params.eta, options, 1)} left` : '';
  return `headers  ${bar} ${formatCount(params.value)}/${formatCount(params.total)} (${formatCount(progress.failed)} unreadable${eta})`;
}

export interface ThumbnailProgressDisplay {
  update: (progress: ThumbnailProgress) => void;
  stop: () => void;
}

/** A bar for the thumbnail job on stderr when it is a terminal; silent otherwise (and with --json). */
export function createThumbnailProgress(quiet: boolean): ThumbnailProgressDisplay {
  if (quiet || !isInteractive() || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: renderThumbnailLine,
    hideCursor: true,
    etaBuffer: 50,
    barsize: 30,
    barCompleteChar: '█',
    barIncompleteChar: '░',
  });
  let started = false;
  return {
    update(progress) {
      if (!started) bar.start(progress.toGenerate, progress.done, { progress });
      started = true;
      bar.update(progress.done, { progress });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

function renderThumbnailLine(options: Options, params: Params, payload: { progress: ThumbnailProgress }): string {
  const bar = cliProgress.Format.BarFormat(params.progress, options);
  const eta = Number.isFinite(params.eta) && params.eta > 0 ? `, ${cliProgress.Format.TimeFormat(params.eta, options, 1)} left` : '';
  return `thumbnails  ${bar} ${formatCount(params.value)}/${formatCount(params.total)} (${formatCount(payload.progress.failed)} failed${eta})`;
}
