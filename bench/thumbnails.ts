/**
 * Thumbnail benchmark: Winnow's thumbnail job against libvips' `vipsthumbnail` on the same
 * local photos at the same concurrency, Winnow's peak memory, then the same photos from s3rver.
 *
 *   npm run bench:thumbnails                                # concurrency 2 (one per core here), 3 rounds
 *   npm run bench:thumbnails -- --concurrency 4 --rounds 2
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import type { ThumbnailReport } from '../src/workflows/make-thumbnails.js';
import { createS3rverClient, startS3Server } from '../test/support/s3-server.js';
import { cleanUpAll, cleanUpOnSignals, makeTempDir, onCleanup } from './cleanup.js';
import { assertSucceeded, runMeasured, type MeasuredRun } from './measured-process.js';
import { preparePhotos, type PhotoSet } from './thumbnail-photos.js';
import { medianBy } from './statistics.js';
import { ensureFreshBuild } from './winnow-cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/winnow.js');
const MIN_PHOTOS = 200;
/** Winnow's defaults (DEFAULT_THUMBNAIL_SIZE, and JPEG q85 for opaque images), which the peer is asked to match. */
const SIZE = 400;
const JPEG_QUALITY = 85;
const TIMEOUT_MS = 30 * 60_000;
const S3_BUCKET = 'bench';
const S3_PREFIX = 'photos/';

interface Measurement {
  images: number;
  wallMs: number;
  imagesPerSecond: number;
  peakRssKib: number;
}

interface WinnowMeasurement extends Measurement {
  /** The job's own time (`durationMs`), without the CLI start-up. */
  jobMs: number;
  /** Peak RSS of the same command right after, with every thumbnail already made: Node, the CLI and the catalog alone. */
  idlePeakRssKib: number;
}

