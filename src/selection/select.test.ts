import { describe, expect, it } from 'vitest';
import { fullOracle, quantizeRows, screenedOracle } from './diversity-oracle.js';
import { seededRandom } from './seeded-random.js';
import { selectSamples, type SelectionTerm } from './select.js';
import { balanceTarget, scaleToUnit, similarityScores, thresholdMask, typicalityScores } from './terms.js';

/** n random unit vectors of d dimensions, row-major, from a seed. */
function unitVectors(n: number, d: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const rows = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += (rows[i * d + j] = random() - 0.5) ** 2;
    for (let j = 0; j < d; j++) rows[i * d + j]! /= Math.sqrt(norm);
  }
  return rows;
}

const allDots = (rows: Float32Array, n: number, d: number) => async (index: number) => {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += rows[index * d + j]! * rows[i * d + j]!;
    out[i] = dot;
  }
  return out;
};
const cosineDistancesFrom = (rows: Float32Array, n: number, d: number) => fullOracle(n, allDots(rows, n, d));

/** Farthest-first traversal written the plain way, as a reference. */
function referenceKCenter(rows: Float32Array, n: number, d: number, first: number, k: number): number[] {
  const distance = (a: number, b: number) => {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += rows[a * d + j]! * rows[b * d + j]!;
    return 1 - dot;
  };
  const picks = [first];
  while (picks.length < k) {
    let best = -1;
    let bestDistance = -Infinity;
    for (let i = 0; i < n; i++) {
      if (picks.includes(i)) continue;
      const nearest = Math.min(...picks.map((pick) => distance(i, pick)));
      if (nearest > bestDistance) [best, bestDistance] = [i, nearest];
    }
    picks.push(best);
  }
  return picks;
}

describe('diversity (greedy k-center)', () => {
  const n = 300;
  const d = 8;
  const rows = unitVectors(n, d, 42);
  const diversity: SelectionTerm = { kind: 'diversity', strength: 1 };

  it('picks farthest-first, exactly as the plain algorithm does from the same first pick', async () => {
    const result = await selectSamples({ n, count: 20, terms: [diversity], seed: 7, oracle: cosineDistancesFrom(rows, n, d) });
    const picks = result.picks.map((pick) => pick.index);
    expect(picks).toEqual(referenceKCenter(rows, n, d, picks[0]!, 20));
    expect(result.stoppedBecause).toBe('count');
    // Each new pick is no closer to the selection than the next one will be.
    const gaps = result.picks.slice(1).map((pick) => pick.distanceToSelected!);
    expect([...gaps].sort((a, b) => b - a)).toEqual(gaps);
  });

  it('is deterministic for a seed, and the seed chooses where it starts', async () => {
    const run = async (seed: number) =>
      (await selectSamples({ n, count: 10, terms: [diversity], seed, oracle: cosineDistancesFrom(rows, n, d) })).picks.map((pick) => pick.index);
    expect(await run(3)).toEqual(await run(3));
    expect((await run(3))[0]).not.toBe((await run(4))[0]);
  });

  it('counts samples already selected and never picks them again (a re-run picks what is new and different)', async () => {
    const first = (await selectSamples({ n, count: 10, terms: [diversity], seed: 1, oracle: cosineDistancesFrom(rows, n, d) })).picks.map((pick) => pick.index);
    const next = await selectSamples({ n, count: 10, preselected: first, terms: [diversity], seed: 1, oracle: cosineDistancesFrom(rows, n, d) });
    const all = [...first, ...next.picks.map((pick) => pick.index)];
    expect(new Set(all).size).toBe(20);
    expect(all.slice(0, 20)).toEqual(referenceKCenter(rows, n, d, first[0]!, 20));
  });

  it('stops at the minimum distance', async () => {
    const result = await selectSamples({
      n,
      count: n,
      terms: [{ kind: 'diversity', strength: 1, minDistance: 0.5 }],
      seed: 1,
      oracle: cosineDistancesFrom(rows, n, d),
    });
    expect(result.stoppedBecause).toBe('min-distance');
    expect(result.coverageRadius).toBeLessThan(0.5);
    expect(result.picks.at(-1)!.distanceToSelected).toBeGreaterThanOrEqual(0.5);
  });

  it('picks only eligible samples', async () => {
    const eligible = new Uint8Array(n).map((_, i) => (i % 3 === 0 ? 1 : 0));
    const result = await selectSamples({ n, count: 50, eligible, terms: [diversity], seed: 1, oracle: cosineDistancesFrom(rows, n, d) });
    expect(result.picks.every((pick) => pick.index % 3 === 0)).toBe(true);
  });
});

