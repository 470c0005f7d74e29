import { describe, expect, it } from 'vitest';
import { retryNote, shardNote } from './progress.js';

describe('the progress line while the storage is retried', () => {
  it('names the reason and the attempt, and says nothing when no call is being retried', () => {
    expect(retryNote({ attempt: 2, maxAttempts: 3, reason: '503 SlowDown', at: '2026-12-03T12:00:00Z' })).toBe(
      ' — retrying after 503 SlowDown (attempt 2 of 3)',
    );
    expect(retryNote(undefined)).toBe('');
  });
});

describe('the progress line of a fanned-out listing', () => {
  it('says how many shards there are and how many are done, and nothing before the listing fans out', () => {
    expect(shardNote({ done: 3, total: 8 })).toBe(' · 8 shards, 3 done');
    expect(shardNote({ done: 0, total: 12 })).toBe(' · 12 shards, 0 done');
    expect(shardNote(undefined)).toBe('');
    expect(shardNote({ total: 'eight' })).toBe('');
  });
});
