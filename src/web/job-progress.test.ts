import { describe, expect, it } from 'vitest';
import type { Job } from './api.js';
import { describeRetry, jobProgressView } from './job-progress.js';

const job = (fields: Partial<Job>): Job => ({
  id: '7a1c4f8e-2b9d-4c3e-9f10-5d6e7a8b9c0d',
  name: 'sync',
  data: { dataset: 'farm' },
  state: 'active',
  retryCount: 0,
  retryLimit: 3,
  createdAt: '2026-12-03T10:00:00.000Z',
  startedAt: '2026-12-03T10:00:01.000Z',
  finishedAt: null,
  startAfter: '2026-12-03T10:00:00.000Z',
  progress: null,
  result: null,
  error: null,
  ...fields,
});

const retry = { attempt: 3, maxAttempts: 10, reason: '503 SlowDown', at: '2026-12-03T10:00:02.000Z', operation: 'GetObject', delayMs: 1234, code: 'SlowDown' };

describe('jobProgressView', () => {
  it("reads a phase's counters and the worker's retry state beside them", () => {
    const view = jobProgressView(job({ progress: { phase: 'embedding', done: 40, toEmbed: 120, retrying: retry, storageRetries: 5 } }));
    expect(view).toEqual({ text: 'Embedding: 40 of 120', done: 40, total: 120, retrying: retry, storageRetries: 5 });
  });

  it('counts listed keys without a total', () => {
    expect(jobProgressView(job({ progress: { phase: 'listing', listed: 1200, added: 3, updated: 0 } }))).toMatchObject({
      text: 'Listing: 1,200 keys',
      total: undefined,
      retrying: null,
      storageRetries: 0,
    });
  });

  it('counts the headers a fanned-out listing read as it went', () => {
    expect(jobProgressView(job({ progress: { phase: 'listing', listed: 1200, added: 900, updated: 0, probed: 800, toProbe: 900 } })).text).toBe(
      'Listing: 1,200 keys, 800 headers read',
    );
  });

  it('says how many shards a fanned-out listing has, and how many are done', () => {
    const progress = { phase: 'listing', listed: 120_000, added: 120_000, updated: 0, shards: { done: 3, total: 8 } };
    expect(jobProgressView(job({ progress })).text).toBe('Listing: 120,000 keys · 8 shards, 3 done');
  });

  it('shows no retrying state once the job has finished', () => {
    expect(jobProgressView(job({ state: 'completed', progress: { phase: 'probing', probed: 5, toProbe: 5, retrying: retry } })).retrying).toBeNull();
  });

  it('names a retry before any counters as starting', () => {
    expect(jobProgressView(job({ progress: { phase: 'starting', retrying: retry, storageRetries: 1 } }))).toMatchObject({ text: 'Starting', retrying: retry });
  });
});

describe('describeRetry', () => {
  it('says which call, after which error, which attempt and how long it waited', () => {
    expect(describeRetry(retry)).toBe('GetObject after 503 SlowDown, attempt 3 of 10 (waited 1.2 s)');
  });
});
