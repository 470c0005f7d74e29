import type { Executor } from '../db/executor.js';
import type { DatasetRow } from '../db/schema.js';

/** A dataset as the catalog knows it (its locations are its datasources). */
export interface Dataset {
  id: string;
  name: string;
  includeGlobs: string[];
  excludeGlobs: string[];
  hasRelevantFilenames: boolean;
  /** Longest side of the thumbnails each sync makes; null when thumbnails are off. */
  thumbnailSize: number | null;
  /** Raised by every change to the dataset's samples or thumbnails (see `bumpDatasetRevision`). */
  revision: number;
  /** Samples not marked removed. */
  liveSamples: number;
  createdAt: string;
  updatedAt: string;
}

export type NewDataset = Omit<Dataset, 'revision' | 'liveSamples'>;

export interface DatasetWithLastSync extends Dataset {
  lastSyncedAt: string | null;
  syncStatus: string | null;
}

export function toDataset(row: DatasetRow): Dataset {
  return {
    id: row.id,
    name: row.name,
    includeGlobs: JSON.parse(row.include_globs) as string[],
    excludeGlobs: JSON.parse(row.exclude_globs) as string[],
    hasRelevantFilenames: row.has_relevant_filenames === 1,
    thumbnailSize: row.thumbnail_size,
    revision: row.revision,
    liveSamples: row.live_samples,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertDataset(db: Executor, dataset: NewDataset): Promise<void> {
  await db
    .insertInto('datasets')
    .values({
      id: dataset.id,
      name: dataset.name,
      include_globs: JSON.stringify(dataset.includeGlobs),
      exclude_globs: JSON.stringify(dataset.excludeGlobs),
      has_relevant_filenames: dataset.hasRelevantFilenames ? 1 : 0,
      thumbnail_size: dataset.thumbnailSize,
      revision: 0,
      live_samples: 0,
      created_at: dataset.createdAt,
      updated_at: dataset.updatedAt,
    })
    .execute();
}

export async function findDatasetByName(db: Executor, name: string): Promise<Dataset | undefined> {
  const row = await db.selectFrom('datasets').selectAll().where('name', '=', name).executeTakeFirst();
  return row && toDataset(row);
}

/**
 * Marks the dataset's samples or thumbnails as changed, and moves its live sample count by
 * `liveSamplesDelta`. Call it in the transaction that changes them: after it commits would
 * leave the count wrong after a crash, and before it a reader could cache old rows under the new revision.
 */
export async function bumpDatasetRevision(db: Executor, datasetId: string, liveSamplesDelta = 0): Promise<void> {
  await db
    .updateTable('datasets')
    .set((eb) => ({ revision: eb('revision', '+', 1), live_samples: eb('live_samples', '+', liveSamplesDelta) }))
    .where('id', '=', datasetId)
    .execute();
}

/** Datasets by name with their last sync. */
export async function listDatasetsWithLastSync(db: Executor): Promise<DatasetWithLastSync[]> {
  const rows = await db
    .selectFrom('datasets')
    .leftJoin('sync_states', 'sync_states.dataset_id', 'datasets.id')
    .selectAll('datasets')
    .select(['sync_states.finished_at as last_synced_at', 'sync_states.status as sync_status'])
    .orderBy('datasets.name')
    .execute();
  return rows.map((row) => ({ ...toDataset(row), lastSyncedAt: row.last_synced_at, syncStatus: row.sync_status }));
}

export async function deleteDataset(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('datasets').where('id', '=', id).execute();
}

/** The settings a user may change after creation (`editDataset`). */
export type DatasetSettings = Pick<Dataset, 'name' | 'includeGlobs' | 'excludeGlobs' | 'hasRelevantFilenames' | 'thumbnailSize' | 'updatedAt'>;

export async function updateDatasetSettings(db: Executor, id: string, settings: DatasetSettings): Promise<void> {
  await db
    .updateTable('datasets')
    .set({
      name: settings.name,
      include_globs: JSON.stringify(settings.includeGlobs),
      exclude_globs: JSON.stringify(settings.excludeGlobs),
      has_relevant_filenames: settings.hasRelevantFilenames ? 1 : 0,
      thumbnail_size: settings.thumbnailSize,
      updated_at: settings.updatedAt,
    })
    .where('id', '=', id)
    .execute();
}
