import type { SampleIdRange } from '../catalog/sample-ranges.repository.js';

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
