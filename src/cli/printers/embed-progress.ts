import cliProgress, { type Options, type Params } from 'cli-progress';
import { isInteractive } from '../../config/config.js';
import type { EmbedProgress } from '../../workflows/embed-dataset.js';
import { formatCount } from '../render.js';

export interface EmbedProgressDisplay {
  update: (progress: EmbedProgress) => void;
  stop: () => void;
}

/** A bar for `winnow embed` on stderr when it is a terminal; silent otherwise (and with --json). */
export function createEmbedProgress(quiet: boolean): EmbedProgressDisplay {
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
      if (!started) bar.start(progress.toEmbed, progress.done, { progress });
      started = true;
      bar.update(progress.done, { progress });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

function renderLine(options: Options, params: Params, payload: { progress: EmbedProgress }): string {
  const bar = cliProgress.Format.BarFormat(params.progress, options);
  const eta = Number.isFinite(params.eta) && params.eta > 0 ? `, ${cliProgress.Format.TimeFormat(params.eta, options, 1)} left` : '';
  return `embed (${payload.progress.model})  ${bar} ${formatCount(params.value)}/${formatCount(params.total)} (${formatCount(payload.progress.failed)} failed${eta})`;
}
