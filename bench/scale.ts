/**
 * npm run bench:scale [-- --keys 1000000] [--images 2000] [--sync-workers 1,2,4] [--embed-workers 1,2] [--rounds 3]
 *                        [--concurrency 1] [--batch-samples 250] [--skip-sync] [--skip-embed]
 *
 * Scale-out on PostgreSQL: a sync of `--keys` keys, and an embedding run of `--images` photos, each
 * queued with `--detach` and run by 1, 2, 4… `winnow worker` processes (fresh catalog each time),
 * configurations alternating over rounds. The keys come from a generated ListObjectsV2 server
 * (bench/generated-listing.ts; it denies object reads, so the sync lists and writes the catalog and
 * reads no headers): s3rver lists ~1,000 keys/s and would be what is measured. The photos are real
 * multi-megapixel JPEGs in s3rver. Prints per configuration the median throughput, its ratio to one
 * worker, the catalog's size on disk, each worker's peak RSS and the load average at each
 * measurement, then what those figures predict for 10^7 and 10^8 objects on real S3. Not a test.
 * The embedding run's batch jobs hold `--batch-samples` samples (WINNOW_JOB_BATCH_SAMPLES; the product's
 * default, 1,000, would cut 2,000 photos into two batches, the first of which runs alone).
 */
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDefaultModel } from '../src/embeddings/default-model.js';
import type { EmbedReport } from '../src/workflows/embed-dataset.js';
import type { SyncReport } from '../src/workflows/sync-dataset.js';
import { startS3Server } from '../test/support/s3-server.js';
import { cleanUpAll, cleanUpOnSignals, makeTempDir, onCleanup } from './cleanup.js';
import { startGeneratedListing } from './generated-listing.js';
import { assertSucceeded, runMeasured } from './measured-process.js';
import { copyPostgresDatabase, createFreshPostgresDatabase, databaseSize, type DatabaseSize } from './postgres-database.js';
import { predictScaleOut, type Prediction } from './scale-prediction.js';
import { preparePhotos } from './thumbnail-photos.js';
import { ensureFreshBuild } from './winnow-cli.js';
import { runDetached, startWorkers } from './worker-processes.js';
import { median } from './statistics.js';

const { values: flags } = parseArgs({
  options: {
    keys: { type: 'string', default: '1000000' },
    images: { type: 'string', default: '2000' },
    'sync-workers': { type: 'string', default: '1,2,4' },
    'embed-workers': { type: 'string', default: '1,2' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '1' },
    'batch-samples': { type: 'string', default: '250' },
    'skip-sync': { type: 'boolean', default: false },
    'skip-embed': { type: 'boolean', default: false },
  },
});
const KEYS = Number(flags.keys);
const IMAGES = Number(flags.images);
const ROUNDS = Number(flags.rounds);
const CONCURRENCY = Number(flags.concurrency);
const workerCounts = (list: string) => list.split(',').map(Number);
const BIN = join(import.meta.dirname, '../bin/winnow.js');
const BUCKET = 'bench';
const JOB_TIMEOUT_MS = 3 * 3_600_000;

