/** One neighbour: its row in the searched set and its distance. */
export interface Neighbour {
  index: number;
  distance: number;
}

/**
 * The `k` rows of `rows` (n x d, unit length) closest in cosine distance (1 - dot) to `query`,
 * nearest first, by exhaustive search; ties go to the lower index.
 */
export function exactNearest(query: Float32Array, rows: Float32Array, n: number, k: number): Neighbour[] {
  const d = query.length;
  const best: Neighbour[] = [];
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += query[j]! * rows[i * d + j]!;
    const distance = 1 - dot;
    if (best.length < k || distance < best[best.length - 1]!.distance) {
      let at = best.length;
      while (at > 0 && best[at - 1]!.distance > distance) at--;
      best.splice(at, 0, { index: i, distance });
      if (best.length > k) best.pop();
    }
  }
  return best;
}

/** Share of the exact top-k found by an approximate top-k (recall@k). */
export function recallAtK(exact: readonly number[], approximate: readonly number[]): number {
  if (exact.length === 0) return 1;
  const found = new Set(approximate);
  return exact.filter((index) => found.has(index)).length / exact.length;
}
