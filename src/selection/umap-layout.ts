import { UMAP } from 'umap-js';
import { seededRandom } from './seeded-random.js';

/**
 * UMAP (umap-js) of `n` rows of `d` values into 2-D, seeded so a map is the same each time.
 * `nEpochs` trades time for finish: umap-js picks 200-500 by size.
 */
export function umapLayout(rows: Float32Array, n: number, d: number, options: { nNeighbors?: number; nEpochs?: number; seed?: number } = {}): Float32Array {
  const data = Array.from({ length: n }, (_, i) => Array.from(rows.subarray(i * d, (i + 1) * d)));
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(options.nNeighbors ?? 15, Math.max(2, n - 1)),
    minDist: 0.1,
    random: seededRandom(options.seed ?? 42),
    ...(options.nEpochs === undefined ? {} : { nEpochs: options.nEpochs }),
  });
  const embedded = umap.fit(data);
  const out = new Float32Array(n * 2);
  embedded.forEach((point, i) => {
    out[i * 2] = point[0]!;
    out[i * 2 + 1] = point[1]!;
  });
  return out;
}

/**
 * Places points that were not fitted at the distance-weighted mean of the 2-D positions of
 * their nearest fitted points (`neighbours[i * k + j]` indexes the fitted points, `distances`
 * alike), as UMAP's own transform starts out; cheap enough for a million points.
 */
export function placeByNeighbours(fitted: Float32Array, neighbours: Int32Array, distances: Float32Array, count: number, k: number): Float32Array {
  const out = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) {
    let x = 0;
    let y = 0;
    let total = 0;
    for (let j = 0; j < k; j++) {
      const at = neighbours[i * k + j]!;
      const weight = 1 / (1e-6 + Math.max(0, distances[i * k + j]!));
      x += weight * fitted[at * 2]!;
      y += weight * fitted[at * 2 + 1]!;
      total += weight;
    }
    out[i * 2] = x / total;
    out[i * 2 + 1] = y / total;
  }
  return out;
}
