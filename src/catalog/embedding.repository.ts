import { sql } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { EmbeddingStatus } from '../db/schema.js';
import type { Sample } from './sample.repository.js';

export type { EmbeddingStatus };

/** The model a dataset's vectors belong to: its id and the sha256 of the file that made them. */
export interface ModelVersion {
  id: string;
  sha256: string;
}

/** A live sample that needs a vector from this model version, with what the run checks before reading it. */
export type EmbeddingWork = Pick<Sample, 'id' | 'key' | 'size' | 'etag' | 'width' | 'height'> & {
  /** The sample's thumbnail made from its present content (same etag), if any: `embed` may read it instead of the original. */
  thumbnail: ThumbnailOfSample | null;
};

/** A thumbnail Winnow wrote: its full key in the output location and its size as displayed. */
export interface ThumbnailOfSample {
  key: string;
  width: number;
  height: number;
}

/** What an embed run (or an import) did for one sample. */
export interface EmbeddingRecord {
  sampleId: number;
  datasetId: string;
  sourceEtag: string | null;
  status: EmbeddingStatus;
  /** Unit length; null unless status is `ok`. */
  vector: Float32Array | null;
  /** The image's thumbnail descriptor (see thumbnail-descriptor.ts), when Winnow embedded it; null for imported vectors. */
  descriptor?: Int8Array | null | undefined;
  error: string | null;
  updatedAt: string;
}

/** A stored vector of a live sample, current for the sample's etag and the model's file. */
export interface StoredVector {
  sampleId: number;
  key: string;
  vector: Float32Array;
}

/** Float32 values as little-endian bytes (every platform Node runs on is little-endian). */
export function vectorToBytes(vector: Float32Array): Uint8Array {
  return new Uint8Array(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength));
}

export function bytesToVector(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/** A sample needs work unless a row of this model version holds its present etag and is `ok` or `rejected`. */
const needsWork = (model: ModelVersion) =>
  sql<boolean>`(e.sample_id is null or e.status = 'failed' or e.model_sha256 <> ${model.sha256} or e.source_etag is distinct from s.etag)`;

/** Live samples after `afterId` (in id order) without a current vector of this model version. */
export async function listEmbeddingWorkAfter(db: Executor, datasetId: string, model: ModelVersion, afterId: number, limit: number): Promise<EmbeddingWork[]> {
  const rows = await db
    .selectFrom('samples as s')
    .leftJoin('embeddings as e', (join) => join.onRef('e.sample_id', '=', 's.id').on('e.model_id', '=', model.id))
    // Only a thumbnail of the present content: one made before the original changed would give the new etag an old picture's vector.
    .leftJoin('thumbnails as t', (join) => join.onRef('t.sample_id', '=', 's.id').onRef('t.source_etag', '=', 's.etag').on('t.status', '=', 'ok'))
    .select(['s.id', 's.key', 's.size', 's.etag', 's.width', 's.height', 't.key as thumbnailKey', 't.width as thumbnailWidth', 't.height as thumbnailHeight'])
    .where('s.dataset_id', '=', datasetId)
    .where('s.removed_at', 'is', null)
    .where('s.id', '>', afterId)
    .where(needsWork(model))
    .orderBy('s.id')
    .limit(limit)
    .execute();
  return rows.map(({ thumbnailKey, thumbnailWidth, thumbnailHeight, ...sample }) => ({
    ...sample,
    thumbnail:
      thumbnailKey !== null && thumbnailWidth !== null && thumbnailHeight !== null
        ? { key: thumbnailKey, width: Number(thumbnailWidth), height: Number(thumbnailHeight) }
        : null,
  }));
}

export interface EmbeddingWorkCount {
  /** Live samples. */
  total: number;
  /** Of which still need a vector (or a verdict) from this model version. */
  pending: number;
}

export async function countEmbeddingWork(db: Executor, datasetId: string, model: ModelVersion): Promise<EmbeddingWorkCount> {
  const row = await db
    .selectFrom('samples as s')
    .leftJoin('embeddings as e', (join) => join.onRef('e.sample_id', '=', 's.id').on('e.model_id', '=', model.id))
    .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.sum<number>(sql`case when ${needsWork(model)} then 1 else 0 end`).as('pending')])
    .where('s.dataset_id', '=', datasetId)
    .where('s.removed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), pending: Number(row.pending ?? 0) };
}