describe('the 8-bit screened distance oracle', () => {
  const codeDots = (codes: Uint8Array, n: number, d: number) => async (index: number) => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += (codes[index * d + j]! - 128) * (codes[i * d + j]! - 128);
      out[i] = dot;
    }
    return out;
  };

  /** Unit rows around 25 centres, or (spread 0) plain noise. */
  function clustered(n: number, d: number, spread: number, seed: number): Float32Array {
    const random = seededRandom(seed);
    const centres = unitVectors(25, d, seed + 1);
    const rows = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      let norm = 0;
      for (let j = 0; j < d; j++) norm += (rows[i * d + j] = (spread > 0 ? centres[(i % 25) * d + j]! : 0) + (spread > 0 ? spread : 1) * (random() - 0.5)) ** 2;
      for (let j = 0; j < d; j++) rows[i * d + j]! /= Math.sqrt(norm);
    }
    return rows;
  }

  it("keeps each row's approximation error exactly as reported", () => {
    const rows = unitVectors(50, 96, 4);
    const copy = quantizeRows(rows, 50, 96);
    for (let i = 0; i < 50; i++) {
      let residual = 0;
      for (let j = 0; j < 96; j++) residual += (rows[i * 96 + j]! - (copy.codes[i * 96 + j]! - 128) * copy.scales[i]!) ** 2;
      expect(Math.sqrt(residual)).toBeCloseTo(copy.residualNorms[i]!, 9);
      expect(copy.residualNorms[i]!).toBeLessThan(0.02);
    }
  });

  it.each([
    ['clusters', 0.15],
    ['noise', 0],
  ])('gives exactly the plain picks while reading fewer rows, on %s', async (_, spread) => {
    const n = 2_000;
    const d = 64;
    const rows = clustered(n, d, spread, 5);
    const full = fullOracle(n, allDots(rows, n, d));
    const copy = quantizeRows(rows, n, d);
    const someDots = async (index: number, indices: Int32Array, count: number) => {
      const every = await allDots(rows, n, d)(index);
      return Float32Array.from(indices.subarray(0, count), (i) => every[i]!);
    };
    const screened = screenedOracle(n, copy, codeDots(copy.codes, n, d), allDots(rows, n, d), someDots);
    const run = async (oracle: typeof full) =>
      (await selectSamples({ n, count: 80, terms: [{ kind: 'diversity', strength: 1 }], seed: 2, oracle })).picks.map((pick) => pick.index);
    expect(await run(screened)).toEqual(await run(full));
    expect(screened.computed).toBeLessThan(full.computed / 2);
  });
});

describe('balance, static scores and their combination', () => {
  it('fills the categories towards their target shares', async () => {
    const labels = Array.from({ length: 100 }, (_, i) => (i < 80 ? 'cow' : i < 95 ? 'pig' : 'sheep'));
    const { categories, target, names } = balanceTarget(labels);
    const result = await selectSamples({ n: 100, count: 15, terms: [{ kind: 'balance', strength: 1, categories, target }], seed: 1 });
    const counts = Object.fromEntries(names.map((name) => [name, result.picks.filter((pick) => labels[pick.index] === name).length]));
    expect(counts).toEqual({ cow: 5, pig: 5, sheep: 5 });
  });

  it('follows strengths: a strong weight outweighs a weak one', async () => {
    const big = scaleToUnit([1, 2, 3, 4, 5, 6]);
    const small = scaleToUnit([6, 5, 4, 3, 2, 1]);
    const pick = async (strong: number) =>
      (
        await selectSamples({
          n: 6,
          count: 1,
          terms: [
            { kind: 'static', name: 'size', strength: strong, scores: big },
            { kind: 'static', name: 'quality', strength: 1, scores: small },
          ],
          seed: 1,
        })
      ).picks[0]!;
    expect((await pick(2)).index).toBe(5);
    expect((await pick(0.5)).index).toBe(0);
    expect((await pick(2)).contributions).toEqual({ size: 2, quality: 0 });
  });

  it('scores typicality, similarity and thresholds from plain numbers', () => {
    const typicality = [...typicalityScores(Float32Array.from([0.1, 0.1, 0.5, 0.5, 0.3, 0.3]), 3, 2)];
    expect(typicality.map((score) => Math.round(score * 1e6) / 1e6)).toEqual([1, 0, 0.5]);
    expect([...similarityScores([0, 1, 0.5])]).toEqual([1, 0, 0.5]);
    expect([...thresholdMask([1, NaN, 3], '>=', 2)]).toEqual([0, 0, 1]);
    expect([...scaleToUnit([4, 4])]).toEqual([1, 1]);
  });
});
