import { orthonormalizeColumns, symmetricEigen, transpose, type MatMul } from './linear-algebra.js';
import { seededRandom } from './seeded-random.js';

/** A fitted principal component analysis: x -> components * (x - mean). */
export interface PcaModel {
  dimensions: number;
  mean: Float32Array;
  /** `count` x `dimensions`, row-major, orthonormal rows, by decreasing variance. */
  components: Float32Array;
  count: number;
  /** Variance along each component, and the total over all dimensions (to report what is kept). */
  variances: Float64Array;
  totalVariance: number;
}

/**
 * Fits the top `count` principal components of `n` rows of `d` values by randomized subspace
 * iteration (Halko, Martinsson and Tropp 2011): a few products with a thin random matrix instead
 * of a d x d covariance, so 1,792-d vectors fit in a second or two. Deterministic for a seed.
 */
export async function fitPca(rows: Float32Array, n: number, d: number, count: number, matmul: MatMul, seed = 1): Promise<PcaModel> {
  if (n < 2) throw new Error('PCA needs at least two rows.');
  const k = Math.min(count, d, n);
  const width = Math.min(k + 10, d, n);
  const mean = new Float32Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += rows[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const centred = new Float32Array(n * d);
  let totalVariance = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const value = rows[i * d + j]! - mean[j]!;
      centred[i * d + j] = value;
      totalVariance += value * value;
    }
  }
  totalVariance /= n - 1;
  const centredT = transpose(centred, n, d);
  const random = seededRandom(seed);
  const omega = Float32Array.from({ length: d * width }, () => random() * 2 - 1);
  // Y = X Omega, then two power iterations (Y = X X^T Y), orthonormalised each time.
  let y = await matmul(centred, n, d, omega, width);
  orthonormalizeColumns(y, n, width);
  for (let iteration = 0; iteration < 2; iteration++) {
    const z = await matmul(centredT, d, n, y, width);
    orthonormalizeColumns(z, d, width);
    y = await matmul(centred, n, d, z, width);
    orthonormalizeColumns(y, n, width);
  }
  // B = Y^T X (width x d); the eigenvectors of B B^T give the components.
  const b = await matmul(transpose(y, n, width), width, n, centred, d);
  const gram = new Float64Array(width * width);
  for (let p = 0; p < width; p++) {
    for (let q = p; q < width; q++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += b[p * d + j]! * b[q * d + j]!;
      gram[p * width + q] = dot;
      gram[q * width + p] = dot;
    }
  }
  const { values, vectors } = symmetricEigen(gram, width);
  const components = new Float32Array(k * d);
  for (let c = 0; c < k; c++) {
    let norm = 0;
    for (let j = 0; j < d; j++) {
      let value = 0;
      for (let p = 0; p < width; p++) value += vectors[p * width + c]! * b[p * d + j]!;
      components[c * d + j] = value;
      norm += value * value;
    }
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < d; j++) components[c * d + j]! /= norm;
  }
  return {
    dimensions: d,
    mean,
    components,
    count: k,
    variances: Float64Array.from(values.slice(0, k), (value) => Math.max(0, value) / (n - 1)),
    totalVariance,
  };
}

/** Projects `n` rows onto the model's components: n x count. */
export async function projectPca(
  model: PcaModel,
  rows: Float32Array,
  n: number,
  matmul: MatMul,
  componentsT: Float32Array = transpose(model.components, model.count, model.dimensions),
): Promise<Float32Array> {
  const d = model.dimensions;
  const centred = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centred[i * d + j] = rows[i * d + j]! - model.mean[j]!;
  return matmul(centred, n, d, componentsT, model.count);
}
