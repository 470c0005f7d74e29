import type { InferenceSession } from 'onnxruntime-node';
import { OnnxModelBuilder } from './onnx-model-builder.js';

/**
 * Vector math on onnxruntime's CPU kernels (BLAS-speed matrix products, top-k), for what plain
 * JavaScript loops are measured too slow for: exhaustive search over 10^6 reduced vectors takes
 * about 25 ms here, the same loop in JavaScript 100 ms already at 32 dimensions.
 */

type OrtModule = typeof import('onnxruntime-node');
let loaded: Promise<OrtModule> | undefined;
const loadOrt = () => (loaded ??= import('onnxruntime-node'));

const sessionOptions = (threads: number): InferenceSession.SessionOptions => ({
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});

export interface OnnxMatMul {
  /** `a` (m x k) times `b` (k x n), row-major. */
  multiply(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Promise<Float32Array>;
  close(): Promise<void>;
}

/** A general matrix product with free shapes. */
export async function openOnnxMatMul(threads = 0): Promise<OnnxMatMul> {
  const ort = await loadOrt();
  const builder = new OnnxModelBuilder('matmul');
  builder.input('a', 'float32', ['M', 'K']);
  builder.input('b', 'float32', ['K', 'N']);
  builder.node('MatMul', ['a', 'b'], 'product');
  builder.output('product', 'float32', ['M', 'N']);
  const session = await ort.InferenceSession.create(builder.encode(), sessionOptions(threads));
  return {
    async multiply(a, m, k, b, n) {
      const result = await session.run({ a: new ort.Tensor('float32', a, [m, k]), b: new ort.Tensor('float32', b, [k, n]) });
      const product = result.product!;
      const values = product.data as Float32Array;
      product.dispose();
      return values;
    },
    close: () => session.release(),
  };
}

export interface OnnxNearestSearch {
  /** Rows searched. */
  readonly size: number;
  /** For each of `count` queries (count x dimensions), the `k` nearest rows by Euclidean distance: row indices, nearest first. */
  search(queries: Float32Array, count: number, k: number): Promise<Int32Array>;
  close(): Promise<void>;
}

/**
 * Exhaustive nearest-neighbour search over `n` rows of `dimensions` values, held by onnxruntime
 * as a constant. Each row carries -|x|^2 / 2 as one more coordinate, so one product with
 * [q, 1] gives q.x - |x|^2 / 2, largest for the nearest row; TopK picks the k largest.
 */
export async function openOnnxNearestSearch(rows: Float32Array, n: number, dimensions: number, threads = 0): Promise<OnnxNearestSearch> {
  const ort = await loadOrt();
  const width = dimensions + 1;
  const augmented = new Float32Array(width * n);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < dimensions; j++) {
      const value = rows[i * dimensions + j]!;
      augmented[j * n + i] = value;
      norm += value * value;
    }
    augmented[dimensions * n + i] = -norm / 2;
  }
  const builder = new OnnxModelBuilder('nearest');
  builder.input('query', 'float32', ['Q', width]);
  builder.input('k', 'int64', [1]);
  builder.initializer('rows', [width, n], augmented);
  builder.node('MatMul', ['query', 'rows'], 'scores');
  builder.nodeWithOutputs('TopK', ['scores', 'k'], ['values', 'indices'], { axis: 1, largest: 1, sorted: 1 });
  builder.output('values', 'float32', ['Q', 'K']);
  builder.output('indices', 'int64', ['Q', 'K']);
  const session = await ort.InferenceSession.create(builder.encode(), sessionOptions(threads));
  return {
    size: n,
    async search(queries, count, k) {
      const query = new Float32Array(count * width);
      for (let q = 0; q < count; q++) {
        query.set(queries.subarray(q * dimensions, (q + 1) * dimensions), q * width);
        query[q * width + dimensions] = 1;
      }
      const take = Math.min(k, n);
      const result = await session.run(
        { query: new ort.Tensor('float32', query, [count, width]), k: new ort.Tensor('int64', BigInt64Array.from([BigInt(take)]), [1]) },
        ['indices'],
      );
      const indices = result.indices!;
      const out = Int32Array.from(indices.data as BigInt64Array, (value) => Number(value));
      indices.dispose();
      return out;
    },
    close: () => session.release(),
  };
}

