import type { SampleIdRange } from '../catalog/sample-ranges.repository.js';
import { isFatalDatasourceError } from '../errors.js';
import type { BoundStore } from './dataset-stores.js';

/** What a run split into batch jobs hands to whoever runs the batches (the scale-out queue). */
export interface SampleBatchPlan {
  /** Every live sample of the dataset, in ranges; the same ranges when planned again after a crash. */
  ranges: SampleIdRange[];
  /** Settings the run resolved that every batch needs (a thumbnail run's size). */
  settings: Record<string, number>;
  /** Whether a range still has samples to do (a range without is not enqueued). */
  hasWork(range: SampleIdRange): Promise<boolean>;
  /** The batches' counters summed, as they run. */
  onProgress(counters: Partial<Record<string, number>>): void;
  /** Keeps the dataset's lease while the batches run. */
  renewLease(): Promise<void>;
  signal?: AbortSignal | undefined;
}

export interface SampleBatchOutcome<Result> {
  /** The report of every batch that completed. */
  results: Result[];
  /** Batches that failed after their retries with an error of their own (not one that stops the run): their samples stay to do. */
  failedRanges: SampleIdRange[];
}

/** Runs the batches of a plan and resolves when all have ended; throws the error that stops the run (reads denied, wrong keys). */
export type SampleBatchRunner<Result> = (plan: SampleBatchPlan) => Promise<SampleBatchOutcome<Result>>;

/** A run's pending samples after `afterId`, in id order, at most `limit`. */
export type PendingSamples<Sample> = (afterId: number, limit: number) => Promise<Sample[]>;

const PROBE_PAGE = 200;

/**
 * The read check of a run that fans out into batch jobs, made before any batch exists: one byte of
 * the first pending sample that a batch would read from the input (`readsInput`; empty files never
 * are). Keys that may not read objects (or a wrong key, a missing bucket) meet one denied GET here,
 * and the run fails with that error at once, instead of every batch job sending its own. A failure
 * of that one object alone (gone since the sync) proves nothing; its batch records it. No pending
 * sample, no request.
 */
export async function proveInputReadable<Sample extends { id: number; key: string; size: number }>(
  input: BoundStore,
  pending: PendingSamples<Sample>,
  readsInput: (sample: Sample) => boolean = () => true,
): Promise<void> {
  for (let afterId = 0; ;) {
    const page = await pending(afterId, PROBE_PAGE);
    const sample = page.find((each) => each.size > 0 && readsInput(each));
    if (sample !== undefined) {
      await input.store.readRange(`${input.prefix}${sample.key}`, 0, 0).catch((error: unknown) => {
        if (isFatalDatasourceError(error)) throw error;
      });
      return;
    }
    if (page.length < PROBE_PAGE) return;
    afterId = page.at(-1)!.id;
  }
}
