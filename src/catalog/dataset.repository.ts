import type { Insertable, Kysely } from 'kysely';
import type { DatasetRow, DatasetTable, DB } from '../db/schema.js';

export type Executor = Kysely<DB>;

export interface DatasetSummaryRow extends DatasetRow {
  last_synced_at: string | null;
  sync_status: string | null;
}

export async function insertDataset(db: Executor, row: Insertable<DatasetTable>): Promise<void> {
  await db.insertInto('datasets').values(row).execute();
}

export async function findDatasetByName(db: Executor, name: string): Promise<DatasetRow | undefined> {
  return db.selectFrom('datasets').selectAll().where('name', '=', name).executeTakeFirst();
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
export async function listDatasetSummaries(db: Executor): Promise<DatasetSummaryRow[]> {
  const rows = await db
    .selectFrom('datasets')
    .leftJoin('sync_states', 'sync_states.dataset_id', 'datasets.id')
    .selectAll('datasets')
    .select(['sync_states.finished_at as last_synced_at', 'sync_states.status as sync_status'])
    .orderBy('datasets.name')
    .execute();
  return rows;
}

export async function deleteDataset(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('datasets').where('id', '=', id).execute();
}

export async function insertRelevantKeys(db: Executor, datasetId: string, keys: Iterable<string>): Promise<void> {
  const rows = [...keys].map((key) => ({ dataset_id: datasetId, key }));
  for (let start = 0; start < rows.length; start += 5_000) {
    await db.insertInto('relevant_keys').values(rows.slice(start, start + 5_000)).execute();
  }
}

export async function loadRelevantKeys(db: Executor, datasetId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('relevant_keys').select('key').where('dataset_id', '=', datasetId).execute();
  return new Set(rows.map((row) => row.key));
}
