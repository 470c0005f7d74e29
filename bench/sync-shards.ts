/**
 * A first sync of a generated listing (nested: `parts` folders; `parts=1` is a flat layout, whose key ranges
 * are found by probing), in one stream against fanned out into
 * shards listed in parallel in this process, on the embedded default (SQLite). Rounds alternate; prints
 * each run, the median of each and their ratio, and the load average. The generated listing answers
 * a page in milliseconds, so this measures Winnow's listing and catalog writes, not a real bucket's latency
 * (where parallel streams gain far more: each S3 page takes ~100-300 ms).
 * Run: npx tsx bench/sync-shards.ts [keys=200000] [shards=4] [rounds=2] [parts=64]
 */
import { loadavg } from 'node:os';
import { createTestContext } from '../test/support/context.js';
import { createDataset } from '../src/workflows/create-dataset.js';
import { syncDataset } from '../src/workflows/sync-dataset.js';
import { startGeneratedListing } from './generated-listing.js';

const [keys = 200_000, shards = 4, rounds = 2, parts = 64] = process.argv.slice(2).map(Number);
const listing = await startGeneratedListing({ bucket: 'bench', prefix: 'photos/', count: keys, parts });

async function run(shardCount: number): Promise<number> {
  const context = await createTestContext('sqlite', { WINNOW_SYNC_SHARDS: String(shardCount), WINNOW_SYNC_SHARD_AFTER_KEYS: '5000' });
  try {
    const input = { uri: 's3://bench/photos/', endpoint: listing.endpoint, pathStyle: true, accessKeyId: 'AKIABENCH', secretAccessKey: 'bench' };
    await createDataset(context, { name: 'bench', input, skipVerify: true } as Parameters<typeof createDataset>[1]);
    const started = performance.now();
    const report = await syncDataset(context, 'bench', { skipVerify: true });
    const seconds = (performance.now() - started) / 1000;
    if (report.listed !== keys) throw new Error(`listed ${report.listed} of ${keys}`);
    if (shardCount > 1 && report.shards < 2) throw new Error(`the listing did not fan out (${report.shards} shards)`);
    console.log(
      `${shardCount} shard(s) (listed in ${report.shards}): ${keys} keys in ${seconds.toFixed(1)} s (${Math.round(keys / seconds)} keys/s), load ${loadavg()[0]!.toFixed(2)}`,
    );
    return seconds;
  } finally {
    await context.drop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const one: number[] = [];
const many: number[] = [];
for (let round = 0; round < rounds; round++) {
  if (round % 2 === 0) {
    one.push(await run(1));
    many.push(await run(shards));
  } else {
    many.push(await run(shards));
    one.push(await run(1));
  }
}
console.log(
  `median: 1 shard ${median(one).toFixed(1)} s, ${shards} shards ${median(many).toFixed(1)} s; ${shards} shards take ${(median(many) / median(one)).toFixed(2)}x the time of 1; load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
);
await listing.stop();