function parseArgs(argv: readonly string[]): { concurrency: number; rounds: number } {
  const value = (flag: string, fallback: number) => {
    const index = argv.indexOf(flag);
    if (index === -1) return fallback;
    const parsed = Number(argv[index + 1]);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${flag} needs a positive integer`);
    return parsed;
  };
  return { concurrency: value('--concurrency', cpus().length), rounds: value('--rounds', 3) };
}

/**
 * `concurrency` vipsthumbnail processes at once, each given every concurrency-th file and one
 * libvips thread: the same shape as Winnow's job (that many images in flight, one thread each).
 */
async function runVipsthumbnail(photos: PhotoSet, concurrency: number): Promise<Measurement> {
  const out = await makeTempDir('winnow-bench-vipsthumbnail-');
  const shards = Array.from({ length: concurrency }, (_, shard) => photos.files.filter((_, index) => index % concurrency === shard));
  const env = { PATH: process.env.PATH, VIPS_CONCURRENCY: '1' };
  const started = performance.now();
  const runs = await Promise.all(
    shards.map((files) =>
      runMeasured('vipsthumbnail', ['--size', `${SIZE}x${SIZE}`, '-o', `${out.path}/%s_thumb.jpg[Q=${JPEG_QUALITY},strip]`, ...files], {
        env,
        timeoutMs: TIMEOUT_MS,
      }),
    ),
  );
  const wallMs = performance.now() - started;
  runs.forEach((run) => assertSucceeded(run, 'vipsthumbnail'));
  const made = readdirSync(out.path).length;
  if (made !== photos.files.length) throw new Error(`vipsthumbnail made ${made} thumbnails of ${photos.files.length} photos`);
  await out.remove();
  return { images: made, wallMs, imagesPerSecond: made / (wallMs / 1000), peakRssKib: Math.max(...runs.map((run) => run.peakRssKib)) };
}

/** A fresh catalog and dataset over `input`, indexed (not timed); then `winnow thumbnails` timed as a user runs it. */
async function runWinnow(input: string[], images: number, concurrency: number, env: NodeJS.ProcessEnv = {}): Promise<WinnowMeasurement> {
  const home = await makeTempDir('winnow-bench-home-');
  const fullEnv = { PATH: process.env.PATH, WINNOW_HOME: home.path, WINNOW_LOG_LEVEL: 'warn', WINNOW_THUMBNAIL_CONCURRENCY: String(concurrency), ...env };
  assertSucceeded(await winnow(['dataset', 'create', 'bench', ...input], fullEnv), 'winnow dataset create');
  assertSucceeded(await winnow(['dataset', 'sync', 'bench', '--skip-verify'], fullEnv), 'winnow dataset sync');
  const run = await winnow(['thumbnails', 'bench', '--size', String(SIZE), '--json'], fullEnv);
  assertSucceeded(run, 'winnow thumbnails');
  const report = JSON.parse(run.stdout) as ThumbnailReport;
  if (report.generated !== images || report.failed !== 0) throw new Error(`winnow thumbnails made ${report.generated} of ${images} (${report.failed} failed)`);
  const idle = await winnow(['thumbnails', 'bench', '--size', String(SIZE), '--json'], fullEnv);
  assertSucceeded(idle, 'winnow thumbnails (nothing to do)');
  await home.remove();
  return {
    images,
    wallMs: run.wallMs,
    jobMs: report.durationMs,
    imagesPerSecond: images / (run.wallMs / 1000),
    peakRssKib: run.peakRssKib,
    idlePeakRssKib: idle.peakRssKib,
  };
}

function winnow(args: string[], env: NodeJS.ProcessEnv): Promise<MeasuredRun> {
  return runMeasured(process.execPath, [BIN, ...args], { env, timeoutMs: TIMEOUT_MS });
}

async function runWinnowLocal(photos: PhotoSet, concurrency: number): Promise<WinnowMeasurement> {
  // Each run writes its thumbnails anew, as the first run on a dataset does.
  rmSync(join(photos.folder, '.winnow'), { recursive: true, force: true });
  const measurement = await runWinnow(['--input', photos.folder], photos.files.length, concurrency);
  rmSync(join(photos.folder, '.winnow'), { recursive: true, force: true });
  return measurement;
}

/** The same photos copied into s3rver on this machine: Winnow reads each with a GetObject and writes its JPEG with a PutObject. */
async function runWinnowS3(photos: PhotoSet, concurrencies: readonly number[]): Promise<Array<WinnowMeasurement & { concurrency: number }>> {
  const server = await startS3Server({ buckets: [S3_BUCKET] });
  const stop = onCleanup('stop s3rver', () => server.stop());
  const client = createS3rverClient(server.endpoint);
  console.log(`copying ${photos.files.length} photos into s3rver...`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < photos.files.length) {
        const file = photos.files[next++]!;
        await client.send(
          new PutObjectCommand({ Bucket: S3_BUCKET, Key: `${S3_PREFIX}${basename(file)}`, Body: readFileSync(file), ContentType: 'image/jpeg' }),
        );
      }
    }),
  );
  client.destroy();
  const results: Array<WinnowMeasurement & { concurrency: number }> = [];
  for (const concurrency of concurrencies) {
    const input = ['--input', `s3://${S3_BUCKET}/${S3_PREFIX}`, '--endpoint', server.endpoint, '--path-style', '--access-key-id', 'S3RVER'];
    results.push({ concurrency, ...(await runWinnow(input, photos.files.length, concurrency, { WINNOW_SECRET_ACCESS_KEY: 'S3RVER' })) });
  }
  await stop();
  return results;
}

/** Reads every photo once so neither peer pays for a cold page cache. */
async function warmPageCache(files: readonly string[]): Promise<void> {
  for (const file of files) {
    await new Promise<void>((resolve, reject) =>
      createReadStream(file)
        .on('data', () => undefined)
        .on('end', resolve)
        .on('error', reject),
    );
  }
}

