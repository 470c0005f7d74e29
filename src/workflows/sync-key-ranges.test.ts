import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../datasources/object-store.js';
import { MAX_KEY_RANGE_PROBES, splitKeyRanges } from './sync-key-ranges.js';
import { isInShard, shardsBetween, type SyncShard } from './sync-shards.js';
import { seededRandom } from '../selection/seeded-random.js';

/** A bucket of `keys` that answers ListObjectsV2 with MaxKeys=1, counting the calls and the round trips (calls sent together count once). */
function probedBucket(keys: readonly string[], { sorted = false } = {}) {
  const inOrder = sorted ? keys : byteOrder([...new Set(keys)]);
  let inFlight = 0;
  const bucket = { keys: inOrder, probes: 0, roundTrips: 0, firstKeyAfter, indexAfter };
  function indexAfter(startAfter: string): number {
    let low = 0;
    let high = inOrder.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeys(inOrder[middle]!, startAfter) > 0) high = middle;
      else low = middle + 1;
    }
    return low;
  }
  async function firstKeyAfter(startAfter: string): Promise<string | null> {
    bucket.probes++;
    if (inFlight++ === 0) bucket.roundTrips++;
    await Promise.resolve();
    inFlight--;
    return inOrder[indexAfter(startAfter)] ?? null;
  }
  return bucket;
}

