import type { SyncStateRow } from '../db/schema.js';
import type { Executor } from './dataset.repository.js';

export type SyncCounters = Pick<SyncStateRow, 'listed' | 'added' | 'updated' | 'removed' | 'failed'>;

export async function findSyncState(db: Executor, datasetId: string): Promise<SyncStateRow | undefined> {
  return db.selectFrom('sync_states').selectAll().where('dataset_id', '=', datasetId).executeTakeFirst();
}

/** Starts generation `generation` from scratch: cursor and counters reset. */
export async function startSyncGeneration(db: Executor, datasetId: string, generation: number, now: string): Promise<void> {
  const fresh = {
    generation,
    status: 'running' as const,
    phase: 'listing' as const,
    cursor_key: null,
    started_at: now,
    finished_at: null,
    listed: 0,
    added: 0,
    updated: 0,
    removed: 0,
    failed: 0,
    error_message: null,
  };
  await db
    .insertInto('sync_states')
    .values({ dataset_id: datasetId, ...fresh })
    .onConflict((oc) => oc.column('dataset_id').doUpdateSet(fresh))
    .execute();
}

/** Records a committed listing page; runs in the same transaction as the page's sample writes. */
export async function advanceSyncCursor(db: Executor, datasetId: string, cursorKey: string, delta: Pick<SyncCounters, 'listed' | 'added' | 'updated'>): Promise<void> {
  await db
    .updateTable('sync_states')
    .set((eb) => ({
      cursor_key: cursorKey,
      listed: eb('listed', '+', delta.listed),
      added: eb('added', '+', delta.added),
      updated: eb('updated', '+', delta.updated),
    }))
    .where('dataset_id', '=', datasetId)
    .execute();
}

export async function updateSyncState(db: Executor, datasetId: string, changes: Partial<Omit<SyncStateRow, 'dataset_id'>>): Promise<void> {
  await db.updateTable('sync_states').set(changes).where('dataset_id', '=', datasetId).execute();
}
