import { describe, expect, it } from 'vitest';
import type { StorageRetry } from '../datasources/object-store.js';
import { trackJobView, type TrackedJobView } from './track-job-view.js';

const retry: StorageRetry = { attempt: 2, maxAttempts: 5, reason: 'SlowDown', at: '2026-01-01T00:00:00.000Z' };

describe('trackJobView', () => {
  it('counts retries and shows the one in progress until the next progress report', () => {
    const view: TrackedJobView<{ listed: number }> = { progress: null, retrying: null, retries: 0 };
    const { onProgress, onRetry } = trackJobView(view);
    onRetry(retry);
    onRetry({ ...retry, attempt: 3 });
    expect(view).toMatchObject({ retrying: { attempt: 3 }, retries: 2 });
    onProgress({ listed: 7 });
    expect(view).toEqual({ progress: { listed: 7 }, retrying: null, retries: 2 });
  });

  it('keeps a copy of the progress, not the object the workflow goes on changing', () => {
    const view: TrackedJobView<{ listed: number }> = { progress: null, retrying: null, retries: 0 };
    const progress = { listed: 7 };
    trackJobView(view).onProgress(progress);
    progress.listed = 14;
    expect(view.progress).toEqual({ listed: 7 });
  });
});
