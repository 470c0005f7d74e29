import { requireDatasetRow } from '../catalog/dataset.service.js';
import { findSampleKeys } from '../catalog/embedding.repository.js';
import { openOnnxImageEncoder } from '../embeddings/onnx.image-encoder.js';
import { AppError } from '../errors.js';
import { createSharpImageTensorDecoder } from '../media/sharp.image-tensor.js';
import { modelSpec, resolveModel, type ModelDeps } from './embedding-models.js';
import { loadVectorIndex, openNeighbourSearch, type NeighboursReport } from './vector-index.js';

/**
 * The samples most like an image that is not in the dataset (an upload): it is embedded with the
 * model the dataset's vectors came from, then searched like `winnow similar`.
 */
export async function findSimilarToImage(
  deps: ModelDeps,
  datasetName: string,
  image: Buffer,
  options: { model?: string | undefined; k?: number | undefined } = {},
): Promise<Omit<NeighboursReport, 'key'>> {
  const k = options.k ?? 20;
  if (!Number.isInteger(k) || k < 1 || k > 1000) throw new AppError('InputInvalid', `k must be a whole number from 1 to 1000, got ${String(options.k)}.`);
  const dataset = await requireDatasetRow(deps, datasetName);
  const { model, path } = await resolveModel(deps, options.model);
  const spec = modelSpec(model);
  const pixels = await createSharpImageTensorDecoder().decode(image, spec.inputSize);
  const encoder = await openOnnxImageEncoder(path, spec, { threads: 1 });
  let vector: Float32Array;
  try {
    [vector] = (await encoder.encode([pixels])) as [Float32Array];
  } finally {
    await encoder.close();
  }
  const search = await openNeighbourSearch(deps, await loadVectorIndex(deps, dataset, model));
  try {
    const started = performance.now();
    const found = await search.nearest(vector, k);
    const queryMs = performance.now() - started;
    const keys = await findSampleKeys(
      deps.database.db,
      found.map((entry) => entry.sampleId),
    );
    return {
      dataset: dataset.name,
      model: model.name,
      neighbours: found.map((entry) => ({ key: keys.get(entry.sampleId)!, distance: entry.distance })),
      queryMs: Math.round(queryMs * 10) / 10,
    };
  } finally {
    await search.close();
  }
}
