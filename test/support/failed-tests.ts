/**
 * The tests of this test file that failed so far, in order. `failed-tests.setup.ts` (a vitest setup
 * file) records them; anything that outlives a test, such as a PostgreSQL database, asks whether
 * one failed while it was in use. No vitest import here, so scripts may import its readers.
 */
const failed: string[] = [];

export function recordFailedTest(fullName: string): void {
  failed.push(fullName);
}

/** A mark to pass to `failedSince` later. */
export function failureMark(): number {
  return failed.length;
}

/** Full names of the tests that failed since `mark`. */
export function failedSince(mark: number): string[] {
  return failed.slice(mark);
}
