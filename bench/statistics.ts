/**
 * The middle value (the mean of the two middle ones for an even count), NaN for none (a path not measured):
 * what a bench reports, since best-of-N flatters whoever got the quiet round.
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The middle item by `score` (the lower middle of an even count), for a run whose figures (rate,
 * wall time, memory) must stay together. `items` must not be empty.
 */
export function medianBy<T>(items: readonly T[], score: (item: T) => number): T {
  return [...items].sort((a, b) => score(a) - score(b))[Math.floor((items.length - 1) / 2)]!;
}
