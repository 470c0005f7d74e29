import type { StorageRetry } from '../datasources/object-store.js';

/** The part of an in-process job's view that its workflow's callbacks keep up to date. */
export interface TrackedJobView<Progress extends object> {
  progress: Progress | null;
  retrying: StorageRetry | null;
  retries: number;
}

/**
 * The workflow callbacks that keep `view` current: each progress report is copied (the workflow
 * mutates its own object) and means the storage call being retried went through; each retry is counted.
 */
export function trackJobView<Progress extends object>(
  view: TrackedJobView<Progress>,
): { onProgress: (progress: Progress) => void; onRetry: (retry: StorageRetry) => void } {
  return {
    onProgress: (progress) => {
      view.progress = { ...progress };
      view.retrying = null;
    },
    onRetry: (retry) => {
      view.retrying = retry;
      view.retries++;
    },
  };
}
