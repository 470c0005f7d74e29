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

/**
 * An 8-bit copy of unit rows for screening: row i is about `scales[i] * (codes[i] - 128)`, stored
 * offset by 128 as bytes (the layout onnxruntime's u8 x s8 integer kernel reads), with the exact
 * length of each row's approximation and of what it leaves out.
 */
export interface QuantizedCopy {
  codes: Uint8Array;
  scales: Float32Array;
  /** |x~_i|: the length of row i's 8-bit approximation. */
  approximationNorms: Float64Array;
  /** |x_i - x~_i|: the exact length of what the approximation leaves out. */
  residualNorms: Float64Array;
}

/** Rounds each row to 8 bits on its own scale (its largest magnitude maps to 127). */
export function quantizeRows(rows: Float32Array, n: number, d: number): QuantizedCopy {
  const codes = new Uint8Array(n * d);
  const scales = new Float32Array(n);
  const approximationNorms = new Float64Array(n);
  const residualNorms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let largest = 0;
    for (let j = 0; j < d; j++) {
      const magnitude = Math.abs(rows[o + j]!);
      if (magnitude > largest) largest = magnitude;
    }
    const scale = Math.fround(largest > 0 ? largest / 127 : 1);
    const inverse = 1 / scale;
    let approximation = 0;
    let residual = 0;
    for (let j = 0; j < d; j++) {
      const value = rows[o + j]!;
      // |value * inverse| <= 127, so adding 128.5 and truncating rounds to 1..255 without a clamp.
      const stored = (value * inverse + 128.5) | 0;
      codes[o + j] = stored;
      const code = stored - 128;
      const approximated = code * scale;
      approximation += approximated * approximated;
      residual += (value - approximated) * (value - approximated);
    }
    scales[i] = scale;
    approximationNorms[i] = Math.sqrt(approximation);
    residualNorms[i] = Math.sqrt(residual);
  }
  return { codes, scales, approximationNorms, residualNorms };
}

/** `rows · rows[index]` for the `count` rows listed in `indices` only. */
export type SomeDots = (index: number, indices: Int32Array, count: number) => Promise<Float32Array>;

/** The integer dot products of row `index`'s codes with every row's codes (both taken as -127..127), e.g. on onnxruntime. */
export type AllCodeDots = (index: number) => Promise<Int32Array>;

/**
 * The same result as fullOracle, reading a quarter of the bytes for most rows. Each pick first
 * takes the 8-bit dot products with every row, which are exact integers; with c the new center,
 * x~ and c~ the approximations and |x| = |c| = 1,
 *   |x.c - x~.c~| = |x~.(c - c~) + (x - x~).c| <= |x~| |c - c~| + |x - x~|,
 * so where the distance that bound allows is still no shorter than a row's distance to the
 * selection, the new center cannot come closer and the float row is not read. The rest is computed
 * exactly: gathered by `someDots`, or by one full pass when most rows are left (the first picks,
 * when everything is far). After the first few picks a few percent of the rows are read, on data
 * with structure or without.
 */
export function screenedOracle(n: number, copy: QuantizedCopy, allCodeDots: AllCodeDots, allDots: AllDots, someDots: SomeDots): DiversityOracle {
  const { scales, approximationNorms, residualNorms } = copy;
  // Rounding in the float32 products must never skip a row the exact distance would lower.
  const SLACK = 1e-5;
  let computed = 0;
  const candidates = new Int32Array(n);
  return {
    get computed() {
      return computed;
    },
    async addCenter(index, minDistance) {
      const codeDots = await allCodeDots(index);
      const centerScale = scales[index]!;
      const centerResidual = residualNorms[index]!;
      let count = 0;
      for (let i = 0; i < n; i++) {
        if (minDistance[i]! <= 0) continue;
        const approximate = codeDots[i]! * scales[i]! * centerScale;
        const error = approximationNorms[i]! * centerResidual + residualNorms[i]! + SLACK;
        if (1 - approximate - error < minDistance[i]!) candidates[count++] = i;
      }
      computed += count;
      // Gathering the rows to read costs a copy of each; past about half of them one full pass is cheaper.
      const dots = count > n / 2 ? await allDots(index) : await someDots(index, candidates, count);
      const full = count > n / 2;
      for (let at = 0; at < count; at++) {
        const i = candidates[at]!;
        const distance = 1 - dots[full ? i : at]!;
        if (distance < minDistance[i]!) minDistance[i] = distance;
      }
    },
  };
}
