import { bumpDatasetRevision } from '../catalog/dataset.repository.js';
import type { Dataset } from '../catalog/dataset.repository.js';
import { findSamplesInKeyRange, insertSamples, markSamplesChanged, markSamplesSeen, type ChangedObject, type NewSample } from '../catalog/sample.repository.js';
import {
  advanceShardCursor,
  advanceSyncCursor,
  insertSyncShards,
  listSyncShards,
  spreadCatalogKeys,
  type SyncShardState,
} from '../catalog/sync-state.repository.js';
import type { Executor } from '../db/executor.js';
import { compareKeys, type ObjectSummary } from '../datasources/object-store.js';
import { forEachConcurrently, prefetchOne } from '../shared/concurrency.js';
import type { BoundStore } from './dataset-stores.js';
import type { WorkflowDeps } from './workflow-deps.js';
import { isInShard, shardsAt, shardsBetween, type SyncShard } from './sync-shards.js';
import { splitKeyRanges, type FirstKeyAfter } from './sync-key-ranges.js';

/** The counters a listing keeps up to date (the sync's progress). */
export interface ListingProgress {
  listed: number;
  added: number;
  updated: number;
  shards?: { done: number; total: number } | undefined;
}

/** What every listing stream of one sync generation shares. */
export interface SyncListing {
  deps: Pick<WorkflowDeps, 'config' | 'database' | 'log' | 'clock'>;
  dataset: Dataset;
  input: BoundStore;
  generation: number;
  /** The dataset's key filter on relative keys. */
  keep: (relativeKey: string) => string;
  progress: ListingProgress;
  /** After every committed page: stops a cancelled sync, renews the lease, reports progress. */
  onCommitted: () => Promise<void>;
}

type PageDelta = { listed: number; added: number; updated: number };

/**
 * Lists the input after `cursor` in one stream, committing each page with the sync's cursor. With
 * `fanOutAfterKeys`, stops after that many keys once a page ends with more to come: the rest of the
 * listing is then worth fanning out. Returns where it stopped (null: the listing is complete).
 */
export async function listInOneStream(listing: SyncListing, cursor: string | undefined, fanOutAfterKeys = Infinity): Promise<string | null> {
  const { input, deps } = listing;
  const startAfter = cursor === undefined ? undefined : `${input.prefix}${cursor}`;
  const pages = input.store.listPages(input.prefix, { startAfter, pageSize: deps.config.listPageSize });
  let listedHere = 0;
  let last = cursor ?? null;
  for await (const page of prefetchOne(pages)) {
    const lastKey = page.at(-1)?.key;
    if (lastKey === undefined) continue;
    last = lastKey.slice(input.prefix.length);
    await commitPage(listing, page, (trx, delta) => advanceSyncCursor(trx, listing.dataset.id, last!, delta));
    listedHere += page.length;
    // A short page is the last one: nothing is left to fan out.
    if (listedHere >= fanOutAfterKeys && page.length >= deps.config.listPageSize) return last;
  }
  return null;
}

/** Lists one shard's key range after its own cursor, committing each page with that cursor; marks its listing done at its end. */
export async function listShard(listing: SyncListing, shard: SyncShardState): Promise<void> {
  const { input, deps, dataset, generation } = listing;
  const from = shard.cursorKey ?? shard.startAfter;
  const pages = input.store.listPages(input.prefix, { startAfter: from === null ? undefined : `${input.prefix}${from}`, pageSize: deps.config.listPageSize });
  const range: SyncShard = { startAfter: shard.startAfter, through: shard.through };
  for await (const page of prefetchOne(pages)) {
    const inside = page.filter((object) => isInShard(range, object.key.slice(input.prefix.length)) === 'inside');
    const reachedEnd = inside.length < page.length;
    const lastKey = inside.at(-1)?.key.slice(input.prefix.length) ?? null;
    await commitPage(listing, inside, (trx, delta) => advanceShardCursor(trx, dataset.id, generation, shard.index, lastKey, delta, reachedEnd));
    if (reachedEnd) return;
  }
  await advanceShardCursor(deps.database.db, dataset.id, generation, shard.index, null, { listed: 0, added: 0, updated: 0 }, true);
}

/**
 * Splits the key space after `cursor` into up to `count` shards and stores the plan (a plan stored
 * before, by an interrupted run, is kept). Boundaries: the keys the catalog holds from the last sync
 * (they say where the keys lie), else the folders a delimiter listing finds, or key ranges found by
 * probing the store (a flat layout's first sync), whichever gives more shards. Returns the stored
 * shards; one or none means the rest is better listed in one stream.
 */
