import { SingleBar, Presets } from 'cli-progress';
import { isInteractive } from '../config/config.js';
import type { SyncProgress } from '../datasources/sync.service.js';
import { formatCount } from './render.js';

export interface ProgressDisplay {
  update: (progress: SyncProgress) => void;
  stop: () => void;
}

/** A progress bar on stderr when it is a terminal; silent otherwise (and with --json). */
export function createSyncProgress(quiet: boolean): ProgressDisplay {
  if (quiet || !isInteractive() || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    { stream: process.stderr, format: '{phase} [{bar}] {value}/{total} {detail}', hideCursor: true, clearOnComplete: false, etaBuffer: 50 },
    Presets.shades_classic,
  );
  let started = false;
  let phase: SyncProgress['phase'] | undefined;
  return {
    update(progress) {
      const detail =
        progress.phase === 'listing'
          ? `keys listed (added ${formatCount(progress.added)}, updated ${formatCount(progress.updated)})`
          : `headers read (${formatCount(progress.failed)} failed)`;
      const value = progress.phase === 'listing' ? progress.listed : progress.probed;
      const total = progress.phase === 'listing' ? progress.listed : progress.toProbe;
      if (!started) bar.start(total, value, { phase: progress.phase, detail });
      else if (phase !== progress.phase) bar.setTotal(total);
      started = true;
      phase = progress.phase;
      bar.setTotal(Math.max(total, value));
      bar.update(value, { phase: progress.phase.padEnd(7), detail });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
