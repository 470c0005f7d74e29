import { requireDatasetRow } from '../catalog/dataset.service.js';
import { findEmbeddingMap, saveEmbeddingMap, type EmbeddingMap } from '../catalog/embedding-map.repository.js';
import { findSampleKeys } from '../catalog/embedding.repository.js';
import { openOnnxNearestSearch } from '../embeddings/onnx.vector-math.js';
import { AppError } from '../errors.js';
import { placeByNeighbours, umapLayout } from '../selection/umap-layout.js';
import { findRegisteredModel, type ModelDeps } from './embedding-models.js';
import { loadVectorIndex, type VectorIndex } from './vector-index.js';

export type MapMethod = 'pca' | 'umap';

/** Samples UMAP is fitted on; the others are placed by their nearest fitted samples. */
export const UMAP_FIT_LIMIT = 20_000;
/** UMAP works on the first dimensions of the reduced copy (PCA), as is usual for high-dimensional inputs. */
const UMAP_INPUT_DIMENSIONS = 32;
const PLACE_NEIGHBOURS = 5;

export interface DatasetMap {
  dataset: string;
  model: string;
  method: MapMethod;
  points: number;
  sampleIds: Float64Array;
  keys: string[];
  /** x, y per point. */
  coordinates: Float32Array;
  /** Whether this call computed it (else it came from the catalog's cache). */
  computed: boolean;
  durationMs: number;
}

/**
 * A dataset's vectors of one model in 2-D, cached in the catalog until the vectors change:
 * `pca` takes the first two principal components of the reduced copy (fast); `umap` fits UMAP
 * on at most 20,000 samples spread over the set and places the rest at the weighted mean of
 * their five nearest fitted samples.
 */
export async function datasetMap(
  deps: ModelDeps,
  datasetName: string,
  options: { model?: string | undefined; method?: MapMethod | undefined } = {},
): Promise<DatasetMap> {
  const started = performance.now();
  const method = options.method ?? 'pca';
  if (method !== 'pca' && method !== 'umap') throw new AppError('InputInvalid', `--method must be pca or umap, got ${String(method)}.`);
  const dataset = await requireDatasetRow(deps, datasetName);
  const model = await findRegisteredModel(deps, options.model);
  const index = await loadVectorIndex(deps, dataset, model);
  let map = await findEmbeddingMap(deps.database.db, dataset.id, model.id, method);
  let computed = false;
  if (map?.fingerprint !== index.fingerprint) {
    const coordinates = method === 'pca' ? pcaCoordinates(index) : await umapCoordinates(index);
    map = { method, fingerprint: index.fingerprint, sampleIds: index.sampleIds, coordinates, createdAt: deps.clock().toISOString() } satisfies EmbeddingMap;
    await saveEmbeddingMap(deps.database.db, dataset.id, model.id, map);
    computed = true;
  }
  const ids = [...map.sampleIds];
  const keys = await findSampleKeys(deps.database.db, ids);
  return {
    dataset: dataset.name,
    model: model.name,
    method,
    points: ids.length,
    sampleIds: map.sampleIds,
    keys: ids.map((id) => keys.get(id) ?? ''),
    coordinates: map.coordinates,
    computed,
    durationMs: Math.round(performance.now() - started),
  };
}

function pcaCoordinates(index: VectorIndex): Float32Array {
  const n = index.sampleIds.length;
  const k = index.pca.count;
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    out[i * 2] = index.reduced[i * k]!;
    out[i * 2 + 1] = k > 1 ? index.reduced[i * k + 1]! : 0;
  }
  return out;
}

/** UMAP coordinates of an index's reduced copy (exported for the benchmark). */
export async function umapCoordinates(index: Pick<VectorIndex, 'sampleIds' | 'reduced' | 'pca'>): Promise<Float32Array> {
  const n = index.sampleIds.length;
  const k = index.pca.count;
  const d = Math.min(UMAP_INPUT_DIMENSIONS, k);
  const columns = (row: number) => index.reduced.subarray(row * k, row * k + d);
  const step = n <= UMAP_FIT_LIMIT ? 1 : n / UMAP_FIT_LIMIT;
  const fittedRows = Array.from({ length: Math.min(n, UMAP_FIT_LIMIT) }, (_, i) => Math.floor(i * step));
  const fit = new Float32Array(fittedRows.length * d);
  fittedRows.forEach((row, i) => fit.set(columns(row), i * d));
  const layout = umapLayout(fit, fittedRows.length, d);
  const out = new Float32Array(n * 2);
  fittedRows.forEach((row, i) => {
    out[row * 2] = layout[i * 2]!;
    out[row * 2 + 1] = layout[i * 2 + 1]!;
  });
  if (fittedRows.length === n) return out;
  const fittedSet = new Set(fittedRows);
  const rest = Array.from({ length: n }, (_, i) => i).filter((row) => !fittedSet.has(row));
  const search = await openOnnxNearestSearch(fit, fittedRows.length, d);
  try {
    for (let start = 0; start < rest.length; start += 4_096) {
      const chunk = rest.slice(start, start + 4_096);
      const queries = new Float32Array(chunk.length * d);
      chunk.forEach((row, i) => queries.set(columns(row), i * d));
      const neighbours = await search.search(queries, chunk.length, PLACE_NEIGHBOURS);
      const distances = new Float32Array(neighbours.length);
      chunk.forEach((row, i) => {
        for (let j = 0; j < PLACE_NEIGHBOURS; j++) {
          const other = neighbours[i * PLACE_NEIGHBOURS + j]!;
          let sum = 0;
          for (let c = 0; c < d; c++) sum += (queries[i * d + c]! - fit[other * d + c]!) ** 2;
          distances[i * PLACE_NEIGHBOURS + j] = Math.sqrt(sum);
        }
      });
      const placed = placeByNeighbours(layout, neighbours, distances, chunk.length, PLACE_NEIGHBOURS);
      chunk.forEach((row, i) => {
        out[row * 2] = placed[i * 2]!;
        out[row * 2 + 1] = placed[i * 2 + 1]!;
      });
    }
  } finally {
    await search.close();
  }
  return out;
}
