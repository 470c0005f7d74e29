/**
 * The first few rows that differ (as JSON), and a line for differing lengths: compare large arrays with
 * `expect(firstDifferences(actual, expected)).toEqual([])`, so a mismatch among 20,000 rows is reported at
 * once rather than diffed by vitest for an hour.
 */
export function firstDifferences(actual: readonly unknown[], expected: readonly unknown[]): string[] {
  const differences: string[] = [];
  if (actual.length !== expected.length) differences.push(`${actual.length} rows, expected ${expected.length}`);
  for (let row = 0; row < Math.max(actual.length, expected.length) && differences.length < 5; row++) {
    const [got, want] = [JSON.stringify(actual[row]), JSON.stringify(expected[row])];
    if (got !== want) differences.push(`row ${row}: ${got} (expected ${want})`);
  }
  return differences;
}
