/**
 * Turning what is known about samples into the 0..1 scores and masks a selection combines.
 * Missing values (NaN) score 0 and never pass a threshold.
 */

/** Scales values to 0..1 (smallest to largest); all-equal values score 1; NaN stays 0. */
export function scaleToUnit(values: ArrayLike<number>): Float32Array {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (Number.isNaN(value)) continue;
    if (value < low) low = value;
    if (value > high) high = value;
  }
  const out = new Float32Array(values.length);
  const span = high - low;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    out[i] = Number.isNaN(value) ? 0 : span > 0 ? (value - low) / span : 1;
  }
  return out;
}

/**
 * Typicality: how dense the neighbourhood of each sample is, from the mean cosine distance to its
 * k nearest other samples (`neighbourDistances`, n x k); the densest sample scores 1, the loneliest 0.
 */
export function typicalityScores(neighbourDistances: Float32Array, n: number, k: number): Float32Array {
  const closeness = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += neighbourDistances[i * k + j]!;
    closeness[i] = -sum / k;
  }
  return scaleToUnit(closeness);
}

/** Similarity to a query set: 1 minus the cosine distance to the nearest query sample, scaled to 0..1. */
export function similarityScores(distanceToNearestQuery: ArrayLike<number>): Float32Array {
  const similarity = Float64Array.from(distanceToNearestQuery, (distance) => -distance);
  return scaleToUnit(similarity);
}

export type ThresholdOperator = '>' | '>=' | '<' | '<=' | '==' | '!=';

/** The samples whose value passes `operator value` (a missing value never does). */
export function thresholdMask(values: ArrayLike<number>, operator: ThresholdOperator, bound: number): Uint8Array {
  const mask = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (Number.isNaN(value)) continue;
    const passes =
      operator === '>'
        ? value > bound
        : operator === '>='
          ? value >= bound
          : operator === '<'
            ? value < bound
            : operator === '<='
              ? value <= bound
              : operator === '=='
                ? value === bound
                : value !== bound;
    mask[i] = passes ? 1 : 0;
  }
  return mask;
}

/** Categories as indices, and the target share of each: the given shares, or equal shares ("uniform"). */
export function balanceTarget(
  labels: ReadonlyArray<string | undefined>,
  shares?: ReadonlyMap<string, number>,
): { categories: Int32Array; names: string[]; target: Float64Array } {
  const names = shares ? [...shares.keys()] : [...new Set(labels.filter((label): label is string => label !== undefined))].sort();
  const index = new Map(names.map((name, position) => [name, position]));
  const categories = Int32Array.from(labels, (label) => (label === undefined ? -1 : (index.get(label) ?? -1)));
  const total = shares ? [...shares.values()].reduce((sum, share) => sum + share, 0) : names.length;
  const target = Float64Array.from(names, (name) => (shares ? shares.get(name)! / total : 1 / total));
  return { categories, names, target };
}
