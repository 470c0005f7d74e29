import { describe, expect, it } from 'vitest';
import { jsMatMul } from './linear-algebra.js';
import { seededRandom } from './seeded-random.js';
import { exactNearest, recallAtK } from './nearest.js';
import { fitPca, projectPca } from './pca.js';

/** Rows spread along two known directions in 20-d space, plus a little noise. */
function plane(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const rows = new Float32Array(n * 20);
  for (let i = 0; i < n; i++) {
    const a = random() * 10 - 5;
    const b = random() * 2 - 1;
    for (let j = 0; j < 20; j++) rows[i * 20 + j] = 3 + (j === 0 ? a : 0) + (j === 1 ? b : 0) + (random() - 0.5) * 0.01;
  }
  return rows;
}

describe('pca', () => {
  it('finds the directions of largest variance, in order, and the variance it keeps', async () => {
    const rows = plane(500, 7);
    const model = await fitPca(rows, 500, 20, 2, jsMatMul);
    expect(Math.abs(model.components[0]!)).toBeCloseTo(1, 3);
    expect(Math.abs(model.components[20 + 1]!)).toBeCloseTo(1, 3);
    expect(model.mean[5]).toBeCloseTo(3, 2);
    expect(model.variances[0]! / model.totalVariance).toBeGreaterThan(0.95);
    const projected = await projectPca(model, rows, 500, jsMatMul);
    expect(Math.abs(projected[0]!)).toBeCloseTo(Math.abs(rows[0]! - model.mean[0]!), 1);
  });

  it('is deterministic for a seed', async () => {
    const rows = plane(200, 3);
    expect((await fitPca(rows, 200, 20, 3, jsMatMul, 9)).components).toEqual((await fitPca(rows, 200, 20, 3, jsMatMul, 9)).components);
  });
});

describe('exact nearest neighbours', () => {
  it('returns the closest rows first and measures recall', () => {
    const rows = Float32Array.from([1, 0, 0, 1, Math.SQRT1_2, Math.SQRT1_2]);
    expect(exactNearest(Float32Array.from([1, 0]), rows, 3, 2)).toEqual([
      { index: 0, distance: 0 },
      { index: 2, distance: 1 - Math.fround(Math.SQRT1_2) },
    ]);
    expect(recallAtK([1, 2, 3, 4], [4, 3, 9, 8])).toBe(0.5);
  });
});
