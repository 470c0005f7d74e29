import type { ThumbnailRow, ThumbnailStatus } from '../db/schema.js';
import type { Sample } from './sample.repository.js';
import type { Executor } from '../db/executor.js';

/** A sample that needs a thumbnail, with what the job checks before reading it. */
export type ThumbnailWork = Pick<Sample, 'id' | 'key' | 'size' | 'etag' | 'width' | 'height'> & {
  /** The key of the thumbnail it has now (older content, another size or format); null when none was written. */
  thumbnailKey: string | null;
};

/** What a thumbnail job did for one sample. */
export interface ThumbnailRecord {
  sampleId: number;
  datasetId: string;
  /** `rejected`: the image cannot be made into one (not retried until it changes); `failed`: the storage failed (retried). */
  status: ThumbnailStatus;
  /** Full key in the output location; null unless status is `ok`. */
  key: string | null;
  /** Etag of the bytes it was made from; a sample whose etag differs needs a new one. */
  sourceEtag: string | null;
  /** The box it fits in (longest side, px). */
  boxSize: number;
  width: number | null;
  height: number | null;
  bytes: number | null;
  error: string | null;
  updatedAt: string;
}

function toThumbnailRecord(row: ThumbnailRow): ThumbnailRecord {
  return {
    sampleId: row.sample_id,
    datasetId: row.dataset_id,
    status: row.status,
    key: row.key,
    sourceEtag: row.source_etag,
    boxSize: row.box_size,
    width: row.width,
    height: row.height,
    bytes: row.bytes,
    error: row.error,
    updatedAt: row.updated_at,
  };
}

/**
 * Live samples after `afterId` (in id order) that have no thumbnail of `size` for their current
 * etag: never made, made from an older version of the object, made at another size, or
 * failed on the storage side. Samples whose image was rejected stay done until the object changes.
 */
export async function listThumbnailWorkAfter(db: Executor, datasetId: string, size: number, afterId: number, limit: number): Promise<ThumbnailWork[]> {
  return db
    .selectFrom('samples as s')
    .leftJoin('thumbnails as t', 't.sample_id', 's.id')
    .select(['s.id', 's.key', 's.size', 's.etag', 's.width', 's.height', 't.key as thumbnailKey'])
    .where('s.dataset_id', '=', datasetId)
    .where('s.removed_at', 'is', null)
    .where('s.id', '>', afterId)
    .where((eb) =>
      eb.or([
        eb('t.sample_id', 'is', null),
        eb('t.status', '=', 'failed'),
        eb('t.box_size', '!=', size),
        eb('t.source_etag', 'is distinct from', eb.ref('s.etag')),
      ]),
    )
    .orderBy('s.id')
    .limit(limit)
    .execute();
}

export interface ThumbnailWorkCount {
  /** Live samples. */
  total: number;
  /** Of which still need a thumbnail of this size. */
  pending: number;
}

export async function countThumbnailWork(db: Executor, datasetId: string, size: number): Promise<ThumbnailWorkCount> {
  const row = await db
    .selectFrom('samples as s')
    .leftJoin('thumbnails as t', 't.sample_id', 's.id')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(
              eb.or([
                eb('t.sample_id', 'is', null),
                eb('t.status', '=', 'failed'),
                eb('t.box_size', '!=', size),
                eb('t.source_etag', 'is distinct from', eb.ref('s.etag')),
              ]),
            )
            .then(1)
            .else(0)
            .end(),
        )
        .as('pending'),
    ])
    .where('s.dataset_id', '=', datasetId)
    .where('s.removed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), pending: Number(row.pending ?? 0) };
}

/** Records what a thumbnail job did for one sample, replacing any earlier outcome. */
export async function recordThumbnail(db: Executor, record: ThumbnailRecord): Promise<void> {
  const outcome = {
    dataset_id: record.datasetId,
    status: record.status,
    key: record.key,
    source_etag: record.sourceEtag,
    box_size: record.boxSize,
    width: record.width,
    height: record.height,
    bytes: record.bytes,
    error: record.error,
    updated_at: record.updatedAt,
  };
  const row = { sample_id: record.sampleId, ...outcome };
  await db
    .insertInto('thumbnails')
    .values(row)
    .onConflict((oc) => oc.column('sample_id').doUpdateSet(outcome))
    .execute();
}

/** Thumbnails made from the samples' present content (same etag), by sample id. */
export async function findCurrentThumbnails(db: Executor, samples: ReadonlyArray<Pick<Sample, 'id' | 'etag'>>): Promise<Map<number, ThumbnailRecord>> {
  if (samples.length === 0) return new Map();
  const etags = new Map(samples.map((sample) => [sample.id, sample.etag]));
  const rows = await db
    .selectFrom('thumbnails')
    .selectAll()
    .where('sample_id', 'in', [...etags.keys()])
    .execute();
  return new Map(rows.filter((row) => row.source_etag === etags.get(row.sample_id)).map((row) => [row.sample_id, toThumbnailRecord(row)]));
}