interface Measurement {
  workers: number;
  round: number;
  /** Objects per second, from the job's creation to its end. */
  perSecond: number;
  durationMs: number;
  peakRssKib: number[];
  size: DatabaseSize;
  loadBefore: string;
  loadAfter: string;
  requests?: number;
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const count = (n: number) => Math.round(n).toLocaleString('en-US');
/** Thousands of keys/s read as whole numbers; a few images/s need a decimal. */
const rate = (n: number) => (n < 100 ? n.toFixed(1) : count(n));

function baseEnv(home: string, databaseUrl: string, secret: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    WINNOW_HOME: home,
    WINNOW_DATABASE_URL: databaseUrl,
    WINNOW_LOG_LEVEL: 'warn',
    WINNOW_SECRET_ACCESS_KEY: secret,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

async function cli(env: NodeJS.ProcessEnv, ...args: string[]) {
  const run = await runMeasured(process.execPath, [BIN, ...args], { env, timeoutMs: JOB_TIMEOUT_MS });
  assertSucceeded(run, `winnow ${args.join(' ')}`);
  return run;
}

/** Each round runs every configuration once, in an order that alternates, so a change of load falls on all of them. */
async function alternate(configs: readonly number[], measure: (workers: number, round: number) => Promise<Measurement>): Promise<Measurement[]> {
  const measured: Measurement[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const workers of round % 2 === 0 ? configs : [...configs].reverse()) {
      const m = await measure(workers, round);
      measured.push(m);
      console.log(
        `  round ${round + 1}, ${workers} worker(s): ${rate(m.perSecond)}/s in ${(m.durationMs / 1000).toFixed(1)} s; peak RSS per worker ${m.peakRssKib.map((kib) => mib(kib * 1024)).join(', ')}; catalog ${mib(m.size.catalogBytes)} (database ${mib(m.size.databaseBytes)}); load ${m.loadBefore} -> ${m.loadAfter}`,
      );
    }
  }
  return measured;
}

async function syncRounds(): Promise<Measurement[]> {
  const listing = await startGeneratedListing({ bucket: BUCKET, prefix: 'images/', count: KEYS, parts: 100 });
  console.log(`\nsync of ${count(KEYS)} generated keys (listing served by bench/generated-listing.ts, object reads denied: no header reads)`);
  return alternate(workerCounts(flags['sync-workers']), async (workers, round) => {
    const home = await makeTempDir('winnow-bench-scale-home-');
    const database = await createFreshPostgresDatabase();
    try {
      const env = baseEnv(home.path, database.url, 'bench');
      await cli(
        env,
        'dataset',
        'create',
        'bench',
        '--input',
        `s3://${BUCKET}/images/`,
        '--endpoint',
        listing.endpoint,
        '--path-style',
        '--region',
        'us-east-1',
        '--access-key-id',
        'bench',
      );
      const pool = await startWorkers(workers, CONCURRENCY, env);
      const listsBefore = listing.listRequests();
      const loadBefore = load();
      const { job, durationMs } = await runDetached(['dataset', 'sync', 'bench', '--skip-verify'], env, JOB_TIMEOUT_MS);
      const loadAfter = load();
      const peakRssKib = pool.peakRssKib();
      await pool.stop();
      const report = job.result as unknown as SyncReport;
      if (report.total !== KEYS) throw new Error(`the sync catalogued ${report.total} of ${KEYS} keys`);
      const size = await databaseSize(database.url);
      return {
        workers,
        round,
        perSecond: KEYS / (durationMs / 1000),
        durationMs,
        peakRssKib,
        size,
        loadBefore,
        loadAfter,
        requests: listing.listRequests() - listsBefore,
      };
    } finally {
      await database.drop();
      await home.remove();
    }
  });
}

/** Photos under `<prefix>` in s3rver's own file layout (hard links, so thousands of multi-MB objects cost no copies). */
function seedPhotos(root: string, prefix: string, files: readonly string[], total: number): void {
  const md5s = new Map<string, string>();
  for (let index = 0; index < total; index++) {
    const file = files[index % files.length]!;
    const md5 = md5s.get(file) ?? createHash('md5').update(readFileSync(file)).digest('hex');
    md5s.set(file, md5);
    const base = join(
      root,
      BUCKET,
      `${prefix}${String(Math.floor(index / 1000)).padStart(3, '0')}/${String(index).padStart(5, '0')}-${basename(file)}._S3rver_`,
    );
    mkdirSync(dirname(base), { recursive: true });
    linkSync(file, `${base}object`);
    writeFileSync(`${base}object.md5`, md5);
    writeFileSync(`${base}metadata.json`, JSON.stringify({ 'content-type': 'image/jpeg' }));
  }
}

async function embedRounds(): Promise<Measurement[]> {
  const photos = await preparePhotos(100);
  const directory = await makeTempDir('winnow-bench-scale-s3rver-');
  seedPhotos(directory.path, 'photos/', photos.files, IMAGES);
  const server = await startS3Server({ directory: directory.path, buckets: [BUCKET] });
  onCleanup('stop s3rver', () => server.stop());
  // One synced catalog (headers read, no vectors) and the converted model, copied or shared by every round.
  const home = await makeTempDir('winnow-bench-scale-embed-home-');
  const template = await createFreshPostgresDatabase();
  const templateEnv = baseEnv(home.path, template.url, 'S3RVER');
  await cli(
    templateEnv,
    'dataset',
    'create',
    'bench',
    '--input',
    `s3://${BUCKET}/photos/`,
    '--endpoint',
    server.endpoint,
    '--path-style',
    '--region',
    'us-east-1',
    '--access-key-id',
    'S3RVER',
  );
  await cli(templateEnv, 'dataset', 'sync', 'bench', '--skip-verify');
  await ensureDefaultModel(join(home.path, 'models'));
  console.log(
    `\nembedding run of ${count(IMAGES)} photos (${photos.megapixels.min.toFixed(1)}-${photos.megapixels.max.toFixed(1)} MP, mean ${photos.megapixels.mean.toFixed(1)}) from s3rver`,
  );
  return alternate(workerCounts(flags['embed-workers']), async (workers, round) => {
    const database = await copyPostgresDatabase(template);
    try {
      const env = { ...baseEnv(home.path, database.url, 'S3RVER'), WINNOW_JOB_BATCH_SAMPLES: flags['batch-samples'] };
      const pool = await startWorkers(workers, CONCURRENCY, env);
      const loadBefore = load();
      const { job, durationMs } = await runDetached(['embed', 'bench'], env, JOB_TIMEOUT_MS);
      const loadAfter = load();
      const peakRssKib = pool.peakRssKib();
      await pool.stop();
      const report = job.result as unknown as EmbedReport;
      if (report.embedded !== IMAGES) throw new Error(`the embedding run embedded ${report.embedded} of ${IMAGES} photos (${report.failed} failed)`);
      const size = await databaseSize(database.url);
      return { workers, round, perSecond: IMAGES / (durationMs / 1000), durationMs, peakRssKib, size, loadBefore, loadAfter };
    } finally {
      await database.drop();
    }
  });
}

function summarize(what: string, unit: string, measured: readonly Measurement[]): number {
  const configs = [...new Set(measured.map((m) => m.workers))].sort((a, b) => a - b);
  const of = (workers: number) => measured.filter((m) => m.workers === workers);
  const base = median(of(configs[0]!).map((m) => m.perSecond));
  console.log(`\n${what} (median of ${ROUNDS} round(s))`);
  console.log(
    `  workers  ${unit.padStart(12)}  vs ${configs[0]} worker(s)  catalog on disk  database on disk  peak RSS per worker (max of rounds)  load at the measurements`,
  );
  for (const workers of configs) {
    const runs = of(workers);
    const perSecond = median(runs.map((m) => m.perSecond));
    const rss = Array.from({ length: workers }, (_, index) => Math.max(...runs.map((m) => m.peakRssKib[index] ?? 0)));
    console.log(
      `  ${String(workers).padStart(7)}  ${rate(perSecond).padStart(12)}  ${(perSecond / base).toFixed(2).padStart(17)}  ${mib(median(runs.map((m) => m.size.catalogBytes))).padStart(15)}  ${mib(median(runs.map((m) => m.size.databaseBytes))).padStart(16)}  ${rss
        .map((kib) => mib(kib * 1024))
        .join(', ')
        .padEnd(35)}  ${runs.map((m) => m.loadBefore).join(' | ')}`,
    );
  }
  return base;
}

function printPrediction(prediction: Prediction[]): void {
  console.log('\nprediction for real S3 (us-east-1 standard: $0.005 per 1,000 LIST, $0.0004 per 1,000 GET; see README "Scaling out")');
  for (const p of prediction) {
    console.log(
      `  ${p.objects.toExponential(0)} objects, ${p.machines} machine(s): ${count(p.listRequests)} LIST ($${p.listCost.toFixed(2)}), ${count(p.getRequests)} GET ($${p.getCost.toFixed(2)}); sync ${p.syncHours.toFixed(1)} h, embed ${p.embedHours.toFixed(1)} h`,
    );
  }
}

async function main(): Promise<void> {
  cleanUpOnSignals();
  ensureFreshBuild();
  console.log(`bench:scale, ${ROUNDS} round(s), worker concurrency ${CONCURRENCY}; load average at start ${load()} (a shared 2-core machine)`);
  try {
    const sync = flags['skip-sync'] ? [] : await syncRounds();
    const embed = flags['skip-embed'] ? [] : await embedRounds();
    const syncPerWorker = sync.length === 0 ? undefined : summarize(`sync of ${count(KEYS)} keys into PostgreSQL`, 'keys/s', sync);
    const embedPerWorker = embed.length === 0 ? undefined : summarize(`embedding run of ${count(IMAGES)} photos`, 'images/s', embed);
    if (syncPerWorker !== undefined && embedPerWorker !== undefined)
      printPrediction(predictScaleOut({ syncKeysPerSecond: syncPerWorker, embedImagesPerSecond: embedPerWorker }));
    console.log(`\nload average at the end ${load()}`);
  } finally {
    await cleanUpAll();
  }
}

await main();
