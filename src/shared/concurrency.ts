import { setImmediate } from 'node:timers/promises';

/** Runs `task` over `items` with at most `limit` in flight; stops taking new items once `shouldStop` says so. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !shouldStop()) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Yields what `source` yields while already fetching the following item, so I/O overlaps processing. */
export async function* prefetchOne<T>(source: AsyncIterable<T>): AsyncIterable<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  for (;;) {
    const result = await pending;
    if (result.done) return;
    pending = iterator.next();
    // The rejection is observed when awaited on the next turn; this only silences the early warning.
    pending.catch(() => undefined);
    // Synchronous work after the yield (better-sqlite3 commits) would otherwise keep the next request unsent until it ends.
    await setImmediate();
    yield result.value;
  }
}

/**
 * Like `forEachConcurrently`, but pulls items from an async source as workers free up, so a
 * long job never stalls at page boundaries waiting for its slowest item.
 */
export async function forEachConcurrentlyFrom<T>(
  source: AsyncIterable<T>,
  limit: number,
  task: (item: T) => Promise<unknown>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  const iterator = source[Symbol.asyncIterator]();
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && !shouldStop()) {
      try {
        // Async generators queue concurrent next() calls, so each item goes to exactly one worker.
        const next = await iterator.next();
        if (next.done) return;
        await task(next.value);
      } catch (error) {
        // The other workers finish what they hold and take nothing new.
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  await iterator.return?.(undefined);
  if (failure !== undefined) throw failure.error;
}

export interface SingleFlight<K, T> {
  /**
   * `work` for `key` unless one is running: then its promise, shared. `work` is told whether its result
   * still stands when it settles (false once `forget` ran meanwhile); ask only after it has started.
   */
  run(key: K, work: (stillCurrent: () => boolean) => Promise<T>): Promise<T>;
  /** The next `run` for `key` starts afresh; the running one still settles for those waiting on it. */
  forget(key: K): void;
  forgetAll(): void;
}

/** One piece of work per key at a time, however many callers need it at once. */
export function createSingleFlight<K, T>(): SingleFlight<K, T> {
  const running = new Map<K, Promise<T>>();
  return {
    run(key, work) {
      const existing = running.get(key);
      if (existing) return existing;
      const pending: Promise<T> = work(() => running.get(key) === pending);
      running.set(key, pending);
      void pending
        .finally(() => {
          if (running.get(key) === pending) running.delete(key);
        })
        .catch(() => undefined);
      return pending;
    },
    forget: (key) => void running.delete(key),
    forgetAll: () => running.clear(),
  };
}
