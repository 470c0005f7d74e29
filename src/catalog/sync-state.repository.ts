import { sql, type Selectable } from 'kysely';
import type { SyncPhase, SyncShardStatus, SyncShardTable, SyncStateRow, SyncStatus } from '../db/schema.js';
import type { Executor } from '../db/executor.js';

export type SyncCounters = Pick<SyncStateRow, 'listed' | 'added' | 'updated' | 'removed' | 'failed'>;

/** Where a dataset's sync stands, and who holds the dataset's lease for long jobs. */
export interface SyncState extends SyncCounters {
  datasetId: string;
  generation: number;
  status: SyncStatus;
  phase: SyncPhase;
  /** Last key committed by the listing; a resumed sync lists after it. */
  cursorKey: string | null;
  startedAt: string;
  finishedAt: string | null;
  errorMessage: string | null;
  /** `host:pid:nonce:job` of the process running a long job on the dataset. */
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  /** What the last completed sync found about the relevant-filenames list; null without a list. */
  relevantReport: RelevantFilenamesSummary | null;
  /** The first GetObject denial a stream of this sync met (its message); null while reads work. */
  readDenied: string | null;
}

/** How many keys fell in one group, and the first of them in key order. */
export interface KeyGroup {
  count: number;
  first: string[];
}

/** The relevant-filenames list against the bucket, as the last completed sync found it. */
export interface RelevantFilenamesSummary {
  /** Distinct keys in the list. */
  listed: number;
  /** Not in the bucket (a typo, or deleted since the list was made). */
  missing: KeyGroup;
  /** Naming another location than the input (another bucket, a sibling folder). */
  outside: KeyGroup;
  /** Named by more than one line. */
  repeated: KeyGroup;
  /** Dropped by the dataset's own filters: not an image, excluded by a glob, or Winnow's output. */
  skipped: KeyGroup;
}

export function toSyncState(row: SyncStateRow): SyncState {
  return {
    datasetId: row.dataset_id,
    generation: row.generation,
    status: row.status,
    phase: row.phase,
    cursorKey: row.cursor_key,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    listed: row.listed,
    added: row.added,
    updated: row.updated,
    removed: row.removed,
    failed: row.failed,
    errorMessage: row.error_message,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    relevantReport: row.relevant_report === null ? null : (JSON.parse(row.relevant_report) as RelevantFilenamesSummary),
    readDenied: row.read_denied,
  };
}

export async function findSyncState(db: Executor, datasetId: string): Promise<SyncState | undefined> {
  const row = await db.selectFrom('sync_states').selectAll().where('dataset_id', '=', datasetId).executeTakeFirst();
  return row && toSyncState(row);
}

/** Makes sure the dataset has a sync state row to claim (generation 0, nothing to resume). */
export async function ensureSyncState(db: Executor, datasetId: string, now: string): Promise<void> {
  await db
    .insertInto('sync_states')
    .values({
      dataset_id: datasetId,
      generation: 0,
      status: 'completed',
      phase: 'done',
      cursor_key: null,
      started_at: now,
      finished_at: null,
      listed: 0,
      added: 0,
      updated: 0,
      removed: 0,
      failed: 0,
      error_message: null,
      lease_owner: null,
      lease_expires_at: null,
    })
    .onConflict((oc) => oc.column('dataset_id').doNothing())
    .execute();
}

/**
 * Compare-and-set of the dataset's lease for long jobs: succeeds only if the lease is still held by
 * `expectedOwner` (null: free), so of two processes starting together one wins.
 */
export async function claimDatasetLease(
  db: Executor,
  datasetId: string,
  expectedOwner: string | null,
  owner: string | null,
  expiresAt: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('sync_states')
    .set({ lease_owner: owner, lease_expires_at: expiresAt })
    .where('dataset_id', '=', datasetId)
    .where((eb) => (expectedOwner === null ? eb('lease_owner', 'is', null) : eb('lease_owner', '=', expectedOwner)))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
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
    read_denied: null,
  };
  await db
    .insertInto('sync_states')
    .values({ dataset_id: datasetId, ...fresh })
    .onConflict((oc) => oc.column('dataset_id').doUpdateSet(fresh))
    .execute();
}

