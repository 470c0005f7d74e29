import { compareKeys } from '../datasources/object-store.js';

/**
 * One shard of a fanned-out sync: the keys k (relative to the input prefix) with
 * `startAfter < k <= through` in S3's key order. `startAfter` is what the shard passes to the
 * listing as StartAfter (null: from the first key); the listing stops at the first key past
 * `through` (null: to the end). Exclusive below and inclusive above, like StartAfter, so the
 * shards of one plan cover every key exactly once.
 */
export interface SyncShard {
  startAfter: string | null;
  through: string | null;
}

/**
 * Splits the key space at up to `count - 1` of `candidates` (sorted or not, repeats allowed),
 * chosen evenly along them: the sub-prefixes a delimiter listing found (`batch-3/`), or the
 * keys the catalog holds from the last sync when the layout is flat (they say where the keys
 * lie, so shards come out about even). Fewer candidates than shards give fewer shards; none gives one.
 *
 * @example shardsAt(['a/', 'b/', 'c/', 'd/'], 2) // [{ startAfter: null, through: 'b/' }, { startAfter: 'b/', through: null }]
 */
export function shardsAt(candidates: readonly string[], count: number): SyncShard[] {
  const sorted = [...new Set(candidates)].sort(compareKeys);
  const shards = Math.max(1, Math.min(Math.floor(count), sorted.length));
  const boundaries: string[] = [];
  for (let shard = 1; shard < shards; shard++) {
    // The candidate that ends the shard-th of `shards` equal runs.
    const boundary = sorted[Math.ceil((shard * sorted.length) / shards) - 1]!;
    if (boundaries.at(-1) !== boundary) boundaries.push(boundary);
  }
  return shardsBetween(boundaries);
}

/** The shards between `boundaries` (in key order, no repeats): the first from the start, the last to the end. */
export function shardsBetween(boundaries: readonly string[]): SyncShard[] {
  return [...boundaries, null].map((through, index) => ({ startAfter: index === 0 ? null : boundaries[index - 1]!, through }));
}

/** Whether `key` belongs to `shard`; a shard's listing stops at the first key for which it is past `through`. */
export function isInShard(shard: SyncShard, key: string): 'before' | 'inside' | 'past' {
  if (shard.startAfter !== null && compareKeys(key, shard.startAfter) <= 0) return 'before';
  if (shard.through !== null && compareKeys(key, shard.through) > 0) return 'past';
  return 'inside';
}
