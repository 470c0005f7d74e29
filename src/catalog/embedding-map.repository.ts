import type { Executor } from '../db/executor.js';

/** A dataset's vectors of one model projected to 2-D, as cached. */
export interface EmbeddingMap {
  method: 'pca' | 'umap';
  fingerprint: string;
  sampleIds: Float64Array;
  /** x, y per point, in the order of `sampleIds`. */
  coordinates: Float32Array;
  createdAt: string;
}

const copyOut = (bytes: Uint8Array) => {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
};
const bytesOf = (values: Float64Array | Float32Array) => new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

export async function findEmbeddingMap(db: Executor, datasetId: string, modelId: string, method: EmbeddingMap['method']): Promise<EmbeddingMap | undefined> {
  const row = await db
    .selectFrom('embedding_maps')
    .selectAll()
    .where('dataset_id', '=', datasetId)
    .where('model_id', '=', modelId)
    .where('method', '=', method)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    method: row.method,
    fingerprint: row.fingerprint,
    sampleIds: new Float64Array(copyOut(row.sample_ids)),
    coordinates: new Float32Array(copyOut(row.coordinates)),
    createdAt: row.created_at,
  };
}

export async function saveEmbeddingMap(db: Executor, datasetId: string, modelId: string, map: EmbeddingMap): Promise<void> {
  const values = {
    fingerprint: map.fingerprint,
    points: map.sampleIds.length,
    sample_ids: bytesOf(map.sampleIds),
    coordinates: bytesOf(map.coordinates),
    created_at: map.createdAt,
  };
  await db
    .insertInto('embedding_maps')
    .values({ dataset_id: datasetId, model_id: modelId, method: map.method, ...values })
    .onConflict((oc) => oc.columns(['dataset_id', 'model_id', 'method']).doUpdateSet(values))
    .execute();
}