const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
const rate = (m: Measurement) => `${m.imagesPerSecond.toFixed(1)} images/s`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const { concurrency, rounds } = parseArgs(process.argv.slice(2));
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  cleanUpOnSignals();
  ensureFreshBuild();
  const photos = await preparePhotos(MIN_PHOTOS);
  const { megapixels: mp } = photos;
  console.log(
    `photos: ${photos.files.length} JPEGs (q88) of ${mp.min.toFixed(1)}-${mp.max.toFixed(1)} MP (mean ${mp.mean.toFixed(1)}), ${(photos.totalBytes / 2 ** 20).toFixed(0)} MiB, in ${photos.folder}`,
  );
  console.log(
    `  Debian ships only ${photos.sources} distinct real photos (gnome-backgrounds wallpapers, skimage samples), so these are distinct crops/flips/rescales of them made with vips`,
  );
  console.log(
    `libraries: winnow uses sharp ${sharp.versions.sharp} with its own libvips ${sharp.versions.vips} (mozjpeg ${sharp.versions.mozjpeg ?? '?'}); vipsthumbnail is Debian's ${execFileSync('vips', ['--version'], { encoding: 'utf8' }).trim()}`,
  );
  console.log(
    `thumbnails: fit in ${SIZE} x ${SIZE}, JPEG q${JPEG_QUALITY} (both peers); concurrency ${concurrency} on ${cpus().length} CPUs (load average ${loadavg()[0]!.toFixed(2)}); ${rounds} rounds, alternating`,
  );
  await warmPageCache(photos.files);

  const vipsRuns: Measurement[] = [];
  const winnowRuns: WinnowMeasurement[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate who goes first, so neither always gets the cooler machine.
    if (round % 2 === 0) vipsRuns.push(await runVipsthumbnail(photos, concurrency));
    winnowRuns.push(await runWinnowLocal(photos, concurrency));
    if (round % 2 === 1) vipsRuns.push(await runVipsthumbnail(photos, concurrency));
    console.log(`  round ${round + 1}: vipsthumbnail ${rate(vipsRuns.at(-1)!)}, winnow ${rate(winnowRuns.at(-1)!)} (load average ${loadavg()[0]!.toFixed(2)})`);
  }
  const vips = medianBy(vipsRuns, (run) => run.imagesPerSecond);
  const ours = medianBy(winnowRuns, (run) => run.imagesPerSecond);
  const ratio = ours.imagesPerSecond / vips.imagesPerSecond;
  console.log(`\nlocal files, median of ${rounds}:`);
  console.log(
    `  vipsthumbnail ${rate(vips)}  (${seconds(vips.wallMs)} for ${vips.images}; ${concurrency} processes x 1 libvips thread; peak RSS ${mib(vips.peakRssKib)} per process)`,
  );
  console.log(
    `  winnow        ${rate(ours)}  (${seconds(ours.wallMs)} CLI wall incl. start-up, job ${seconds(ours.jobMs)}; ${concurrency} images in flight x 1 libvips thread; peak RSS ${mib(ours.peakRssKib)}, of which ${mib(ours.idlePeakRssKib)} with nothing to do)`,
  );
  console.log(
    `  ratio winnow/vipsthumbnail ${ratio.toFixed(2)} (target >= 0.80); winnow peak RSS over all rounds ${mib(Math.max(...winnowRuns.map((run) => run.peakRssKib)))}`,
  );

  const s3Concurrencies = [...new Set([concurrency, 8])];
  const s3 = await runWinnowS3(photos, s3Concurrencies);
  console.log(`\ns3rver on this machine (GetObject + PutObject per image, s3rver sharing the ${cpus().length} CPUs):`);
  for (const run of s3)
    console.log(
      `  winnow concurrency ${run.concurrency}: ${rate(run)} (${seconds(run.wallMs)} CLI wall, job ${seconds(run.jobMs)}; peak RSS ${mib(run.peakRssKib)}, ${mib(run.idlePeakRssKib)} with nothing to do)`,
    );

  const resultsDir = join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `thumbnails-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  writeFileSync(file, JSON.stringify({ commit, concurrency, photos: { ...photos, files: photos.files.length }, vipsRuns, winnowRuns, ratio, s3 }, null, 2));
  console.log(`\nwritten to ${file}`);
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  await cleanUpAll();
}