export async function planShards(listing: SyncListing, cursor: string, count: number): Promise<SyncShardState[]> {
  const { deps, dataset, input, generation } = listing;
  const db = deps.database.db;
  const stored = await listSyncShards(db, dataset.id, generation);
  if (stored.length > 0) return stored;
  let candidates = await spreadCatalogKeys(db, dataset.id, cursor, count * 16);
  let shards = shardsAt(candidates, count);
  if (candidates.length < count && input.store.listSubPrefixes !== undefined) {
    const folders = await input.store.listSubPrefixes(input.prefix, { startAfter: `${input.prefix}${cursor}`, limit: 100_000 });
    candidates = folders.map((folder) => folder.slice(input.prefix.length)).filter((folder) => compareKeys(folder, cursor) > 0);
    shards = shardsAt(candidates, count);
  }
  if (shards.length < count && input.store.firstKeyAfter !== undefined) {
    const ranges = shardsBetween(await splitKeyRanges(cursor, count, keyProbe(input)));
    if (ranges.length > shards.length) shards = ranges;
  }
  if (shards.length < 2) return [];
  await insertSyncShards(
    db,
    dataset.id,
    generation,
    shards.map((shard, index) => (index === 0 ? { ...shard, startAfter: cursor } : shard)),
  );
  return listSyncShards(db, dataset.id, generation);
}

/** The input's first key after a relative key, relative too: what splitKeyRanges probes. */
function keyProbe(input: BoundStore): FirstKeyAfter {
  return async (startAfter) => {
    const key = await input.store.firstKeyAfter!(input.prefix, `${input.prefix}${startAfter}`);
    return key === null ? null : key.slice(input.prefix.length);
  };
}

/** Runs the unfinished shards in this process (`runShard`: list one), `concurrency` streams at once; the first failure stops the rest and is thrown. */
export async function listShardsHere(
  listing: SyncListing,
  shards: readonly SyncShardState[],
  concurrency: number,
  runShard: (shard: SyncShardState) => Promise<void>,
): Promise<void> {
  const pending = shards.filter((shard) => shard.status !== 'done');
  const progress = listing.progress;
  progress.shards = { done: shards.length - pending.length, total: shards.length };
  let failure: { error: unknown } | undefined;
  await forEachConcurrently(
    pending,
    concurrency,
    async (shard) => {
      try {
        await runShard(shard);
        progress.shards!.done++;
      } catch (error) {
        failure ??= { error };
      }
    },
    () => failure !== undefined,
  );
  if (failure !== undefined) throw failure.error;
}

async function commitPage(listing: SyncListing, page: readonly ObjectSummary[], advance: (trx: Executor, delta: PageDelta) => Promise<void>): Promise<void> {
  const { deps, dataset, input, generation, keep, progress } = listing;
  const kept = page
    .map((object) => ({ ...object, key: object.key.slice(input.prefix.length) }))
    .filter((object) => object.key !== '' && keep(object.key) === 'keep');
  const now = deps.clock().toISOString();
  const delta = await deps.database.db.transaction().execute(async (trx) => {
    const changes = await diffAgainstCatalog(trx, dataset.id, kept, generation, now);
    await insertSamples(trx, deps.database.dialect, changes.added);
    await markSamplesChanged(trx, changes.changed, generation, now);
    await markSamplesSeen(trx, changes.unchangedIds, generation, now);
    const delta = { listed: kept.length, added: changes.added.length, updated: changes.changed.length };
    await advance(trx, delta);
    if (kept.length > 0) await bumpDatasetRevision(trx, dataset.id, changes.added.length + changes.revived);
    return delta;
  });
  deps.log.debug({ dataset: dataset.name, cursor: page.at(-1)?.key, ...delta }, 'listing page committed');
  progress.listed += delta.listed;
  progress.added += delta.added;
  progress.updated += delta.updated;
  await listing.onCommitted();
}

async function diffAgainstCatalog(db: Executor, datasetId: string, objects: readonly ObjectSummary[], generation: number, now: string) {
  const known = new Map((await findKnownSamples(db, datasetId, objects)).map((row) => [row.key, row]));
  const added: NewSample[] = [];
  const changed: ChangedObject[] = [];
  const unchangedIds: number[] = [];
  let revived = 0;
  for (const object of objects) {
    const existing = known.get(object.key);
    const etag = object.etag ?? null;
    const lastModified = object.lastModified?.toISOString() ?? null;
    if (existing === undefined) {
      added.push({
        datasetId: datasetId,
        key: object.key,
        size: object.size,
        etag,
        lastModified: lastModified,
        width: null,
        height: null,
        format: null,
        status: 'pending',
        error: null,
        firstSeenAt: now,
        lastSeenAt: now,
        seenGeneration: generation,
        removedAt: null,
      });
    } else if (existing.etag !== etag || existing.size !== object.size || existing.removedAt !== null) {
      changed.push({ id: existing.id, size: object.size, etag, lastModified });
      if (existing.removedAt !== null) revived++;
    } else {
      unchangedIds.push(existing.id);
    }
  }
  return { added, changed, unchangedIds, revived };
}

/** The catalog's rows for a page's keys: the key range the page spans (listings come sorted, but the range does not rely on it). */
async function findKnownSamples(db: Executor, datasetId: string, objects: readonly ObjectSummary[]) {
  if (objects.length === 0) return [];
  let first = objects[0]!.key;
  let last = first;
  for (const { key } of objects) {
    if (compareKeys(key, first) < 0) first = key;
    if (compareKeys(key, last) > 0) last = key;
  }
  return findSamplesInKeyRange(db, datasetId, first, last);
}
