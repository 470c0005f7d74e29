import type { MatMul } from './linear-algebra.js';

/**
 * What greedy k-center asks after each pick: lower every sample's distance to the selection to
 * its distance to the new pick where that is smaller. Rows are unit vectors; distances are cosine
 * distances (1 - dot).
 */
export interface DiversityOracle {
  /** Lowers `minDistance[i]` to the distance from sample i to `index` wherever that is smaller. */
  addCenter(index: number, minDistance: Float64Array): Promise<void>;
  /** Rows whose full distance was computed, over all centers so far (for reports and benchmarks). */
  readonly computed: number;
}

/** `rows · rows[index]` for every row (n dot products), e.g. on onnxruntime's BLAS-speed kernels. */
export type AllDots = (index: number) => Promise<Float32Array>;

/** Every distance, every time: the plain algorithm. */
export function fullOracle(n: number, allDots: AllDots): DiversityOracle {
  let computed = 0;
  return {
    get computed() {
      return computed;
    },
    async addCenter(index, minDistance) {
      const dots = await allDots(index);
      computed += n;
      for (let i = 0; i < n; i++) {
        const distance = 1 - dots[i]!;
        if (distance < minDistance[i]!) minDistance[i] = distance;
      }
    },
  };
}

/** The reduced copy prunedOracle needs: the rows projected on `r` orthonormal directions, without centring. */
export async function projectOnDirections(rows: Float32Array, n: number, d: number, directions: Float32Array, r: number, matmul: MatMul): Promise<ReducedCopy> {
  const directionsT = new Float32Array(d * r);
  for (let c = 0; c < r; c++) for (let j = 0; j < d; j++) directionsT[j * r + c] = directions[c * d + j]!;
  return { projected: await matmul(rows, n, d, directionsT, r), r };
}

export interface ReducedCopy {
  /** n x r: each row projected on r orthonormal directions (e.g. the first PCA components). */
  projected: Float32Array;
  r: number;
}

/**
 * The same result as fullOracle, with fewer full distances. A projection on orthonormal directions
 * never lengthens a difference, and the part it leaves out is at least the gap between the two
 * residual lengths, so for unit rows p and c:
 *   1 - p·c >= (|Pp - Pc|^2 + (|Rp| - |Rc|)^2) / 2.
 * Where that bound already reaches a sample's distance to the selection, the new center cannot
 * come closer, and the full row is not read. The rest is computed exactly: in place when few,
 * by `allDots` when many. On data with structure most rows are skipped once the selection covers
 * it; on isotropic noise the bound is weak and every row is read, as in the plain algorithm.
 */
export function prunedOracle(rows: Float32Array, n: number, d: number, reduced: ReducedCopy, allDots: AllDots): DiversityOracle {
  const { projected, r } = reduced;
  const projectedNorm2 = new Float64Array(n);
  const residualNorm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < r; j++) sum += projected[i * r + j]! ** 2;
    projectedNorm2[i] = sum;
    residualNorm[i] = Math.sqrt(Math.max(0, 1 - sum));
  }
  // Rounding in float32 products must never skip a row the exact distance would lower.
  const SLACK = 1e-5;
  let computed = 0;
  const candidates = new Int32Array(n);
  return {
    get computed() {
      return computed;
    },
    async addCenter(index, minDistance) {
      let count = 0;
      const c = index * r;
      for (let i = 0; i < n; i++) {
        if (minDistance[i]! <= 0) continue;
        let dot = 0;
        const o = i * r;
        for (let j = 0; j < r; j++) dot += projected[o + j]! * projected[c + j]!;
        const gap = residualNorm[i]! - residualNorm[index]!;
        const bound = (projectedNorm2[i]! + projectedNorm2[index]! - 2 * dot + gap * gap) / 2;
        if (bound < minDistance[i]! + SLACK) candidates[count++] = i;
      }
      computed += count;
      // Reading a fraction of the rows by hand beats a full pass on the fast kernel only when the fraction is small.
      if (count > n / 8) {
        const dots = await allDots(index);
        for (let at = 0; at < count; at++) {
          const i = candidates[at]!;
          const distance = 1 - dots[i]!;
          if (distance < minDistance[i]!) minDistance[i] = distance;
        }
        return;
      }
      const center = index * d;
      for (let at = 0; at < count; at++) {
        const i = candidates[at]!;
        let dot = 0;
        const o = i * d;
        for (let j = 0; j < d; j++) dot += rows[o + j]! * rows[center + j]!;
        const distance = 1 - Math.fround(dot);
        if (distance < minDistance[i]!) minDistance[i] = distance;
      }
    },
  };
}
