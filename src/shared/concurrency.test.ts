import { describe, expect, it } from 'vitest';
import { createSingleFlight, forEachConcurrentlyFrom } from './concurrency.js';

async function* numbers(count: number, pulled: number[] = []) {
  for (let n = 0; n < count; n++) {
    pulled.push(n);
    yield n;
  }
}

describe('forEachConcurrentlyFrom', () => {
  it('hands each item to exactly one worker, never more than the limit at once', async () => {
    const seen: number[] = [];
    let running = 0;
    let peak = 0;
    await forEachConcurrentlyFrom(numbers(20), 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, n % 4));
      seen.push(n);
      running--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(peak).toBe(3);
  });

  it('takes nothing new once told to stop, and closes the source', async () => {
    const pulled: number[] = [];
    const done: number[] = [];
    await forEachConcurrentlyFrom(
      numbers(100, pulled),
      2,
      async (n) => void done.push(n),
      () => done.length >= 5,
    );
    expect(done.length).toBeLessThan(8);
    expect(pulled.length).toBeLessThan(10);
  });

  it('lets the other workers finish what they hold, then throws the first failure', async () => {
    const done: number[] = [];
    const run = forEachConcurrentlyFrom(numbers(50), 2, async (n) => {
      if (n === 3) throw new Error('boom at 3');
      await new Promise((resolve) => setTimeout(resolve, 1));
      done.push(n);
    });
    await expect(run).rejects.toThrow('boom at 3');
    expect(done.length).toBeLessThan(10);
  });
});

describe('createSingleFlight', () => {
  it('shares the running work for a key, starts afresh once it settled or was forgotten, and says which result stands', async () => {
    const flights = createSingleFlight<string, number>();
    let started = 0;
    const stood: boolean[] = [];
    const releases: Array<() => void> = [];
    const work = (stillCurrent: () => boolean) => {
      const number = ++started;
      return new Promise<number>((resolve) => releases.push(() => resolve(number))).then((value) => {
        stood.push(stillCurrent());
        return value;
      });
    };
    const shared = [flights.run('a', work), flights.run('a', work)];
    const other = flights.run('b', work);
    expect(started).toBe(2);
    releases.shift()!();
    releases.shift()!();
    expect(await Promise.all(shared)).toEqual([1, 1]);
    await other;

    const forgotten = flights.run('a', work);
    flights.forget('a');
    const fresh = flights.run('a', work);
    releases.shift()!();
    releases.shift()!();
    await Promise.all([forgotten, fresh]);
    expect(started).toBe(4);
    expect(stood).toEqual([true, true, false, true]);

    const failing = flights.run('c', async () => Promise.reject(new Error('down')));
    await expect(failing).rejects.toThrow('down');
    expect(await flights.run('c', async () => 7)).toBe(7);
  });
});
