import { describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/wait.js';
import { createProgressWriter } from './queue-support.js';

describe('createProgressWriter', () => {
  it('writes at most once per interval, and writes a held-back report when the interval ends', async () => {
    const written: object[] = [];
    const writer = createProgressWriter({
      write: async (progress) => void written.push(progress),
      isCancelled: async () => false,
      onCancelled: () => undefined,
      intervalMs: 200,
    });
    await writer.report({ done: 1 });
    await writer.report({ done: 2 });
    await writer.report({ retrying: 'GetObject' });
    expect(written).toEqual([{ done: 1 }]);
    // Nothing else is reported (a backoff is being waited out): the last report still goes out.
    await waitFor('the held-back report', () => written.length === 2, { timeoutMs: 5_000 });
    expect(written).toEqual([{ done: 1 }, { retrying: 'GetObject' }]);
    await writer.flush();
    expect(written).toHaveLength(2);
  });

  it('flush writes the held-back report at once, and nothing after it', async () => {
    const written: object[] = [];
    const writer = createProgressWriter({
      write: async (progress) => void written.push(progress),
      isCancelled: async () => false,
      onCancelled: () => undefined,
      intervalMs: 200,
    });
    await writer.report({ done: 1 });
    await writer.report({ done: 2 });
    await writer.flush();
    expect(written).toEqual([{ done: 1 }, { done: 2 }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(written).toHaveLength(2);
  });
});