/** Records a committed listing page; runs in the same transaction as the page's sample writes. */
export async function advanceSyncCursor(
  db: Executor,
  datasetId: string,
  cursorKey: string,
  delta: Pick<SyncCounters, 'listed' | 'added' | 'updated'>,
): Promise<void> {
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

/** Ends (or moves to its next phase) the dataset's sync; counters given replace the stored ones. */
export async function updateSyncState(
  db: Executor,
  datasetId: string,
  changes: Partial<Pick<SyncState, 'status' | 'phase' | 'finishedAt' | 'errorMessage' | 'removed' | 'failed' | 'readDenied'>>,
): Promise<void> {
  await db
    .updateTable('sync_states')
    .set({
      ...(changes.status === undefined ? {} : { status: changes.status }),
      ...(changes.phase === undefined ? {} : { phase: changes.phase }),
      ...(changes.finishedAt === undefined ? {} : { finished_at: changes.finishedAt }),
      ...(changes.errorMessage === undefined ? {} : { error_message: changes.errorMessage }),
      ...(changes.removed === undefined ? {} : { removed: changes.removed }),
      ...(changes.failed === undefined ? {} : { failed: changes.failed }),
      ...(changes.readDenied === undefined ? {} : { read_denied: changes.readDenied }),
    })
    .where('dataset_id', '=', datasetId)
    .execute();
}

/** Adds header reads that failed (a corrupt image, a vanished key) to the sync's count; streams probing at once each add their own. */
export async function addSyncFailures(db: Executor, datasetId: string, failed: number): Promise<void> {
  if (failed === 0) return;
  await db
    .updateTable('sync_states')
    .set((eb) => ({ failed: eb('failed', '+', failed) }))
    .where('dataset_id', '=', datasetId)
    .execute();
}

/** Notes that reading objects is denied, for every stream of the running sync to see; the first denial's message stays. */
export async function recordReadDenied(db: Executor, datasetId: string, message: string): Promise<void> {
  await db.updateTable('sync_states').set({ read_denied: message }).where('dataset_id', '=', datasetId).where('read_denied', 'is', null).execute();
}

/** Keeps what this sync found about the relevant-filenames list (null: the dataset has none). */
export async function recordRelevantReport(db: Executor, datasetId: string, summary: RelevantFilenamesSummary | null): Promise<void> {
  await db
    .updateTable('sync_states')
    .set({ relevant_report: summary === null ? null : JSON.stringify(summary) })
    .where('dataset_id', '=', datasetId)
    .execute();
}

/** One key range of a fanned-out sync, where its listing stands. */
export interface SyncShardState {
  index: number;
  startAfter: string | null;
  through: string | null;
  cursorKey: string | null;
  status: SyncShardStatus;
  listed: number;
  added: number;
  updated: number;
  /** Headers the shard read so far, and how many of those failed. */
  probed: number;
  failed: number;
}

/** Stores the plan of generation `generation`'s shards; a plan already stored stays (of two planners, the first wins). */
export async function insertSyncShards(
  db: Executor,
  datasetId: string,
  generation: number,
  shards: ReadonlyArray<{ startAfter: string | null; through: string | null }>,
): Promise<void> {
  if (shards.length === 0) return;
  await db
    .insertInto('sync_shards')
    .values(
      shards.map((shard, index) => ({
        dataset_id: datasetId,
        generation,
        shard_index: index,
        start_after: shard.startAfter,
        through: shard.through,
        cursor_key: null,
        status: 'listing' as const,
        listed: 0,
        added: 0,
        updated: 0,
        error_message: null,
      })),
    )
    .onConflict((oc) => oc.columns(['dataset_id', 'generation', 'shard_index']).doNothing())
    .execute();
}

export async function listSyncShards(db: Executor, datasetId: string, generation: number): Promise<SyncShardState[]> {
  const rows = await db
    .selectFrom('sync_shards')
    .selectAll()
    .where('dataset_id', '=', datasetId)
    .where('generation', '=', generation)
    .orderBy('shard_index')
    .execute();
  return rows.map(toSyncShardState);
}

/** Where one shard stands (undefined: no such shard in that generation). */
export async function findSyncShard(db: Executor, datasetId: string, generation: number, index: number): Promise<SyncShardState | undefined> {
  const row = await db
    .selectFrom('sync_shards')
    .selectAll()
    .where('dataset_id', '=', datasetId)
    .where('generation', '=', generation)
    .where('shard_index', '=', index)
    .executeTakeFirst();
  return row && toSyncShardState(row);
}

function toSyncShardState(row: Selectable<SyncShardTable>): SyncShardState {
  return {
    index: row.shard_index,
    startAfter: row.start_after,
    through: row.through,
    cursorKey: row.cursor_key,
    status: row.status,
    listed: row.listed,
    added: row.added,
    updated: row.updated,
    probed: row.probed,
    failed: row.failed,
  };
}

/**
 * Records a shard's committed listing page (in the page's transaction); `done` when the page reached the
 * shard's end, which moves the shard on to reading its samples' headers (`finishSyncShard` ends it).
 */
export async function advanceShardCursor(
  db: Executor,
  datasetId: string,
  generation: number,
  index: number,
  cursorKey: string | null,
  delta: Pick<SyncCounters, 'listed' | 'added' | 'updated'>,
  done: boolean,
): Promise<void> {
  await db
    .updateTable('sync_shards')
    .set((eb) => ({
      ...(cursorKey === null ? {} : { cursor_key: cursorKey }),
      ...(done ? { status: 'probing' as const } : {}),
      listed: eb('listed', '+', delta.listed),
      added: eb('added', '+', delta.added),
      updated: eb('updated', '+', delta.updated),
    }))
    .where('dataset_id', '=', datasetId)
    .where('generation', '=', generation)
    .where('shard_index', '=', index)
    .execute();
}

/** Records a committed batch of a shard's header reads (in the batch's transaction). */
export async function countShardProbes(
  db: Executor,
  datasetId: string,
  generation: number,
  index: number,
  delta: { probed: number; failed: number },
): Promise<void> {
  await db
    .updateTable('sync_shards')
    .set((eb) => ({ probed: eb('probed', '+', delta.probed), failed: eb('failed', '+', delta.failed) }))
    .where('dataset_id', '=', datasetId)
    .where('generation', '=', generation)
    .where('shard_index', '=', index)
    .execute();
}

/** Ends a shard whose range is listed and whose samples' headers are read (or reads turned out denied). */
export async function finishSyncShard(db: Executor, datasetId: string, generation: number, index: number): Promise<void> {
  await db
    .updateTable('sync_shards')
    .set({ status: 'done' })
    .where('dataset_id', '=', datasetId)
    .where('generation', '=', generation)
    .where('shard_index', '=', index)
    .execute();
}

/**
 * Ends a fanned-out listing, in the reconciliation's transaction: the shards' counters join the
 * sync's and their rows go (a resumed sync past this point has nothing left to list).
 */
export async function absorbSyncShards(db: Executor, datasetId: string, generation: number): Promise<void> {
  const shards = await listSyncShards(db, datasetId, generation);
  const sum = (field: 'listed' | 'added' | 'updated' | 'failed') => shards.reduce((total, shard) => total + shard[field], 0);
  await db
    .updateTable('sync_states')
    .set((eb) => ({
      listed: eb('listed', '+', sum('listed')),
      added: eb('added', '+', sum('added')),
      updated: eb('updated', '+', sum('updated')),
      failed: eb('failed', '+', sum('failed')),
    }))
    .where('dataset_id', '=', datasetId)
    .execute();
  await db.deleteFrom('sync_shards').where('dataset_id', '=', datasetId).execute();
}

/**
 * About `count` live keys of the catalog after `afterKey`, evenly spread along them in key order:
 * where the keys of a flat layout lie, as the last sync saw them, to cut the key space into even shards.
 */
export async function spreadCatalogKeys(db: Executor, datasetId: string, afterKey: string | null, count: number): Promise<string[]> {
  const live = db
    .selectFrom('samples')
    .where('dataset_id', '=', datasetId)
    .where('removed_at', 'is', null)
    .$if(afterKey !== null, (query) => query.where('key', '>', afterKey!));
  const total = Number((await live.select((eb) => eb.fn.countAll().as('keys')).executeTakeFirstOrThrow()).keys);
  if (total === 0) return [];
  const step = Math.max(1, Math.floor(total / count));
  const numbered = live.select(['key', sql<number>`row_number() over (order by key)`.as('position')]);
  const rows = await db
    .selectFrom(numbered.as('numbered'))
    .select('key')
    .where(sql<boolean>`position % ${step} = 0`)
    .orderBy('key')
    .execute();
  return rows.map((row) => row.key);
}

/** Holds, until the transaction ends, PostgreSQL's advisory lock for queuing a sync of `dataset`: two machines take turns. */
export async function lockSyncQueuing(trx: Executor, dataset: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`winnow-sync:${dataset}`}))`.execute(trx);
}