export interface ThumbnailCounts {
  /** Live samples with a thumbnail of their present content. */
  ok: number;
  /** Live samples whose present content cannot be made into a thumbnail (corrupt, empty, too large). */
  rejected: number;
  /** Live samples without a usable thumbnail: never made, outdated, or failed on the storage side. */
  missing: number;
}

/**
 * Thumbnails of a dataset's live samples by state, `liveSamples` being how many there are. Driven by the
 * thumbnails, not the samples: a dataset without thumbnails costs nothing, and the missing ones are the
 * difference (at 1M samples a walk of every sample probing for its thumbnail took seconds on SQLite,
 * which blocks the whole server there).
 */
export async function countThumbnails(db: Executor, datasetId: string, liveSamples: number): Promise<ThumbnailCounts> {
  const rows = await db
    .selectFrom('thumbnails as t')
    .innerJoin('samples as s', 's.id', 't.sample_id')
    .select((eb) => ['t.status', eb.fn.countAll<number>().as('n')])
    .where('t.dataset_id', '=', datasetId)
    .where('t.status', 'in', ['ok', 'rejected'])
    .whereRef('s.etag', '=', 't.source_etag')
    .where('s.removed_at', 'is', null)
    .groupBy('t.status')
    .execute();
  const counts: ThumbnailCounts = { ok: 0, rejected: 0, missing: liveSamples };
  for (const row of rows) {
    const n = Number(row.n);
    if (row.status === 'ok') counts.ok += n;
    else counts.rejected += n;
    counts.missing -= n;
  }
  return counts;
}

/** A thumbnail Winnow wrote for a sample that has since vanished from the bucket. */
export interface OrphanedThumbnail {
  sampleId: number;
  /** Full key in the output location, as recorded when it was written. */
  key: string;
}

/** Written thumbnails of removed samples after `afterSampleId`, in sample id order. */
export async function listOrphanedThumbnailsAfter(db: Executor, datasetId: string, afterSampleId: number, limit: number): Promise<OrphanedThumbnail[]> {
  const rows = await db
    .selectFrom('thumbnails as t')
    .innerJoin('samples as s', 's.id', 't.sample_id')
    .select(['t.sample_id', 't.key'])
    .where('t.dataset_id', '=', datasetId)
    .where('s.removed_at', 'is not', null)
    .where('t.key', 'is not', null)
    .where('t.sample_id', '>', afterSampleId)
    .orderBy('t.sample_id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ sampleId: row.sample_id, key: row.key! }));
}

/** How many written thumbnails belong to removed samples, and the first keys (in key order). */
export async function countOrphanedThumbnails(db: Executor, datasetId: string, first: number): Promise<{ count: number; first: string[] }> {
  // From the removed samples (a small partial index), not from every thumbnail of the dataset.
  const orphans = db
    .selectFrom('samples as s')
    .innerJoin('thumbnails as t', 't.sample_id', 's.id')
    .where('s.dataset_id', '=', datasetId)
    .where('s.removed_at', 'is not', null)
    .where('t.key', 'is not', null);
  const [counted, keys] = await Promise.all([
    orphans.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    orphans.select('t.key').orderBy('t.key').limit(first).execute(),
  ]);
  return { count: Number(counted.n), first: keys.map((row) => row.key!) };
}

/** Forgets the thumbnails of these samples once their objects are deleted. */
export async function forgetThumbnails(db: Executor, sampleIds: readonly number[]): Promise<void> {
  if (sampleIds.length === 0) return;
  await db.deleteFrom('thumbnails').where('sample_id', 'in', sampleIds).execute();
}

/** Of `keys`, those that are the thumbnail of a live sample of one of `datasetIds`. */
export async function findThumbnailKeysInUse(db: Executor, datasetIds: readonly string[], keys: readonly string[]): Promise<Set<string>> {
  if (datasetIds.length === 0 || keys.length === 0) return new Set();
  const rows = await db
    .selectFrom('thumbnails as t')
    .innerJoin('samples as s', 's.id', 't.sample_id')
    .select('t.key')
    .where('t.dataset_id', 'in', datasetIds)
    .where('t.key', 'in', keys)
    .where('s.removed_at', 'is', null)
    .execute();
  return new Set(rows.map((row) => row.key!));
}

/** Forgets every thumbnail of a dataset (its output moved: the next sync makes them again there). */
export async function forgetDatasetThumbnails(db: Executor, datasetId: string): Promise<void> {
  await db.deleteFrom('thumbnails').where('dataset_id', '=', datasetId).execute();
}
