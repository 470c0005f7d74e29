import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../datasources/object-store.js';
import { isInShard, shardsAt } from './sync-shards.js';

describe('shardsAt', () => {
  it('splits at the sub-prefixes a delimiter listing found, evenly', () => {
    expect(shardsAt(['batch-3/', 'batch-0/', 'batch-1/', 'batch-2/'], 2)).toEqual([
      { startAfter: null, through: 'batch-1/' },
      { startAfter: 'batch-1/', through: null },
    ]);
  });

  it('gives one shard for everything when there is nothing to split at, and never more shards than candidates', () => {
    expect(shardsAt([], 8)).toEqual([{ startAfter: null, through: null }]);
    expect(shardsAt(['a', 'a', 'b'], 8)).toHaveLength(2);
  });

  it('orders keys by UTF-8 bytes, as S3 does, not by UTF-16 units', () => {
    // JavaScript's < puts U+1F600 first (its surrogate 0xD83D is below 0xFF5E); in UTF-8 bytes, S3's order, U+FF5E comes first.
    const [first] = shardsAt(['\u{1f600}', '\u{ff5e}'], 2);
    expect(first!.through).toBe('\u{ff5e}');
  });

  it('covers every key exactly once, whatever the candidates and the count', () => {
    const key = fc.string({ unit: 'binary', maxLength: 6 });
    fc.assert(
      fc.property(fc.array(key, { maxLength: 40 }), fc.array(key, { maxLength: 40 }), fc.integer({ min: 1, max: 12 }), (candidates, keys, count) => {
        const shards = shardsAt(candidates, count);
        expect(shards.length).toBeLessThanOrEqual(Math.max(1, count));
        for (const [index, shard] of shards.entries()) {
          if (index > 0) expect(shard.startAfter).toBe(shards[index - 1]!.through);
          if (shard.startAfter !== null && shard.through !== null) expect(compareKeys(shard.startAfter, shard.through)).toBeLessThan(0);
        }
        for (const k of [...keys, ...candidates]) expect(shards.filter((shard) => isInShard(shard, k) === 'inside')).toHaveLength(1);
      }),
    );
  });
});
