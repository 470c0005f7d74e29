import { describe, expect, it } from 'vitest';
import { retryNote } from './progress.js';

describe('the progress line while the storage is retried', () => {
  it('names the reason and the attempt, and says nothing when no call is being retried', () => {
    expect(retryNote({ attempt: 2, maxAttempts: 3, reason: '503 SlowDown', at: '2026-12-03T12:00:00Z' })).toBe(
      ' — retrying after 503 SlowDown (attempt 2 of 3)',
    );
    expect(retryNote(undefined)).toBe('');
  });
});