/** `keys` in S3's order (UTF-8 bytes), each encoded once. */
function byteOrder(keys: readonly string[]): string[] {
  return keys
    .map((key) => ({ key, bytes: Buffer.from(key, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map(({ key }) => key);
}

/** The plan a sync makes after listing the first `listed` keys: the shards of the rest, the first one from the cursor. */
async function planAfter(bucket: ReturnType<typeof probedBucket>, listed: number, count: number) {
  const after = bucket.keys[listed - 1]!;
  const boundaries = await splitKeyRanges(after, count, bucket.firstKeyAfter);
  const shards = shardsBetween(boundaries).map((shard, index) => (index === 0 ? { ...shard, startAfter: after } : shard));
  return { after, boundaries, shards };
}

/** How many of the keys after the cursor each shard holds, checking with isInShard that every one is in exactly one shard. */
function keysPerShard(shards: readonly SyncShard[], keys: readonly string[]): number[] {
  const sizes = shards.map(() => 0);
  const misplaced: { key: string; shards: number[] }[] = [];
  for (const key of keys) {
    const holders = shards.flatMap((shard, index) => (isInShard(shard, key) === 'inside' ? [index] : []));
    if (holders.length === 1) sizes[holders[0]!]!++;
    else misplaced.push({ key, shards: holders });
  }
  expect(misplaced).toEqual([]);
  return sizes;
}

function expectEven(sizes: readonly number[], count: number) {
  const ideal = sizes.reduce((total, size) => total + size, 0) / count;
  expect(sizes).toHaveLength(count);
  for (const size of sizes) {
    expect(size).toBeGreaterThan(ideal * 0.5);
    expect(size).toBeLessThan(ideal * 1.5);
  }
}

const hexName = (i: number) => `${createHash('sha1').update(String(i)).digest('hex')}.jpg`;
const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** A phone's photos over two years, about as many each day, at random times: `2023-07-14_183502.jpg`. */
function dateNamed(count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const day0 = Date.UTC(2023, 0, 1);
  return Array.from({ length: count }, (_, index) => {
    const at = new Date(day0 + Math.floor((index * 730) / count) * 86_400_000 + Math.floor(random() * 86_400) * 1000);
    const date = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1, 2)}-${pad(at.getUTCDate(), 2)}`;
    return `${date}_${pad(at.getUTCHours(), 2)}${pad(at.getUTCMinutes(), 2)}${pad(at.getUTCSeconds(), 2)}.jpg`;
  });
}
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('splitKeyRanges', () => {
  it('cuts a million sequential numbers into even ranges with a few dozen probes', async () => {
    const keys = Array.from({ length: 1_000_000 }, (_, i) => `img_${String(i).padStart(6, '0')}.jpg`);
    const bucket = probedBucket(keys, { sorted: true });
    const { boundaries } = await planAfter(bucket, 20_000, 8);
    // Ten leading digits are enough for 8 ranges: no split point is probed. The digits after the shared prefix are
    // asked for at once (one round trip, not ten): 19 round trips before.
    expect(bucket.probes).toBeLessThanOrEqual(28);
    expect(bucket.roundTrips).toBeLessThanOrEqual(10);
    expect(boundaries).toHaveLength(7);
    // Shard sizes from where each boundary falls among the keys (the exactly-once check runs on the smaller sets).
    const ends = [...boundaries.map((boundary) => bucket.indexAfter(boundary)), keys.length];
    expectEven(
      ends.map((end, index) => end - (index === 0 ? 20_000 : ends[index - 1]!)),
      8,
    );
  });

  it('finds the prefix every remaining key shares: 50,000 numbers of six digits all start with img_0', async () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `img_${String(i).padStart(6, '0')}.jpg`);
    const bucket = probedBucket(keys, { sorted: true });
    const { boundaries, shards } = await planAfter(bucket, 20_000, 8);
    for (const boundary of boundaries) expect(boundary.startsWith('img_0')).toBe(true);
    expectEven(keysPerShard(shards, keys.slice(20_000)), 8);
  });

  it('gives no range of its own to a stray file beside the numbered photos', async () => {
    const photos = Array.from({ length: 30_000 }, (_, i) => `IMG_${String(i).padStart(5, '0')}.JPG`);
    const bucket = probedBucket([...photos, 'README.txt', 'desktop.ini', 'thumbs.db']);
    const { shards } = await planAfter(bucket, 5_000, 8);
    expect(bucket.probes).toBeLessThanOrEqual(MAX_KEY_RANGE_PROBES);
    const sizes = keysPerShard(shards, bucket.keys.slice(5_000));
    expectEven(sizes, 8);
  });

  it('cuts hashed hex names evenly', async () => {
    const bucket = probedBucket(Array.from({ length: 40_000 }, (_, i) => hexName(i)));
    const { shards } = await planAfter(bucket, 10_000, 8);
    expect(bucket.probes).toBeLessThanOrEqual(MAX_KEY_RANGE_PROBES);
    // Sixteen hex digits asked for at once: 24 round trips before.
    expect(bucket.roundTrips).toBeLessThanOrEqual(14);
    expectEven(keysPerShard(shards, bucket.keys.slice(10_000)), 8);
  });

  it('cuts mixed-case names evenly, within the probe budget though 62 characters can start a name', async () => {
    const random = seededRandom(18);
    const name = () => Array.from({ length: 10 }, () => BASE62[Math.floor(random() * BASE62.length)]).join('');
    const bucket = probedBucket(Array.from({ length: 40_000 }, () => `${name()}.png`));
    const { shards } = await planAfter(bucket, 10_000, 8);
    expect(bucket.probes).toBeLessThanOrEqual(MAX_KEY_RANGE_PROBES);
    expectEven(keysPerShard(shards, bucket.keys.slice(10_000)), 8);
  });

  it('cuts date-named photos evenly though months and days use few of their digits', async () => {
    const bucket = probedBucket(dateNamed(40_000, 5));
    const { shards } = await planAfter(bucket, 10_000, 8);
    expect(bucket.probes).toBeLessThanOrEqual(MAX_KEY_RANGE_PROBES);
    expectEven(keysPerShard(shards, bucket.keys.slice(10_000)), 8);
  });

  it('cuts two camera series (DSC_ and IMG_) evenly across both', async () => {
    const bucket = probedBucket(Array.from({ length: 20_000 }, (_, i) => [`DSC_${pad(i, 5)}.JPG`, `IMG_${pad(i, 5)}.JPG`]).flat());
    const { shards } = await planAfter(bucket, 10_000, 8);
    expect(bucket.probes).toBeLessThanOrEqual(MAX_KEY_RANGE_PROBES);
    const sizes = keysPerShard(shards, bucket.keys.slice(10_000));
    expectEven(sizes, 8);
  });

  it('cuts names with non-ASCII characters in byte order, evenly when they are numbered', async () => {
    const numbered = probedBucket(Array.from({ length: 30_000 }, (_, i) => `фото-日本-${String(i).padStart(5, '0')}.jpg`));
    const plan = await planAfter(numbered, 5_000, 6);
    expectEven(keysPerShard(plan.shards, numbered.keys.slice(5_000)), 6);

    // Emoji (4 bytes in UTF-8, surrogate pairs in JavaScript) and U+FF5E sort differently in the two orders: no key may be lost.
    const random = seededRandom(7);
    const chars = ['😀', '～', 'é', 'z', '中', '\u{10ffff}', 'A'];
    const mixed = probedBucket(Array.from({ length: 5_000 }, () => Array.from({ length: 6 }, () => chars[Math.floor(random() * chars.length)]).join('')));
    const spread = await planAfter(mixed, 500, 8);
    expect(spread.shards.length).toBeGreaterThan(1);
    keysPerShard(spread.shards, mixed.keys.slice(500));
  });

  it('gives few or no boundaries for tiny sets, and none when nothing follows the cursor', async () => {
    expect(await splitKeyRanges('a', 8, probedBucket([]).firstKeyAfter)).toEqual([]);
    expect(await splitKeyRanges('b', 8, probedBucket(['a', 'b']).firstKeyAfter)).toEqual([]);
    expect(await splitKeyRanges('a', 1, probedBucket(['a', 'b', 'c']).firstKeyAfter)).toEqual([]);
    for (const keys of [
      ['a', 'b'],
      ['a', 'b', 'c'],
      ['k1', 'k2', 'k3', 'k30'],
      ['x.jpg', 'x.jpg.jpg', 'y'],
    ]) {
      const bucket = probedBucket(keys);
      const { shards } = await planAfter(bucket, 1, 8);
      expect(shards.length).toBeLessThanOrEqual(8);
      keysPerShard(shards, bucket.keys.slice(1));
    }
  });

  it('covers every key exactly once and stays within its probes, whatever the keys, the cursor and the budget', async () => {
    const key = fc.string({ unit: 'binary', maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(key, { maxLength: 60 }),
        key,
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 64 }),
        async (keys, after, count, maxProbes) => {
          const bucket = probedBucket(keys);
          const boundaries = await splitKeyRanges(after, count, bucket.firstKeyAfter, maxProbes);
          expect(bucket.probes).toBeLessThanOrEqual(maxProbes);
          expect(boundaries.length).toBeLessThan(Math.max(2, count));
          for (const [index, boundary] of boundaries.entries()) expect(compareKeys(boundary, boundaries[index - 1] ?? after)).toBeGreaterThan(0);
          const shards = shardsBetween(boundaries).map((shard, index) => (index === 0 ? { ...shard, startAfter: after } : shard));
          keysPerShard(
            shards,
            bucket.keys.filter((k) => compareKeys(k, after) > 0),
          );
        },
      ),
    );
  });
});
