/**
 * How evenly splitKeyRanges cuts flat layouts into 8 shards, from generated keys answered by a fake one-key listing:
 * per layout, the shards that hold keys, the evenness (largest shard ÷ an even share; 1.00 is perfect), the probes and
 * the round trips they cost (probes sent together count once). Pass another copy of the module to compare
 * (e.g. the main checkout's): npx tsx bench/key-ranges-evenness.ts [/path/to/src/workflows/sync-key-ranges.ts]
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compareKeys } from '../src/datasources/object-store.js';
import type { FirstKeyAfter } from '../src/workflows/sync-key-ranges.js';
import { seededRandom } from '../src/selection/seeded-random.js';

type Split = (after: string, count: number, firstKeyAfter: FirstKeyAfter) => Promise<string[]>;
const modulePath = process.argv[2] === undefined ? '../src/workflows/sync-key-ranges.js' : pathToFileURL(resolve(process.argv[2])).href;
const { splitKeyRanges } = (await import(modulePath)) as { splitKeyRanges: Split };
const SHARDS = 8;

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A phone's photos over two years, ~55 a day at random times: `2023-07-14_183502.jpg`. */
function dateNamed(count: number): string[] {
  const random = seededRandom(5);
  const day0 = Date.UTC(2023, 0, 1);
  return Array.from({ length: count }, (_, index) => {
    const at = new Date(day0 + Math.floor((index * 730) / count) * 86_400_000 + Math.floor(random() * 86_400) * 1000);
    const date = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1, 2)}-${pad(at.getUTCDate(), 2)}`;
    return `${date}_${pad(at.getUTCHours(), 2)}${pad(at.getUTCMinutes(), 2)}${pad(at.getUTCSeconds(), 2)}.jpg`;
  });
}

const random62 = seededRandom(18);
const layouts: { name: string; keys: () => string[]; listed: number }[] = [
  { name: 'sequential img_000000 (10^6)', keys: () => Array.from({ length: 1_000_000 }, (_, i) => `img_${pad(i, 6)}.jpg`), listed: 20_000 },
  {
    name: 'sha1 hex (40,000)',
    keys: () => Array.from({ length: 40_000 }, (_, i) => `${createHash('sha1').update(String(i)).digest('hex')}.jpg`),
    listed: 10_000,
  },
  {
    name: 'base62 (40,000)',
    keys: () => Array.from({ length: 40_000 }, () => `${Array.from({ length: 10 }, () => BASE62[Math.floor(random62() * 62)]).join('')}.png`),
    listed: 10_000,
  },
  { name: 'date-named, 2 years (40,000)', keys: () => dateNamed(40_000), listed: 10_000 },
  { name: 'date-named, 2 years (200,000)', keys: () => dateNamed(200_000), listed: 20_000 },
  {
    name: 'DSC_ + IMG_ (2 x 20,000)',
    keys: () => Array.from({ length: 20_000 }, (_, i) => [`DSC_${pad(i, 5)}.JPG`, `IMG_${pad(i, 5)}.JPG`]).flat(),
    listed: 10_000,
  },
];

for (const layout of layouts) {
  // ASCII only: the default order is S3's byte order, and far faster than comparing UTF-8 buffers at 10^6 keys.
  const keys = [...new Set(layout.keys())].sort();
  let probes = 0;
  let inFlight = 0;
  let roundTrips = 0;
  const indexAfter = (startAfter: string) => {
    let [low, high] = [0, keys.length];
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeys(keys[middle]!, startAfter) > 0) high = middle;
      else low = middle + 1;
    }
    return low;
  };
  const firstKeyAfter: FirstKeyAfter = async (startAfter) => {
    probes++;
    if (inFlight++ === 0) roundTrips++;
    await Promise.resolve();
    inFlight--;
    return keys[indexAfter(startAfter)] ?? null;
  };
  const after = keys[layout.listed - 1]!;
  const boundaries = await splitKeyRanges(after, SHARDS, firstKeyAfter);
  const ends = [...boundaries.map(indexAfter), keys.length];
  const sizes = ends.map((end, index) => end - (index === 0 ? layout.listed : ends[index - 1]!));
  const even = (keys.length - layout.listed) / SHARDS;
  console.log(
    `${layout.name.padEnd(32)} ${sizes.filter((size) => size > 0).length} of ${SHARDS} shards hold keys, evenness ${(Math.max(...sizes) / even).toFixed(2)}, ${probes} probes in ${roundTrips} round trips; sizes ${sizes.join(' ')}`,
  );
}
