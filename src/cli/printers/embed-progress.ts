import cliProgress, { type Options, type Params } from 'cli-progress';
import type { StorageRetry } from '../../datasources/object-store.js';
import type { EmbedProgress } from '../../workflows/embed-dataset.js';
import { retryNote, showsProgress, terminalBar } from '../progress.js';
import { formatCount } from '../render.js';

export interface EmbedProgressDisplay {
  update: (progress: EmbedProgress) => void;
  /** Shows that a storage call is being retried, until the next update. */
  retry: (retry: StorageRetry) => void;
  stop: () => void;
}

/** A bar for `winnow embed` on stderr when it is a terminal; silent otherwise (and with --json). */
export function createEmbedProgress(quiet: boolean): EmbedProgressDisplay {
  if (!showsProgress(quiet)) return { update: () => undefined, retry: () => undefined, stop: () => undefined };
  const bar = terminalBar(renderLine);
  let started = false;
  return {
    update(progress) {
      if (!started) bar.start(progress.toEmbed, progress.done, { progress, retrying: undefined });
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

function renderLine(options: Options, params: Params, payload: { progress: EmbedProgress; retrying: StorageRetry | undefined }): string {
  const bar = cliProgress.Format.BarFormat(params.progress, options);
  const eta = Number.isFinite(params.eta) && params.eta > 0 ? `, ${cliProgress.Format.TimeFormat(params.eta, options, 1)} left` : '';
  return `embed (${payload.progress.model})  ${bar} ${formatCount(params.value)}/${formatCount(params.total)} (${formatCount(payload.progress.failed)} failed${eta})${retryNote(payload.retrying)}`;
}
