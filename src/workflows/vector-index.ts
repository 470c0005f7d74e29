import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireDatasetRow } from '../catalog/dataset.service.js';
import type { Dataset } from '../catalog/dataset.repository.js';
import type { EmbeddingModel } from '../catalog/embedding-model.repository.js';
import { describeVectorSet, findSampleKeys, findVectors, listVectorSample } from '../catalog/embedding.repository.js';
import { findSamplesByKeys } from '../catalog/sample.repository.js';
import { openOnnxMatMul, openOnnxNearestSearch, type OnnxNearestSearch } from '../embeddings/onnx.vector-math.js';
import { setUnit } from '../embeddings/vectors.js';
import { AppError, quoteInput } from '../errors.js';
import type { MatMul } from '../selection/linear-algebra.js';
import { exactNearest } from '../selection/nearest.js';
import { fitPca, projectPca, type PcaModel } from '../selection/pca.js';
import { DEFAULT_MODEL, findRegisteredModel, modelVersion, type ModelDeps } from './embedding-models.js';
import { forEachVectorPage } from './embedding-vectors.js';

/** Dimensions of the reduced copy searched first; the candidates are then ranked on the full vectors. */
export const REDUCED_DIMENSIONS = 64;
/** Vectors the projection is fitted on. */
const FIT_SAMPLE = 2_000;
/** Candidates taken from the reduced copy per neighbour asked for (at least 100). */
const CANDIDATES_PER_NEIGHBOUR = 10;

/**
 * A reduced copy of a dataset's vectors of one model, for nearest-neighbour queries and maps:
 * PCA to 64 dimensions (fitted on 2,000 vectors spread over the set), one row per sample, held
 * in memory and in `<home>/indexes/` (rebuilt when the vectors change). The catalog keeps the
 * full vectors; queries re-rank the reduced copy's candidates on them.
 */
export interface VectorIndex {
  datasetId: string;
  model: EmbeddingModel;
  fingerprint: string;
  pca: PcaModel;
  sampleIds: Float64Array;
  /** `sampleIds.length` x `pca.count`. */
  reduced: Float32Array;
  /** Whether this call built it (else read from the file). */
  built: boolean;
  buildMs: number;
}

export interface Neighbour {
  key: string;
  /** Cosine distance on the full vectors (0: same direction). */
  distance: number;
}

export async function openMatMul(): Promise<{ matmul: MatMul; close: () => Promise<void> }> {
  const onnx = await openOnnxMatMul();
  return { matmul: (a, m, k, b, n) => onnx.multiply(a, m, k, b, n), close: onnx.close };
}

/** The dataset's reduced copy, from `<home>/indexes/` when current, else built from the catalog's vectors. */
export async function loadVectorIndex(deps: ModelDeps, dataset: Dataset, model: EmbeddingModel): Promise<VectorIndex> {
  const version = modelVersion(model);
  const state = await describeVectorSet(deps.database.db, dataset.id, version);
  if (state.count === 0) {
    throw new AppError('EmbeddingsNotFound', `"${dataset.name}" has no vectors from model "${model.name}".`, {
      hint: `Compute them with \`winnow embed ${dataset.name}${model.name === DEFAULT_MODEL ? '' : ` --model ${model.name}`}\`.`,
    });
  }
  const file = join(deps.config.home, 'indexes', `${dataset.id}-${model.id}.bin`);
  const cached = await readIndexFile(file).catch(() => undefined);
  if (cached?.fingerprint === state.fingerprint) return { ...cached, datasetId: dataset.id, model, built: false, buildMs: 0 };

  const started = performance.now();
  const { matmul, close } = await openMatMul();
  try {
    const d = model.dimensions;
    const sample = await listVectorSample(deps.database.db, dataset.id, version, Math.max(1, Math.floor(state.count / FIT_SAMPLE)), FIT_SAMPLE);
    const rows = new Float32Array(sample.length * d);
    sample.forEach((entry, index) => setUnit(rows, index * d, entry.vector));
    const pca = await fitPca(rows, sample.length, d, Math.min(REDUCED_DIMENSIONS, d), matmul);
    const sampleIds = new Float64Array(state.count);
    const reduced = new Float32Array(state.count * pca.count);
    let filled = 0;
    await forEachVectorPage(
      deps,
      dataset.id,
      version,
      async (page) => {
        if (filled + page.length > state.count)
          throw new AppError(
            'DatasetBusy',
            `The vectors of "${dataset.name}" changed while their index was built; try again once \`winnow embed\` has finished.`,
          );
        const block = new Float32Array(page.length * d);
        page.forEach((entry, index) => {
          setUnit(block, index * d, entry.vector);
          sampleIds[filled + index] = entry.sampleId;
        });
        reduced.set(await projectPca(pca, block, page.length, matmul), filled * pca.count);
        filled += page.length;
      },
      5_000,
    );
    const index = { fingerprint: state.fingerprint, pca, sampleIds: sampleIds.subarray(0, filled), reduced: reduced.subarray(0, filled * pca.count) };
    await writeIndexFile(file, index);
    return { ...index, datasetId: dataset.id, model, built: true, buildMs: performance.now() - started };
  } finally {
    await close();
  }
}

/** A loaded index ready for queries: onnxruntime holds the reduced copy. */
export interface NeighbourSearch {
  index: VectorIndex;
  /** The `k` nearest samples to a vector of this model, nearest first; `exclude` leaves a sample out (the query's own). */
  nearest(vector: Float32Array, k: number, exclude?: number): Promise<Array<{ sampleId: number; distance: number }>>;
  close(): Promise<void>;
}

