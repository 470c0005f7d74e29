import { AppError } from '../errors.js';
import { WINNOW_JOB_NAMES, type WinnowJobName } from './winnow-jobs.js';

/**
 * The jobs a run splits into on pg-boss, by the run's own job. A worker that takes a run's queue
 * takes these too: a run's parts left to no worker would wait forever, and the run with them.
 */
export const RUN_PARTS: Readonly<Record<RunName, WinnowJobName>> = { sync: 'sync-shard', thumbnails: 'thumbnails-batch', embed: 'embed-batch' };

type RunName = Extract<WinnowJobName, 'sync' | 'thumbnails' | 'embed'>;
const RUNS = Object.keys(RUN_PARTS) as RunName[];
const PARTS: readonly WinnowJobName[] = Object.values(RUN_PARTS);

/** What `--queues` takes, for the help text and its error. */
export const WORKER_QUEUES_HELP = `${RUNS.map((run) => `${run} (with ${RUN_PARTS[run]})`).join(', ')}, or ${PARTS.join(', ')} alone`;

/**
 * The queues of `winnow worker --queues a,b`: `sync`, `thumbnails` and `embed` each bring the jobs their runs
 * split into; a part named alone (`embed-batch`) is that queue only, for a machine that helps with batches
 * but never plans a run. Every queue when `given` is undefined. In the order of WINNOW_JOB_NAMES.
 */
export function parseWorkerQueues(given: string | undefined): WinnowJobName[] {
  if (given === undefined) return [...WINNOW_JOB_NAMES];
  const names = given
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(WINNOW_JOB_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new AppError('InputInvalid', `--queues takes ${WORKER_QUEUES_HELP}; got ${JSON.stringify(given)}.`, {
      hint: 'Leave --queues out to work every queue.',
    });
  }
  const wanted = new Set<string>(names);
  for (const run of RUNS) if (wanted.has(run)) wanted.add(RUN_PARTS[run]);
  return WINNOW_JOB_NAMES.filter((name) => wanted.has(name));
}