export interface OnnxRowDots {
  /** `rows · query` for every row (n dot products). */
  dots(query: Float32Array): Promise<Float32Array>;
  /** `rows · query` for the first `count` rows listed in `indices`, in that order. */
  dotsAt(query: Float32Array, indices: Int32Array, count: number): Promise<Float32Array>;
  close(): Promise<void>;
}

/**
 * Dot products of one query with every row of an n x d matrix, on onnxruntime. The rows are handed
 * over as a tensor over the caller's own buffer on each call, so they are neither copied nor
 * serialised into the model (a million 1,792-d rows are 7 GB). Written as Gemm(query, rows^T): at
 * 100,000 x 1,792 that form ran 20% faster than MatMul(rows, query) on one thread. A few rows
 * are read by Gather and the same product: 2.7 times faster than a JavaScript loop over them.
 */
export async function openOnnxRowDots(rows: Float32Array, n: number, d: number, threads = 0): Promise<OnnxRowDots> {
  const ort = await loadOrt();
  const every = new OnnxModelBuilder('row-dots');
  every.input('query', 'float32', [1, d]);
  every.input('rows', 'float32', ['N', d]);
  every.node('Gemm', ['query', 'rows'], 'dots', { transB: 1 });
  every.output('dots', 'float32', [1, 'N']);
  const some = new OnnxModelBuilder('some-row-dots');
  some.input('query', 'float32', [1, d]);
  some.input('rows', 'float32', ['N', d]);
  some.input('indices', 'int32', ['M']);
  some.node('Gather', ['rows', 'indices'], 'picked', { axis: 0 });
  some.node('Gemm', ['query', 'picked'], 'dots', { transB: 1 });
  some.output('dots', 'float32', [1, 'M']);
  const [everySession, someSession] = await Promise.all([
    ort.InferenceSession.create(every.encode(), sessionOptions(threads)),
    ort.InferenceSession.create(some.encode(), sessionOptions(threads)),
  ]);
  const matrix = new ort.Tensor('float32', rows, [n, d]);
  const run = async (session: InferenceSession, feeds: Record<string, InstanceType<OrtModule['Tensor']>>) => {
    const result = await session.run(feeds);
    const dots = result.dots!;
    const values = dots.data as Float32Array;
    dots.dispose();
    return values;
  };
  return {
    dots: (query) => run(everySession, { query: new ort.Tensor('float32', query, [1, d]), rows: matrix }),
    dotsAt: (query, indices, count) =>
      count === 0
        ? Promise.resolve(new Float32Array(0))
        : run(someSession, {
            query: new ort.Tensor('float32', query, [1, d]),
            rows: matrix,
            indices: new ort.Tensor('int32', indices.subarray(0, count), [count]),
          }),
    close: async () => {
      await everySession.release();
      await someSession.release();
    },
  };
}

export interface OnnxCodeDots {
  /** The exact integer dot products of `query` (-127..127) with every row of codes (stored offset by 128). */
  dots(query: Int8Array): Promise<Int32Array>;
  close(): Promise<void>;
}

/**
 * Integer dot products with every row of an n x d matrix of 8-bit codes, on onnxruntime's u8 x s8
 * kernel (MatMulInteger with the rows' zero point at 128): a quarter of the bytes of a float pass,
 * and about half its time at 100,000 x 1,792 here.
 */
export async function openOnnxCodeDots(codes: Uint8Array, n: number, d: number, threads = 1): Promise<OnnxCodeDots> {
  const ort = await loadOrt();
  const builder = new OnnxModelBuilder('code-dots');
  builder.input('rows', 'uint8', ['N', d]);
  builder.input('query', 'int8', [d, 1]);
  builder.initializer('rows_zero', [], Uint8Array.of(128));
  builder.node('MatMulInteger', ['rows', 'query', 'rows_zero'], 'dots');
  builder.output('dots', 'int32', ['N', 1]);
  const session = await ort.InferenceSession.create(builder.encode(), sessionOptions(threads));
  const matrix = new ort.Tensor('uint8', codes, [n, d]);
  return {
    async dots(query) {
      const result = await session.run({ rows: matrix, query: new ort.Tensor('int8', query, [d, 1]) });
      const dots = result.dots!;
      const values = dots.data as Int32Array;
      dots.dispose();
      return values;
    },
    close: () => session.release(),
  };
}