export async function openNeighbourSearch(deps: ModelDeps, index: VectorIndex): Promise<NeighbourSearch> {
  const search: OnnxNearestSearch = await openOnnxNearestSearch(index.reduced, index.sampleIds.length, index.pca.count);
  const { matmul, close } = await openMatMul();
  return {
    index,
    async nearest(given, k, exclude) {
      const vector = new Float32Array(given.length);
      setUnit(vector, 0, given);
      const query = await projectPca(index.pca, vector, 1, matmul);
      const candidates = await search.search(query, 1, Math.max(100, k * CANDIDATES_PER_NEIGHBOUR));
      // In sample id order, so equal distances (copies of one image) rank the same whatever order onnxruntime's top-k gave.
      const ids = [...candidates]
        .map((row) => index.sampleIds[row]!)
        .filter((id) => id !== exclude)
        .sort((a, b) => a - b);
      // Re-rank on the full vectors from the catalog.
      const full = await findVectors(deps.database.db, index.datasetId, modelVersion(index.model), ids);
      const present = ids.filter((id) => full.has(id));
      const rows = new Float32Array(present.length * vector.length);
      present.forEach((id, at) => setUnit(rows, at * vector.length, full.get(id)!.vector));
      return exactNearest(vector, rows, present.length, k).map((neighbour) => ({ sampleId: present[neighbour.index]!, distance: neighbour.distance }));
    },
    async close() {
      await search.close();
      await close();
    },
  };
}

export interface NeighboursReport {
  dataset: string;
  model: string;
  key: string;
  neighbours: Neighbour[];
  /** Time of the query itself (reduced copy + re-ranking), not of loading the index. */
  queryMs: number;
}

/** `winnow embeddings neighbours <dataset> <key>`: the samples most like one sample. */
export async function findNeighbours(
  deps: ModelDeps,
  datasetName: string,
  key: string,
  options: { model?: string | undefined; k?: number | undefined } = {},
): Promise<NeighboursReport> {
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 1 || k > 1000) throw new AppError('InputInvalid', `--k must be a whole number from 1 to 1000, got ${String(options.k)}.`);
  const dataset = await requireDatasetRow(deps, datasetName);
  const model = await findRegisteredModel(deps, options.model);
  const [sample] = await findSamplesByKeys(deps.database.db, dataset.id, [key]);
  const own = sample === undefined ? undefined : (await findVectors(deps.database.db, dataset.id, modelVersion(model), [sample.id])).get(sample.id);
  if (own === undefined)
    throw new AppError('EmbeddingsNotFound', `${quoteInput(key)} has no vector from model "${model.name}" in "${dataset.name}".`, {
      hint: 'Check the key with `winnow samples list`, then run `winnow embed`.',
    });
  const index = await loadVectorIndex(deps, dataset, model);
  const search = await openNeighbourSearch(deps, index);
  try {
    const started = performance.now();
    const found = await search.nearest(own.vector, k, own.sampleId);
    const queryMs = performance.now() - started;
    const keys = await findSampleKeys(
      deps.database.db,
      found.map((entry) => entry.sampleId),
    );
    return {
      dataset: dataset.name,
      model: model.name,
      key,
      neighbours: found.map((entry) => ({ key: keys.get(entry.sampleId)!, distance: entry.distance })),
      queryMs: Math.round(queryMs * 10) / 10,
    };
  } finally {
    await search.close();
  }
}

const MAGIC = 'winnow-vector-index-1';

async function writeIndexFile(file: string, index: Pick<VectorIndex, 'fingerprint' | 'pca' | 'sampleIds' | 'reduced'>): Promise<void> {
  const header = Buffer.from(
    JSON.stringify({
      magic: MAGIC,
      fingerprint: index.fingerprint,
      n: index.sampleIds.length,
      d: index.pca.dimensions,
      k: index.pca.count,
      totalVariance: index.pca.totalVariance,
    }),
  );
  const parts = [index.pca.mean, index.pca.components, Float32Array.from(index.pca.variances), index.sampleIds, index.reduced].map((array) =>
    Buffer.from(array.buffer, array.byteOffset, array.byteLength),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  await mkdir(join(file, '..'), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, Buffer.concat([length, header, Buffer.alloc((8 - ((4 + header.length) % 8)) % 8), ...parts]));
  await rename(temporary, file);
}

async function readIndexFile(file: string): Promise<Pick<VectorIndex, 'fingerprint' | 'pca' | 'sampleIds' | 'reduced'>> {
  const bytes = await readFile(file);
  const headerLength = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as {
    magic: string;
    fingerprint: string;
    n: number;
    d: number;
    k: number;
    totalVariance: number;
  };
  if (header.magic !== MAGIC) throw new Error('not an index file');
  let offset = 4 + headerLength + ((8 - ((4 + headerLength) % 8)) % 8);
  const take = <T>(make: (buffer: ArrayBuffer) => T, count: number, width: number): T => {
    const slice = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + count * width);
    offset += count * width;
    return make(slice);
  };
  const mean = take((buffer) => new Float32Array(buffer), header.d, 4);
  const components = take((buffer) => new Float32Array(buffer), header.k * header.d, 4);
  const variances = Float64Array.from(take((buffer) => new Float32Array(buffer), header.k, 4));
  const sampleIds = take((buffer) => new Float64Array(buffer), header.n, 8);
  const reduced = take((buffer) => new Float32Array(buffer), header.n * header.k, 4);
  return {
    fingerprint: header.fingerprint,
    pca: { dimensions: header.d, count: header.k, mean, components, variances, totalVariance: header.totalVariance },
    sampleIds,
    reduced,
  };
}
