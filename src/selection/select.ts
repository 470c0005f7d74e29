import type { DiversityOracle } from './diversity-oracle.js';
import { seededRandom } from './seeded-random.js';

/**
 * One term of a selection: what makes a sample worth picking, and how much it counts against the
 * other terms (`strength`). Terms combine into one score per sample; each step picks the best.
 */
export type SelectionTerm =
  | {
      kind: 'diversity';
      strength: number;
      /** Stop once no candidate is farther than this (cosine distance) from everything selected. */
      minDistance?: number | undefined;
    }
  | {
      /** A score fixed before the selection starts, already scaled to 0..1 (typicality, similarity, weights, random). */
      kind: 'static';
      name: string;
      strength: number;
      scores: Float32Array;
    }
  | {
      kind: 'balance';
      strength: number;
      /** Each sample's category (index into `target`), or -1 when it has none. */
      categories: Int32Array;
      /** The share each category should have among the selected (sums to 1). */
      target: Float64Array;
    };

export interface SelectionInput {
  /** Samples 0..n-1 of the pool. */
  n: number;
  /** How many to pick beyond the ones already selected. */
  count: number;
  /** Samples already selected (a tag being extended): they count for diversity and balance and are never picked again. */
  preselected?: readonly number[] | undefined;
  /** Samples that may be picked (filters, thresholds); all when absent. */
  eligible?: Uint8Array | undefined;
  terms: readonly SelectionTerm[];
  /** Decides the order among equal scores (and so the first pick of a pure diversity run). */
  seed: number;
  /** Lowers each sample's distance to the selection after a pick; needed when a diversity term is present. */
  oracle?: DiversityOracle | undefined;
}

export interface Pick {
  index: number;
  score: number;
  /** Each term's part of the score (strength x its 0..1 value), by term name. */
  contributions: Record<string, number>;
  /** Cosine distance to the nearest sample selected before it (diversity only; Infinity for the first). */
  distanceToSelected?: number | undefined;
}

export interface SelectionResult {
  picks: Pick[];
  stoppedBecause: 'count' | 'min-distance' | 'no-candidates';
  /** The largest distance from any candidate to the selected set when the selection ended (diversity only). */
  coverageRadius?: number | undefined;
}

/**
 * Greedy selection: at each step every eligible sample gets strength-weighted terms and the best
 * is picked; diversity is greedy k-center (farthest-first), balance fills the category furthest
 * below its target. Deterministic for a seed: equal scores are ordered by a seeded permutation.
 */
export async function selectSamples(input: SelectionInput): Promise<SelectionResult> {
  const { n } = input;
  const random = seededRandom(input.seed);
  const rank = new Float64Array(n);
  for (let i = 0; i < n; i++) rank[i] = random();
  const available = new Uint8Array(n);
  for (let i = 0; i < n; i++) available[i] = input.eligible === undefined || input.eligible[i] === 1 ? 1 : 0;

  const diversity = input.terms.find((term): term is Extract<SelectionTerm, { kind: 'diversity' }> => term.kind === 'diversity');
  if (diversity && input.oracle === undefined) throw new Error('A diversity term needs a distance oracle.');
  const balance = input.terms.find((term): term is Extract<SelectionTerm, { kind: 'balance' }> => term.kind === 'balance');
  const statics = input.terms.filter((term): term is Extract<SelectionTerm, { kind: 'static' }> => term.kind === 'static');

  const staticScore = new Float64Array(n);
  for (const term of statics) for (let i = 0; i < n; i++) staticScore[i]! += term.strength * term.scores[i]!;

  const minDistance = new Float64Array(n).fill(Infinity);
  let anySelected = false;
  const categoryCounts = balance ? new Float64Array(balance.target.length) : undefined;
  let selectedCount = 0;

  const take = async (index: number) => {
    available[index] = 0;
    selectedCount++;
    if (balance && categoryCounts && balance.categories[index]! >= 0) categoryCounts[balance.categories[index]!]!++;
    if (diversity) {
      await input.oracle!.addCenter(index, minDistance);
      anySelected = true;
    }
  };
  for (const index of input.preselected ?? []) await take(index);

  const picks: Pick[] = [];
  while (picks.length < input.count) {
    let radius = 0;
    if (diversity && anySelected) for (let i = 0; i < n; i++) if (available[i] && minDistance[i]! > radius) radius = minDistance[i]!;
    if (diversity?.minDistance !== undefined && anySelected && radius < diversity.minDistance) {
      return { picks, stoppedBecause: 'min-distance', coverageRadius: radius };
    }
    // Balance: how far each category is below its target share, scaled so the neediest is 1.
    let deficits: Float64Array | undefined;
    if (balance && categoryCounts) {
      deficits = new Float64Array(balance.target.length);
      let largest = 0;
      for (let c = 0; c < deficits.length; c++) {
        deficits[c] = Math.max(0, balance.target[c]! - categoryCounts[c]! / Math.max(1, selectedCount));
        largest = Math.max(largest, deficits[c]!);
      }
      for (let c = 0; c < deficits.length; c++) deficits[c] = largest > 0 ? deficits[c]! / largest : 1;
    }
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < n; i++) {
      if (!available[i]) continue;
      let score = staticScore[i]!;
      if (diversity) score += diversity.strength * (anySelected ? (radius > 0 ? minDistance[i]! / radius : 0) : 1);
      if (balance && deficits) score += balance.strength * (balance.categories[i]! >= 0 ? deficits[balance.categories[i]!]! : 0);
      if (score > bestScore || (score === bestScore && rank[i]! < rank[best]!)) {
        best = i;
        bestScore = score;
      }
    }
    if (best === -1) return { picks, stoppedBecause: 'no-candidates', coverageRadius: diversity && anySelected ? radius : undefined };

    const contributions: Record<string, number> = {};
    for (const term of statics) contributions[term.name] = term.strength * term.scores[best]!;
    if (diversity) contributions.diversity = diversity.strength * (anySelected ? (radius > 0 ? minDistance[best]! / radius : 0) : 1);
    if (balance && deficits) contributions.balance = balance.strength * (balance.categories[best]! >= 0 ? deficits[balance.categories[best]!]! : 0);
    picks.push({ index: best, score: bestScore, contributions, distanceToSelected: diversity ? minDistance[best]! : undefined });
    await take(best);
  }
  let radius: number | undefined;
  if (diversity) {
    radius = 0;
    for (let i = 0; i < n; i++) if (available[i] && minDistance[i]! > radius) radius = minDistance[i]!;
  }
  return { picks, stoppedBecause: 'count', coverageRadius: radius };
}
