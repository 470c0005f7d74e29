/**
 * A first sync of a generated listing in one stream against fanned out into shards listed in parallel in this
 * process, on the embedded default (SQLite), beside rclone listing the same server. Layouts: `--parts 64` is
 * nested (64 folders: the shards come from one delimiter listing), `--parts 1` flat (one folder: the key ranges
 * are found by one-key probes). Rounds alternate the order; prints each run, the median of each, keys/s, the
 * ratios and the load average.
 *
 * `--latency-ms` delays every answer of the generated server (default 0: it then answers a page in milliseconds,
 * so the runs measure Winnow's CPU, not a bucket). 120 ms per request is an assumption at the fast end of what
 * real S3 takes for a 1,000-key ListObjectsV2 page: ClickHouse's maintainers measured ~0.3 s ("typically takes
 * 0.3 seconds", https://github.com/ClickHouse/ClickHouse/issues/65572), within one region it is often nearer
 * 100 ms. A lower figure is the harder case for the fan-out (less waiting to overlap), so the gain measured at
 * 120 ms is a floor for slower buckets; pass `--latency-ms 300` to see the slower case.
 *
 * Peers (rclone 1.60, `--s3-list-version=2`, pages of 1,000): `rclone lsf -R --files-only --fast-list` (one stream,
 * no delimiter) and the same without `--fast-list` and with `--checkers=<shards>`. Measured: the second makes the same
 * ~200 requests without a delimiter and takes the same time (also at 20,000 keys with `--checkers=1`), so rclone's
 * `lsf -R` lists in one stream either way; it is kept to show that.
 *
 * `--dialect postgres` keeps the catalog in PostgreSQL (the running server, a fresh database per run) instead of the
 * embedded SQLite: its writes then run in the server's processes, beside this one, as they do for workers.
 *
 * Run: npm run bench:sync-shards -- [--keys 200000] [--shards 8] [--rounds 3] [--parts 64,1] [--latency-ms 120] [--dialect sqlite|postgres] [--skip-rclone]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createTestContext } from '../test/support/context.js';
import { createDataset } from '../src/workflows/create-dataset.js';
import { syncDataset } from '../src/workflows/sync-dataset.js';
import { cleanUpAll, cleanUpOnSignals } from './cleanup.js';
import { startGeneratedListing, type GeneratedListing } from './generated-listing.js';
import { listPathWithRclone } from './rclone-listing.js';
import { median } from './statistics.js';

const { values: flags } = parseArgs({
  options: {
    keys: { type: 'string', default: '200000' },
    shards: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    parts: { type: 'string', default: '64,1' },
    'latency-ms': { type: 'string', default: '120' },
    dialect: { type: 'string', default: 'sqlite' },
    'skip-rclone': { type: 'boolean', default: false },
  },
});
const KEYS = Number(flags.keys);
const SHARDS = Number(flags.shards);
const ROUNDS = Number(flags.rounds);
const LATENCY_MS = Number(flags['latency-ms']);
const PARTS = flags.parts.split(',').map(Number);
const DIALECT = flags.dialect as 'sqlite' | 'postgres';
const BUCKET = 'bench';
const PREFIX = 'photos/';
const PAGE_KEYS = 1000;

interface Run {
  seconds: number;
  cpuSeconds: number;
  requests: number;
  load: number;
}

type Contender = { name: string; run: (listing: GeneratedListing) => Promise<Run> };

function winnow(shardCount: number): Contender {
  return {
    name: shardCount === 1 ? 'winnow, 1 stream' : `winnow, ${shardCount} shards`,
    run: async (listing) => {
      const context = await createTestContext(DIALECT, { WINNOW_SYNC_SHARDS: String(shardCount), WINNOW_SYNC_SHARD_AFTER_KEYS: '5000' });
      try {
        const input = { uri: `s3://${BUCKET}/${PREFIX}`, endpoint: listing.endpoint, pathStyle: true, accessKeyId: 'AKIABENCH', secretAccessKey: 'bench' };
        await createDataset(context, { name: 'bench', input, skipVerify: true } as Parameters<typeof createDataset>[1]);
        const load = loadavg()[0]!;
        const requestsBefore = listing.listRequests();
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        const report = await syncDataset(context, 'bench', { skipVerify: true });
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        if (report.listed !== KEYS) throw new Error(`listed ${report.listed} of ${KEYS}`);
        if (shardCount > 1 && report.shards < 2) throw new Error(`the listing did not fan out (${report.shards} shards)`);
        // This process also runs the generated server (on a thread of its own): its CPU is in the figure (a few ms per page).
        return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, requests: listing.listRequests() - requestsBefore, load };
      } finally {
        await context.drop();
      }
    },
  };
}

function rclone(flagsForRclone: string[]): Contender {
  return {
    name: `rclone ${flagsForRclone.join(' ')}`,
    run: async (listing) => {
      const load = loadavg()[0]!;
      const requestsBefore = listing.listRequests();
      const port = Number(new URL(listing.endpoint).port);
      // rclone's default for provider=Other may be ListObjects v1, which the generated server does not answer.
      const result = await listPathWithRclone(port, `${BUCKET}/${PREFIX}`, ['--s3-list-version=2', ...flagsForRclone]);
      if (result.keys !== KEYS) throw new Error(`rclone listed ${result.keys} of ${KEYS} keys`);
      return { seconds: result.wallMs / 1000, cpuSeconds: result.cpuMs / 1000, requests: listing.listRequests() - requestsBefore, load };
    },
  };
}

const contenders: Contender[] = [winnow(1), winnow(SHARDS), ...(flags['skip-rclone'] ? [] : [rclone(['--fast-list']), rclone([`--checkers=${SHARDS}`])])];
const fixed = (value: number, digits = 1) => value.toFixed(digits);
const count = (value: number) => Math.round(value).toLocaleString('en-US');

cleanUpOnSignals();
try {
  console.log(
    `${count(KEYS)} generated keys, ${LATENCY_MS} ms per request, catalog in ${DIALECT}, ${ROUNDS} alternating rounds; one stream's latency alone: ${fixed((Math.ceil(KEYS / PAGE_KEYS) * LATENCY_MS) / 1000)} s`,
  );
  for (const parts of PARTS) {
    const layout = parts === 1 ? 'flat (one folder: key ranges found by probing)' : `nested (${parts} folders)`;
    console.log(`\n${layout}`);
    const listing = await startGeneratedListing({ bucket: BUCKET, prefix: PREFIX, count: KEYS, parts, latencyMs: LATENCY_MS });
    const runs = new Map<string, Run[]>(contenders.map((contender) => [contender.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const contender of round % 2 === 0 ? contenders : [...contenders].reverse()) {
        const run = await contender.run(listing);
        runs.get(contender.name)!.push(run);
        console.log(
          `  ${contender.name.padEnd(28)} ${fixed(run.seconds).padStart(6)} s  ${count(KEYS / run.seconds).padStart(7)} keys/s  CPU ${fixed(run.cpuSeconds)} s  ${run.requests} requests  load ${fixed(run.load, 2)}`,
        );
      }
    }
    await listing.stop();
    const medianOf = (name: string) => median(runs.get(name)!.map((run) => run.seconds));
    const oneStream = medianOf(contenders[0]!.name);
    const fastList = flags['skip-rclone'] ? undefined : medianOf(contenders[2]!.name);
    console.log(`  median of ${ROUNDS}:`);
    for (const contender of contenders) {
      const seconds = medianOf(contender.name);
      const cpu = median(runs.get(contender.name)!.map((run) => run.cpuSeconds));
      console.log(
        `    ${contender.name.padEnd(28)} ${fixed(seconds).padStart(6)} s  ${count(KEYS / seconds).padStart(7)} keys/s  CPU ${fixed(cpu)} s  ${fixed(oneStream / seconds, 2)}x winnow's 1 stream${
          fastList === undefined ? '' : `, ${fixed(fastList / seconds, 2)}x rclone --fast-list`
        }`,
      );
    }
  }
  console.log(
    `\nload average ${loadavg()
      .map((load) => fixed(load, 2))
      .join(' ')}`,
  );
} finally {
  await cleanUpAll();
}
