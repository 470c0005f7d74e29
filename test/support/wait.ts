import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Fail after this long; a deadline, not an expected duration. */
  timeoutMs?: number;
  /** Pause between checks. */
  intervalMs?: number;
}

/**
 * Checks `check` until it returns something other than `undefined` or `false`, and returns that;
 * throws, naming `what`, once the deadline passes. For conditions nothing announces (a row in
 * another process's catalog); prefer an event when there is one.
 */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, options: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${options.timeoutMs ?? 30_000} ms waiting for ${what}`);
    await sleep(options.intervalMs ?? 50);
  }
}