/** Records what was done for each sample, replacing earlier outcomes (one row per sample and model). */
export async function recordEmbeddings(db: Executor, model: ModelVersion, records: readonly EmbeddingRecord[]): Promise<void> {
  if (records.length === 0) return;
  // 10 values a row: well under SQLite's 32,766 bound values per statement in chunks of 500.
  for (let start = 0; start < records.length; start += 500) {
    const rows = records.slice(start, start + 500).map((record) => ({
      model_id: model.id,
      sample_id: record.sampleId,
      dataset_id: record.datasetId,
      model_sha256: model.sha256,
      source_etag: record.sourceEtag,
      status: record.status,
      vector: record.vector === null ? null : vectorToBytes(record.vector),
      descriptor: record.descriptor
        ? new Uint8Array(record.descriptor.buffer.slice(record.descriptor.byteOffset, record.descriptor.byteOffset + record.descriptor.byteLength))
        : null,
      error: record.error,
      updated_at: record.updatedAt,
    }));
    await db
      .insertInto('embeddings')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['model_id', 'sample_id']).doUpdateSet((eb) => ({
          dataset_id: eb.ref('excluded.dataset_id'),
          model_sha256: eb.ref('excluded.model_sha256'),
          source_etag: eb.ref('excluded.source_etag'),
          status: eb.ref('excluded.status'),
          vector: eb.ref('excluded.vector'),
          descriptor: eb.ref('excluded.descriptor'),
          error: eb.ref('excluded.error'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

/** Drops the vectors of samples that vanished from the bucket; returns how many. */
export async function deleteEmbeddingsOfRemovedSamples(db: Executor, datasetId: string, modelId: string): Promise<number> {
  const result = await db
    .deleteFrom('embeddings')
    .where('dataset_id', '=', datasetId)
    .where('model_id', '=', modelId)
    .where('sample_id', 'in', (eb) => eb.selectFrom('samples').select('id').where('dataset_id', '=', datasetId).where('removed_at', 'is not', null))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Vectors of this model version computed from what the live sample holds now (its etag), embedded without error. */
function currentVectors(db: Executor, datasetId: string, model: ModelVersion) {
  return db
    .selectFrom('embeddings as e')
    .innerJoin('samples as s', 's.id', 'e.sample_id')
    .where('e.model_id', '=', model.id)
    .where('e.dataset_id', '=', datasetId)
    .where('e.status', '=', 'ok')
    .where('e.model_sha256', '=', model.sha256)
    .where('s.removed_at', 'is', null)
    .where(sql<boolean>`e.source_etag is not distinct from s.etag`);
}

/**
 * The next `limit` current vectors after `afterId` in sample id order, read as bounded id ranges: the embeddings
 * index gives the id of the `limit`-th candidate row after the range's start, then `read` fetches the join within
 * (start, that id], in order; when candidates drop out (removed sample, changed etag) the next range continues
 * after it, `limit` candidates at a time so a run of stale rows costs few round trips. As one join ordered by id
 * with a limit, PostgreSQL walked samples_pkey from the first id on every page (it does not carry
 * `e.sample_id > afterId` over to `s.id`), so a pass cost grew with the square of the vector count.
 */
async function pageOfCurrentVectors<Row>(
  db: Executor,
  datasetId: string,
  model: ModelVersion,
  afterId: number,
  limit: number,
  read: (query: ReturnType<typeof currentVectors>) => Promise<Row[]>,
): Promise<Row[]> {
  const page: Row[] = [];
  for (let from = afterId; page.length < limit;) {
    const candidates = db
      .selectFrom('embeddings')
      .select('sample_id')
      .where('dataset_id', '=', datasetId)
      .where('model_id', '=', model.id)
      .where('status', '=', 'ok')
      .where('model_sha256', '=', model.sha256)
      .where('sample_id', '>', from)
      .orderBy('sample_id')
      .limit(limit);
    const { last } = await db
      .selectFrom(candidates.as('c'))
      .select((eb) => eb.fn.max('c.sample_id').as('last'))
      .executeTakeFirstOrThrow();
    if (last === null) break;
    const through = Number(last);
    const rows = await read(
      currentVectors(db, datasetId, model)
        .where('e.sample_id', '>', from)
        .where('e.sample_id', '<=', through)
        .where('s.id', '>', from)
        .where('s.id', '<=', through)
        .orderBy('e.sample_id')
        .limit(limit - page.length),
    );
    page.push(...rows);
    from = through;
  }
  return page;
}

/** Current vectors of live samples after `afterId`, in sample id order (keyset pages). */
export async function listVectorsAfter(db: Executor, datasetId: string, model: ModelVersion, afterId: number, limit: number): Promise<StoredVector[]> {
  const rows = await pageOfCurrentVectors(db, datasetId, model, afterId, limit, (query) => query.select(['s.id', 's.key', 'e.vector']).execute());
  return rows.map((row) => ({ sampleId: row.id, key: row.key, vector: bytesToVector(row.vector!) }));
}

/**
 * One keyset page in key order: the next `limit` live samples after `afterKey` (null: from the first key) and the
 * current vectors among them (a page may hold fewer, or none). Key order is the bucket's (UTF-8 bytes, as
 * `compareKeys`), which both dialects' key columns sort by; unlike sample ids, it does not depend on how a sync
 * listed the keys. The samples come from the (dataset_id, key) index and their vectors by primary key, so each
 * page costs the same wherever it starts: as one join ordered by key, PostgreSQL hashed every vector of the
 * dataset and sorted them for each page (300 ms a page at 200,000 vectors; this way 100,000 took 5 s in all).
 */
export async function listVectorsAfterKey(
  db: Executor,
  datasetId: string,
  model: ModelVersion,
  afterKey: string | null,
  limit: number,
): Promise<{ vectors: StoredVector[]; lastKey: string | null }> {
  const samples = await db
    .selectFrom('samples')
    .select(['id', 'key'])
    .where('dataset_id', '=', datasetId)
    .where('removed_at', 'is', null)
    .$if(afterKey !== null, (query) => query.where('key', '>', afterKey!))
    .orderBy('key')
    .limit(limit)
    .execute();
  const found = await findVectors(
    db,
    datasetId,
    model,
    samples.map((sample) => sample.id),
  );
  return { vectors: samples.flatMap((sample) => found.get(sample.id) ?? []), lastKey: samples.at(-1)?.key ?? null };
}

/** Current vectors of the given samples, by sample id. */
export async function findVectors(db: Executor, datasetId: string, model: ModelVersion, sampleIds: readonly number[]): Promise<Map<number, StoredVector>> {
  const found = new Map<number, StoredVector>();
  for (let start = 0; start < sampleIds.length; start += 1_000) {
    const rows = await currentVectors(db, datasetId, model)
      .select(['s.id', 's.key', 'e.vector'])
      .where('e.sample_id', 'in', sampleIds.slice(start, start + 1_000))
      .execute();
    for (const row of rows) found.set(row.id, { sampleId: row.id, key: row.key, vector: bytesToVector(row.vector!) });
  }
  return found;
}

export interface VectorSetState {
  /** Current vectors of live samples. */
  count: number;
  /** Changes whenever a vector is added, replaced or drops out (for caches of maps and indexes). */
  fingerprint: string;
}

export async function describeVectorSet(db: Executor, datasetId: string, model: ModelVersion): Promise<VectorSetState> {
  const row = await db
    .selectFrom('embeddings as e')
    .innerJoin('samples as s', 's.id', 'e.sample_id')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('e.updated_at').as('latest'), eb.fn.sum<number>('e.sample_id').as('ids')])
    .where('e.model_id', '=', model.id)
    .where('e.dataset_id', '=', datasetId)
    .where('e.status', '=', 'ok')
    .where('e.model_sha256', '=', model.sha256)
    .where('s.removed_at', 'is', null)
    .where(sql<boolean>`e.source_etag is not distinct from s.etag`)
    .executeTakeFirstOrThrow();
  const count = Number(row.count);
  return { count, fingerprint: `${model.sha256.slice(0, 16)}:${count}:${String(row.ids ?? 0)}:${row.latest ?? ''}` };
}

export interface EmbeddingCounts {
  modelId: string;
  /** Live samples with a current vector. */
  ok: number;
  /** Live samples whose present content cannot be embedded. */
  rejected: number;
}

/** Per model: how many live samples of the dataset have a current vector or a verdict. */
export async function countEmbeddings(db: Executor, datasetId: string, models: readonly ModelVersion[]): Promise<EmbeddingCounts[]> {
  const counts: EmbeddingCounts[] = [];
  for (const model of models) {
    const rows = await db
      .selectFrom('embeddings as e')
      .innerJoin('samples as s', 's.id', 'e.sample_id')
      .select((eb) => ['e.status', eb.fn.countAll<number>().as('n')])
      .where('e.model_id', '=', model.id)
      .where('e.dataset_id', '=', datasetId)
      .where('e.model_sha256', '=', model.sha256)
      .where('s.removed_at', 'is', null)
      .where(sql<boolean>`e.source_etag is not distinct from s.etag`)
      .groupBy('e.status')
      .execute();
    const byStatus = new Map(rows.map((row) => [row.status, Number(row.n)]));
    counts.push({ modelId: model.id, ok: byStatus.get('ok') ?? 0, rejected: byStatus.get('rejected') ?? 0 });
  }
  return counts;
}

/** Errors of samples that could not be embedded, for reports. */
export async function listEmbeddingErrors(
  db: Executor,
  datasetId: string,
  model: ModelVersion,
  limit: number,
): Promise<Array<{ key: string; status: EmbeddingStatus; error: string | null }>> {
  return db
    .selectFrom('embeddings as e')
    .innerJoin('samples as s', 's.id', 'e.sample_id')
    .select(['s.key', 'e.status', 'e.error'])
    .where('e.model_id', '=', model.id)
    .where('e.dataset_id', '=', datasetId)
    .where('e.status', '<>', 'ok')
    .where('s.removed_at', 'is', null)
    .orderBy('s.key')
    .limit(limit)
    .execute();
}

/** About `limit` current vectors spread over the whole set (every `step`-th sample id), for fitting a projection. */
export async function listVectorSample(db: Executor, datasetId: string, model: ModelVersion, step: number, limit: number): Promise<StoredVector[]> {
  const rows = await db
    .selectFrom('embeddings as e')
    .innerJoin('samples as s', 's.id', 'e.sample_id')
    .select(['s.id', 's.key', 'e.vector'])
    .where('e.model_id', '=', model.id)
    .where('e.dataset_id', '=', datasetId)
    .where('e.status', '=', 'ok')
    .where('e.model_sha256', '=', model.sha256)
    .where('s.removed_at', 'is', null)
    .where(sql<boolean>`e.source_etag is not distinct from s.etag`)
    .where(sql<boolean>`e.sample_id % ${Math.max(1, Math.floor(step))} = 0`)
    .orderBy('e.sample_id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ sampleId: row.id, key: row.key, vector: bytesToVector(row.vector!) }));
}

/** Keys of samples by id (for answers that name samples). */
export async function findSampleKeys(db: Executor, sampleIds: readonly number[]): Promise<Map<number, string>> {
  const keys = new Map<number, string>();
  for (let start = 0; start < sampleIds.length; start += 1_000) {
    const rows = await db
      .selectFrom('samples')
      .select(['id', 'key'])
      .where('id', 'in', sampleIds.slice(start, start + 1_000))
      .execute();
    for (const row of rows) keys.set(row.id, row.key);
  }
  return keys;
}

/** What `winnow duplicates` reads of a live sample with a current vector. */
export interface DuplicateRow {
  sampleId: number;
  vector: Float32Array;
  /** Null when the vector was imported or embedded before descriptors were kept. */
  descriptor: Int8Array | null;
}

/** Current vectors and descriptors of live samples after `afterId`, in sample id order (keyset pages). */
export async function listDuplicateRowsAfter(db: Executor, datasetId: string, model: ModelVersion, afterId: number, limit: number): Promise<DuplicateRow[]> {
  const rows = await pageOfCurrentVectors(db, datasetId, model, afterId, limit, (query) => query.select(['s.id', 'e.vector', 'e.descriptor']).execute());
  return rows.map((row) => ({
    sampleId: row.id,
    vector: bytesToVector(row.vector!),
    descriptor: row.descriptor === null ? null : Int8Array.from(row.descriptor, (byte) => (byte << 24) >> 24),
  }));
}
