/**
 * npm run bench:embed [-- --images 500,5000] [--rounds 3] [--paths originals,thumbnails] [--thumbnail-size 400] [--model-threads 1|2] [--skip-pipeline] [--skip-quality] [--skip-vectors]
 * npm run bench:embed -- --quality-only [--thumbnail-size 400]   # thumbnail vs original vectors on the real pictures of bench/embedding-photos.ts
 *
 * In one run: onnxruntime's raw throughput on pre-decoded tensors at the best batch size, next to
 * Winnow's end-to-end `embed` from s3rver (read + decode + resize + infer + store) on real
 * multi-megapixel photos, with peak RSS at each size, read from the originals and from thumbnails
 * (`winnow thumbnails --size 400` first), in alternating rounds, each round also running the raw
 * model while this process reads the same objects from s3rver and decodes nothing (the ceiling of
 * any `embed` from s3rver on this machine); what reading thumbnails does to
 * the vectors (cosine to the original's vector, near-duplicate lookups); then the vector store: vectors stored per
 * second (SQLite, PostgreSQL), nearest-neighbour latency at 10^5 and 10^6 (synthetic vectors),
 * recall@10 of the reduced copy, and the time of a 100,000-point map. Not a test.
 */
import { createHash } from 'node:crypto';
import { cpSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import * as ort from 'onnxruntime-node';
import { recordEmbeddings } from '../src/catalog/embedding.repository.js';
import { DEFAULT_MODEL_SPEC, ensureDefaultModel } from '../src/embeddings/default-model.js';
import { writeImageInput } from '../src/embeddings/image-input.js';
import { onnxSessionOptions, openOnnxImageEncoder, type OnnxSessionOptions } from '../src/embeddings/onnx.image-encoder.js';
import { openOnnxNearestSearch } from '../src/embeddings/onnx.vector-math.js';
import { normalizeInPlace } from '../src/embeddings/vectors.js';
import type { Thumbnail, ThumbnailFormat } from '../src/media/image-processor.js';
import { createSharpImageProcessor } from '../src/media/sharp.image-processor.js';
import { createSharpImageTensorDecoder } from '../src/media/sharp.image-tensor.js';
import { seededRandom } from '../src/selection/seeded-random.js';
import { exactNearest, recallAtK } from '../src/selection/nearest.js';
import { fitPca, projectPca } from '../src/selection/pca.js';
import { umapCoordinates } from '../src/workflows/embedding-map.js';
import { openMatMul } from '../src/workflows/vector-index.js';
import { createTestDatabase } from '../test/support/databases.js';
import { createS3rverClient, startS3Server } from '../test/support/s3-server.js';
import { cleanUpAll, cleanUpOnSignals, makeTempDir, onCleanup } from './cleanup.js';
import { seedEmbeddingTarget } from './embedding-target.js';
import { assertSucceeded, cpuMsOf, runMeasured } from './measured-process.js';
import { preparePhotos } from './thumbnail-photos.js';
import { baseImages } from './embedding-photos.js';
import { median } from './statistics.js';

const BIN = resolve(import.meta.dirname, '../bin/winnow.js');
const BUCKET = 'bench';
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const sizes = (option('--images') ?? '500,5000').split(',').map(Number);
const rounds = Number(option('--rounds') ?? '3');
/** Which end-to-end runs to make: `--paths thumbnails` alone suffices for peak RSS at 5,000 images. */
const paths = (option('--paths') ?? 'originals,thumbnails').split(',') as Array<'originals' | 'thumbnails'>;
/** Thumbnails fitting this box have a short side of at least 224 px up to 16:9, so embed reads them instead of the originals. */
const THUMBNAIL_BOX = Number(option('--thumbnail-size') ?? '400');
/**
 * Both sides' onnxruntime threads, instead of the raw peer's best (2 on this machine). At 1, the model has one core to
 * itself and the rest of embed gets the other: what a machine with a core to spare beside the model gives.
 */
const MODEL_THREADS = option('--model-threads') === undefined ? [1, 2] : [Number(option('--model-threads'))];
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const results: Record<string, unknown> = { startedAt: new Date().toISOString(), loadAtStart: load() };

/**
 * onnxruntime alone (a session opened as Winnow's encoder opens it, nothing else) on 64 photos
 * decoded and made into float tensors beforehand, at its best: batch sizes 8, 16, 32 (one thread per
 * core, no spinning), then at the best batch 1 and 2 threads, spinning or not. `embed` then runs
 * with the winner's batch and threads (it never spins: its decoders need the cores).
 */
async function rawThroughput(files: readonly string[]): Promise<{
  batch: number;
  threads: number;
  spinWait: boolean;
  imagesPerSecond: number;
  byBatch: Record<number, number>;
  bySession: Record<string, number>;
  at: RawPeer;
}> {
  const home = await makeTempDir('winnow-bench-embed-model-');
  onCleanup('remove the model folder', () => home.remove());
  const { path } = await ensureDefaultModel(join(home.path, 'models'));
  const decoder = createSharpImageTensorDecoder();
  const images = await Promise.all(files.slice(0, 64).map(async (file) => decoder.decode(readFileSync(file), DEFAULT_MODEL_SPEC.inputSize)));
  const imageSize = DEFAULT_MODEL_SPEC.inputSize ** 2 * 3;
  const batchesBySize = new Map<number, ort.Tensor[]>();
  /** The 64 images as float tensors of `batch` images each, made once per batch size before a clock starts: onnxruntime alone runs on them. */
  const batchesOf = (batch: number) => {
    const made = batchesBySize.get(batch);
    if (made !== undefined) return made;
    const batches: ort.Tensor[] = [];
    for (let start = 0; start + batch <= images.length; start += batch) {
      const data = new Float32Array(batch * imageSize);
      images.slice(start, start + batch).forEach((pixels, index) => writeImageInput(pixels, DEFAULT_MODEL_SPEC, data, index * imageSize));
      batches.push(new ort.Tensor('float32', data, [batch, DEFAULT_MODEL_SPEC.inputSize, DEFAULT_MODEL_SPEC.inputSize, 3]));
    }
    batchesBySize.set(batch, batches);
    return batches;
  };
  const open = (options: OnnxSessionOptions) => ort.InferenceSession.create(path, onnxSessionOptions(options));
  /**
   * Images per second, and the CPU time this process spent per image meanwhile (onnxruntime's threads, and the
   * reads of `alongside` when given; nothing else runs here then).
   */
  const measureWithCpu = async (session: ort.InferenceSession, batch: number, ms = 4_000, alongside?: Alongside) => {
    const batches = batchesOf(batch);
    const run = async (input: ort.Tensor) => {
      const outputs = await session.run({ [session.inputNames[0]!]: input }, [DEFAULT_MODEL_SPEC.output!]);
      for (const output of Object.values(outputs)) output.dispose();
    };
    await run(batches[0]!);
    let done = 0;
    const cpuBefore = process.cpuUsage();
    const beside = alongside?.(() => done);
    const started = performance.now();
    while (performance.now() - started < ms) {
      for (const input of batches) {
        await beside?.readyFor(done + batch);
        await run(input);
        done += batch;
      }
    }
    await beside?.stop();
    const cpu = process.cpuUsage(cpuBefore);
    return {
      images: done,
      imagesPerSecond: Math.round((done / ((performance.now() - started) / 1000)) * 10) / 10,
      cpuMsPerImage: Math.round(((cpu.user + cpu.system) / 1000 / done) * 10) / 10,
    };
  };
  const measure = async (session: ort.InferenceSession, batch: number, ms = 4_000) => (await measureWithCpu(session, batch, ms)).imagesPerSecond;
  const best = (scores: Record<string, number>) => Object.entries(scores).sort((a, b) => b[1] - a[1])[0]!;
  const byBatch: Record<number, number> = {};
  const defaults = await open({ threads: 0 });
  for (const batch of [8, 16, 32]) byBatch[batch] = await measure(defaults, batch);
  await defaults.release();
  const batch = Number(best(byBatch)[0]);
  const bySession: Record<string, number> = {};
  for (const threads of MODEL_THREADS)
    for (const spinWait of [false, true]) {
      const session = await open({ threads, spinWait });
      bySession[`${threads}${spinWait ? '+spin' : ''}`] = await measure(session, batch);
      await session.release();
    }
  const [chosen, imagesPerSecond] = best(bySession);
  const threads = Number.parseInt(chosen, 10);
  const spinWait = chosen.endsWith('+spin');
  const session = await open({ threads, spinWait });
  onCleanup('close the raw session', () => session.release());
  // Beside reads the model never spins, as embed's never does: spinning threads would take the readers' cores.
  const besideReads = spinWait ? await open({ threads, spinWait: false }) : session;
  if (besideReads !== session) onCleanup('close the raw session beside reads', () => besideReads.release());
  return {
    batch,
    threads,
    spinWait,
    imagesPerSecond,
    byBatch,
    bySession,
    at: (size, ms, alongside) => measureWithCpu(alongside === undefined ? session : besideReads, size, ms, alongside),
  };
}

type RawPeer = (batch: number, ms?: number, alongside?: Alongside) => Promise<{ images: number; imagesPerSecond: number; cpuMsPerImage: number }>;
/** Work started beside the raw model, told how many images it has run so far. */
type Alongside = (modelImages: () => number) => Beside;
interface Beside {
  /** Resolves once `images` images are ready: the model runs no image before it has been read. */
  readyFor(images: number): Promise<void>;
  stop(): Promise<void>;
}

/** As many reads in flight as embed's default (WINNOW_EMBED_READ_CONCURRENCY), at most this many images ahead of the model. */
const READERS = 8;
const READ_AHEAD = 32;

/**
 * GETs `keys` from s3rver in turn, READERS at a time and never more than READ_AHEAD images ahead of
 * the model, and throws the bytes away: the reads `embed` makes at the model's pace, without
 * anything embed does with them; the model waits for a batch's images to have been read. The raw
 * model running beside them is the ceiling of any `embed` from s3rver on this machine, since every
 * image must at least be read.
 */
function readAlongside(client: S3Client, keys: readonly string[]): Alongside {
  return (modelImages) => {
    let stopped = false;
    let requested = 0;
    let read = 0;
    const waiting: Array<{ images: number; resume: () => void }> = [];
    const reader = async () => {
      while (!stopped) {
        if (requested - modelImages() >= READ_AHEAD) {
          await sleep(1);
          continue;
        }
        const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: keys[requested++ % keys.length]! }));
        await object.Body!.transformToByteArray();
        read++;
        for (const waiter of waiting.filter((entry) => entry.images <= read)) {
          waiting.splice(waiting.indexOf(waiter), 1);
          waiter.resume();
        }
      }
    };
    const readers = Array.from({ length: READERS }, reader);
    return {
      readyFor: (images) => (images <= read ? Promise.resolve() : new Promise<void>((resume) => waiting.push({ images, resume }))),
      async stop() {
        stopped = true;
        await Promise.all(readers);
      },
    };
  };
}

async function listKeys(client: S3Client, prefix: string, include: (key: string) => boolean): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (include(object.Key!)) keys.push(object.Key!);
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return keys;
}

/** Photos under `<prefix>` in s3rver's own file layout (hard links, so 5,000 multi-MB objects cost no copies). */
function seed(root: string, prefix: string, files: readonly string[], count: number): void {
  const md5s = new Map<string, string>();
  for (let index = 0; index < count; index++) {
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

const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * Per size: one catalog synced (originals only) and a copy of it after `winnow thumbnails --size
 * THUMBNAIL_BOX`; then rounds alternating raw onnxruntime at the best batch, `embed` from the
 * originals and `embed` from the thumbnails, each embed on a fresh copy of its catalog.
 */
async function pipeline(files: readonly string[], raw: { batch: number; threads: number; imagesPerSecond: number; at: RawPeer }): Promise<void> {
  const directory = await makeTempDir('winnow-bench-embed-s3rver-');
  onCleanup('remove the s3rver folder', () => directory.remove());
  for (const count of sizes) seed(directory.path, `p${count}/`, files, count);
  const server = await startS3Server({ directory: directory.path, buckets: [BUCKET] });
  const stop = onCleanup('stop s3rver', () => server.stop());
  const client = createS3rverClient(server.endpoint);
  const runs: unknown[] = [];
  for (const count of sizes) {
    const base = await makeTempDir('winnow-bench-embed-home-');
    onCleanup('remove the bench homes', () => base.remove());
    const homes = { originals: join(base.path, 'originals'), thumbnails: join(base.path, 'thumbnails') };
    const env = (home: string) => ({
      PATH: process.env.PATH,
      WINNOW_HOME: home,
      WINNOW_LOG_LEVEL: 'warn',
      AWS_EC2_METADATA_DISABLED: 'true',
      WINNOW_SECRET_ACCESS_KEY: 'S3RVER',
      WINNOW_EMBED_BATCH_SIZE: String(raw.batch),
      ...(process.env.WINNOW_EMBED_DECODE_THREADS ? { WINNOW_EMBED_DECODE_THREADS: process.env.WINNOW_EMBED_DECODE_THREADS } : {}),
      WINNOW_EMBED_THREADS: process.env.WINNOW_EMBED_THREADS ?? String(raw.threads),
    });
    const cli = (home: string, ...command: string[]) => runMeasured(process.execPath, [BIN, ...command], { env: env(home), timeoutMs: 3_600_000 });
    await cli(
      homes.originals,
      'dataset',
      'create',
      'bench',
      '--input',
      `s3://${BUCKET}/p${count}/`,
      '--endpoint',
      server.endpoint,
      '--path-style',
      '--region',
      'us-east-1',
      '--access-key-id',
      'S3RVER',
    );
    assertSucceeded(await cli(homes.originals, 'dataset', 'sync', 'bench', '--skip-verify'), 'dataset sync');
    // Loads the model once, so no round pays the conversion.
    cpSync(homes.originals, homes.thumbnails, { recursive: true });
    const made = await cli(homes.thumbnails, 'thumbnails', 'bench', '--size', String(THUMBNAIL_BOX), '--json');
    assertSucceeded(made, 'thumbnails');
    const thumbnails = JSON.parse(made.stdout) as { generated: number; durationMs: number };
    console.log(
      `${count} photos: ${thumbnails.generated} thumbnails (box ${THUMBNAIL_BOX} px) made in ${(thumbnails.durationMs / 1000).toFixed(1)} s (not part of embed)`,
    );

    const readKeys = {
      originals: await listKeys(client, `p${count}/`, (key) => !key.includes('/.winnow/')),
      thumbnails: await listKeys(client, `p${count}/.winnow/thumbnails/`, () => true),
    };
    const measured: Record<'raw' | 'originals' | 'thumbnails', number[]> = { raw: [], originals: [], thumbnails: [] };
    const cpuPerImage: Record<'raw' | 'originals' | 'thumbnails', number[]> = { raw: [], originals: [], thumbnails: [] };
    /** The raw model while the same objects embed reads are read beside it: what no embed from s3rver can beat here. */
    const ceiling: Record<'originals' | 'thumbnails', number[]> = { originals: [], thumbnails: [] };
    const detail: unknown[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const path of round % 2 === 0 ? paths : [...paths].reverse()) {
        const rawNow = await raw.at(raw.batch);
        measured.raw.push(rawNow.imagesPerSecond);
        cpuPerImage.raw.push(rawNow.cpuMsPerImage);
        const serverCpuBeforeReads = cpuMsOf(server.pid);
        const reading = await raw.at(raw.batch, 4_000, readAlongside(client, readKeys[path]));
        const readingServerCpuMs = (cpuMsOf(server.pid) - serverCpuBeforeReads) / reading.images;
        ceiling[path].push(reading.imagesPerSecond);
        const home = join(base.path, `round-${round}-${path}`);
        cpSync(homes[path], home, { recursive: true });
        const loadBefore = load();
        const serverCpuBefore = cpuMsOf(server.pid);
        const run = await cli(home, 'embed', 'bench', '--json');
        const serverCpuMs = cpuMsOf(server.pid) - serverCpuBefore;
        assertSucceeded(run, 'embed');
        const report = JSON.parse(run.stdout) as { embedded: number; fromThumbnails: number; imagesPerSecond: number };
        // The same command with nothing left to embed: its CPU time is what every run pays before the first image (start, model load, trial run).
        const idle = await cli(home, 'embed', 'bench', '--json');
        assertSucceeded(idle, 'embed (nothing left)');
        const embedCpuMsPerImage = (run.cpuMs - idle.cpuMs) / report.embedded;
        const serverCpuMsPerImage = serverCpuMs / report.embedded;
        measured[path].push(report.imagesPerSecond);
        cpuPerImage[path].push(embedCpuMsPerImage + serverCpuMsPerImage);
        const entry = {
          images: count,
          round,
          path,
          embedded: report.embedded,
          fromThumbnails: report.fromThumbnails,
          imagesPerSecond: report.imagesPerSecond,
          rawImagesPerSecond: rawNow.imagesPerSecond,
          rawCpuMsPerImage: rawNow.cpuMsPerImage,
          rawWhileReadingImagesPerSecond: reading.imagesPerSecond,
          rawWhileReadingCpuMsPerImage: reading.cpuMsPerImage,
          rawWhileReadingS3rverCpuMsPerImage: round1(readingServerCpuMs),
          embedCpuMsPerImage: round1(embedCpuMsPerImage),
          s3rverCpuMsPerImage: round1(serverCpuMsPerImage),
          startCpuMs: idle.cpuMs,
          wallSeconds: Math.round(run.wallMs / 100) / 10,
          peakRssMiB: Math.round(run.peakRssKib / 1024),
          loadBefore,
          loadAfter: load(),
        };
        detail.push(entry);
        console.log(
          `  round ${round + 1}: raw ${rawNow.imagesPerSecond} images/s (${rawNow.cpuMsPerImage} CPU-ms/image); raw while reading the ${path} (no decode) ${reading.imagesPerSecond} images/s (${reading.cpuMsPerImage} + ${round1(readingServerCpuMs)} s3rver CPU-ms/image); embed from ${path}: ${report.imagesPerSecond} images/s (${report.fromThumbnails} from thumbnails, ${entry.wallSeconds} s wall, peak RSS ${entry.peakRssMiB} MiB), CPU-ms/image ${entry.embedCpuMsPerImage} winnow + ${entry.s3rverCpuMsPerImage} s3rver (start ${idle.cpuMs} ms not counted), load ${loadBefore} -> ${entry.loadAfter}`,
        );
        rmSync(home, { recursive: true, force: true });
      }
    }
    const rawMedian = Math.round(median(measured.raw) * 10) / 10;
    const rawCpu = median(cpuPerImage.raw);
    const peakRssMiB = Math.max(...detail.map((entry) => (entry as { peakRssMiB: number }).peakRssMiB));
    const summary = {
      images: count,
      rounds,
      rawMedian,
      originalsMedian: median(measured.originals),
      thumbnailsMedian: median(measured.thumbnails),
      originalsRatio: Math.round((median(measured.originals) / rawMedian) * 100) / 100,
      thumbnailsRatio: Math.round((median(measured.thumbnails) / rawMedian) * 100) / 100,
      originalsCeilingRatio: Math.round((median(ceiling.originals) / rawMedian) * 100) / 100,
      thumbnailsCeilingRatio: Math.round((median(ceiling.thumbnails) / rawMedian) * 100) / 100,
      // Load-independent: the model's CPU per image alone over all the CPU per image embed and s3rver spend (what the wall ratio tends to on 2 busy cores).
      rawCpuMsPerImage: rawCpu,
      originalsCpuMsPerImage: round1(median(cpuPerImage.originals)),
      thumbnailsCpuMsPerImage: round1(median(cpuPerImage.thumbnails)),
      originalsCpuRatio: Math.round((rawCpu / median(cpuPerImage.originals)) * 100) / 100,
      thumbnailsCpuRatio: Math.round((rawCpu / median(cpuPerImage.thumbnails)) * 100) / 100,
      peakRssMiB,
      detail,
    };
    console.log(
      `end-to-end embed of ${count} photos from s3rver, median of ${rounds}: raw onnxruntime ${rawMedian} images/s (batch ${raw.batch}); ${paths
        .map((path) => `from ${path} ${summary[`${path}Median`]} images/s (${summary[`${path}Ratio`]}x raw)`)
        .join('; ')}; highest peak RSS ${peakRssMiB} MiB; load ${load()}`,
    );
    console.log(
      `  ceiling (the raw model while the same objects are read from s3rver, nothing decoded or stored): ${paths
        .map((path) => `reading the ${path} ${median(ceiling[path])} images/s (${summary[`${path}CeilingRatio`]}x raw)`)
        .join('; ')}`,
    );
    console.log(
      `  by CPU time per image (winnow + s3rver, start excluded): raw ${rawCpu} ms; ${paths
        .map((path) => `from ${path} ${summary[`${path}CpuMsPerImage`]} ms (${summary[`${path}CpuRatio`]}x raw)`)
        .join('; ')}`,
    );
    runs.push(summary);
    await base.remove();
  }
  results.pipeline = runs;
  await stop();
  await directory.remove();
}

/**
 * What reading thumbnails does to the vectors: each distinct photo embedded from its original and
 * from its Winnow thumbnail (box THUMBNAIL_BOX; today's JPEG q85 and, for comparison, the WebP q80
 * thumbnails made before), cosine between the two; then near-duplicates made from every photo (half
 * size, JPEG q70, 10% brighter; and a 90% centre crop), each looked up among all the photos: is its
 * source the nearest neighbour, with both sides read from originals, both from thumbnails, and
 * thumbnail queries against original vectors (a dataset half embedded each way).
 */
async function quality(label: string, originals: readonly Buffer[]): Promise<void> {
  const { default: sharp } = await import('sharp');
  const home = await makeTempDir('winnow-bench-embed-quality-');
  onCleanup('remove the quality model folder', () => home.remove());
  const { path } = await ensureDefaultModel(join(home.path, 'models'));
  const encoder = await openOnnxImageEncoder(path, DEFAULT_MODEL_SPEC, { threads: 0 });
  const decoder = createSharpImageTensorDecoder();
  const thumbnailer = createSharpImageProcessor();
  const embed = async (images: readonly Buffer[]) => {
    const out: Float32Array[] = [];
    for (let at = 0; at < images.length; at += 16) {
      const pixels = await Promise.all(images.slice(at, at + 16).map((image) => decoder.decode(image, DEFAULT_MODEL_SPEC.inputSize)));
      out.push(...(await encoder.encode(pixels)));
    }
    return out;
  };
  const thumbnailsOf = async (images: readonly Buffer[], format: ThumbnailFormat) => {
    const thumbs: Thumbnail[] = [];
    for (const image of images) thumbs.push(await thumbnailer.makeThumbnail(image, { size: THUMBNAIL_BOX, format }));
    return thumbs;
  };
  const duplicates: Buffer[] = [];
  for (const original of originals) {
    const meta = await sharp(original).metadata();
    duplicates.push(
      await sharp(original)
        .resize(Math.round(meta.width! / 2))
        .modulate({ brightness: 1.1 })
        .jpeg({ quality: 70 })
        .toBuffer(),
    );
    const [w, h] = [Math.round(meta.width! * 0.9), Math.round(meta.height! * 0.9)];
    duplicates.push(
      await sharp(original)
        .extract({ left: Math.round((meta.width! - w) / 2), top: Math.round((meta.height! - h) / 2), width: w, height: h })
        .jpeg({ quality: 88 })
        .toBuffer(),
    );
  }
  const sources = await embed(originals);
  const queries = await embed(duplicates);
  const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
  const hits = (gallery: Float32Array[], probes: Float32Array[]) => {
    let found = 0;
    probes.forEach((probe, index) => {
      let best = -1;
      let bestScore = -Infinity;
      gallery.forEach((vector, at) => {
        const score = dot(probe, vector);
        if (score > bestScore) [best, bestScore] = [at, score];
      });
      if (best === Math.floor(index / 2)) found++;
    });
    return `${found}/${probes.length}`;
  };
  const byFormat: Record<string, unknown> = {};
  console.log(
    `quality on ${originals.length} ${label}, thumbnails fitting ${THUMBNAIL_BOX} px; both near-duplicates from originals: ${hits(sources, queries)} find their source`,
  );
  for (const format of ['jpeg', 'webp'] as const) {
    const thumbnails = await thumbnailsOf(originals, format);
    const sourceThumbnails = await embed(thumbnails.map((thumbnail) => thumbnail.bytes));
    const queryThumbnails = await embed((await thumbnailsOf(duplicates, format)).map((thumbnail) => thumbnail.bytes));
    const cosines = sources.map((vector, index) => dot(vector, sourceThumbnails[index]!)).sort((a, b) => a - b);
    const nearest = {
      bothOriginals: hits(sources, queries),
      bothThumbnails: hits(sourceThumbnails, queryThumbnails),
      thumbnailQueriesOriginalSources: hits(sources, queryThumbnails),
      originalQueriesThumbnailSources: hits(sourceThumbnails, queries),
    };
    // How many a default `embed` would read instead of the original (short side at least the model's 224 px input).
    const standIn = thumbnails.filter((thumbnail) => Math.min(thumbnail.width, thumbnail.height) >= DEFAULT_MODEL_SPEC.inputSize).length;
    const meanKiB = Math.round(thumbnails.reduce((sum, thumbnail) => sum + thumbnail.bytes.length, 0) / thumbnails.length / 1024);
    const cosine = { min: cosines[0]!, p5: cosines[Math.floor(cosines.length * 0.05)]!, median: median(cosines) };
    byFormat[format] = { meanKiB, standIn, cosineOriginalVsThumbnail: cosine, nearestNeighbourIsSource: nearest };
    console.log(
      `  ${format === 'jpeg' ? 'JPEG q85 (today)' : 'WebP q80 (before)'}, mean ${meanKiB} KiB, ${standIn}/${thumbnails.length} with a short side >= ${DEFAULT_MODEL_SPEC.inputSize} px: cosine(original, thumbnail) median ${cosine.median.toFixed(4)}, 5th percentile ${cosine.p5.toFixed(4)}, min ${cosine.min.toFixed(4)}; nearest neighbour is the source: ${JSON.stringify(nearest)}`,
    );
  }
  await encoder.close();
  results.quality = { label, photos: originals.length, thumbnailBox: THUMBNAIL_BOX, byFormat };
  await home.remove();
}

/** Clustered unit vectors of 1,792 values: 200 centres in a 48-d latent space, as real embeddings concentrate. */
function syntheticVectors(count: number, dimensions: number, seedValue: number): Float32Array {
  const random = seededRandom(seedValue);
  const gaussian = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const latent = 48;
  const basis = Float32Array.from({ length: latent * dimensions }, gaussian);
  const centres = Float32Array.from({ length: 200 * latent }, gaussian);
  const out = new Float32Array(count * dimensions);
  const code = new Float32Array(latent);
  for (let i = 0; i < count; i++) {
    const centre = Math.floor(random() * 200);
    for (let l = 0; l < latent; l++) code[l] = centres[centre * latent + l]! + 0.6 * gaussian();
    const row = out.subarray(i * dimensions, (i + 1) * dimensions);
    for (let l = 0; l < latent; l++) for (let j = 0; j < dimensions; j++) row[j]! += code[l]! * basis[l * dimensions + j]!;
    for (let j = 0; j < dimensions; j++) row[j]! += 0.5 * gaussian();
    normalizeInPlace(row);
  }
  return out;
}

async function vectors(): Promise<void> {
  const d = 1792;
  // Insert rate: 20,000 vectors through recordEmbeddings, 256 per transaction, as embed writes them.
  const insert: Record<string, number> = {};
  const rows = syntheticVectors(2_000, d, 1);
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const test = await createTestDatabase(dialect);
    const db = test.database.db;
    const now = new Date().toISOString();
    const count = 20_000;
    const { datasetId, sampleIds, model } = await seedEmbeddingTarget(db, dialect, count, d);
    const started = performance.now();
    for (let start = 0; start < count; start += 256) {
      const batch = sampleIds.slice(start, start + 256).map((sampleId, i) => ({
        sampleId,
        datasetId,
        sourceEtag: 'e',
        status: 'ok' as const,
        vector: rows.subarray(((start + i) % 2_000) * d, (((start + i) % 2_000) + 1) * d),
        error: null,
        updatedAt: now,
      }));
      await db.transaction().execute((trx) => recordEmbeddings(trx, model, batch));
    }
    insert[dialect] = Math.round(count / ((performance.now() - started) / 1000));
    console.log(`vectors stored per second (${dialect}, 1,792-d float32, 256 per transaction): ${insert[dialect]}`);
    await test.drop();
  }
  results.insertPerSecond = insert;

  // Recall of the reduced copy (PCA-64) against exact search on the full vectors, 20,000 clustered vectors.
  const n = 20_000;
  const data = syntheticVectors(n, d, 2);
  const { matmul, close } = await openMatMul();
  const fitRows = new Float32Array(2_000 * d);
  for (let i = 0; i < 2_000; i++) fitRows.set(data.subarray(i * 10 * d, (i * 10 + 1) * d), i * d);
  const pca = await fitPca(fitRows, 2_000, d, 64, matmul);
  const reduced = await projectPca(pca, data, n, matmul);
  const search = await openOnnxNearestSearch(reduced, n, 64);
  let reducedRecall = 0;
  let rerankRecall = 0;
  const queries = 100;
  for (let q = 0; q < queries; q++) {
    const index = q * 197;
    const query = data.subarray(index * d, (index + 1) * d);
    const exact = exactNearest(query, data, n, 11)
      .map((entry) => entry.index)
      .filter((i) => i !== index)
      .slice(0, 10);
    const candidates = [...(await search.search(reduced.subarray(index * 64, (index + 1) * 64), 1, 101))].filter((i) => i !== index);
    reducedRecall += recallAtK(exact, candidates.slice(0, 10));
    const rows = new Float32Array(candidates.length * d);
    candidates.forEach((i, at) => rows.set(data.subarray(i * d, (i + 1) * d), at * d));
    rerankRecall += recallAtK(
      exact,
      exactNearest(query, rows, candidates.length, 10).map((entry) => candidates[entry.index]!),
    );
  }
  await search.close();
  const variance = pca.variances.reduce((sum, value) => sum + value, 0) / pca.totalVariance;
  results.recallAt10 = { reducedOnly: reducedRecall / queries, withRerank: rerankRecall / queries, varianceKept: Math.round(variance * 1000) / 1000 };
  console.log(
    `recall@10 vs exact (20,000 clustered 1,792-d vectors): PCA-64 alone ${(reducedRecall / queries).toFixed(3)}, PCA-64 + re-rank of 100 on full vectors ${(rerankRecall / queries).toFixed(3)} (variance kept ${(variance * 100).toFixed(1)}%)`,
  );

  // Query latency of the reduced copy at 10^5 and 10^6 (random 64-d rows; the search is exhaustive, so the values do not matter).
  const latency: Record<string, number> = {};
  for (const size of [100_000, 1_000_000]) {
    const random = seededRandom(size);
    const matrix = Float32Array.from({ length: size * 64 }, () => random() - 0.5);
    const started = performance.now();
    const index = await openOnnxNearestSearch(matrix, size, 64);
    const openMs = performance.now() - started;
    const times: number[] = [];
    for (let q = 0; q < 30; q++) {
      const t = performance.now();
      await index.search(matrix.subarray(q * 64, (q + 1) * 64), 1, 100);
      times.push(performance.now() - t);
    }
    await index.close();
    times.sort((a, b) => a - b);
    latency[size] = Math.round(times[15]! * 10) / 10;
    console.log(
      `nearest 100 of ${size.toLocaleString('en-US')} reduced vectors: median ${latency[size]} ms, p90 ${times[27]!.toFixed(1)} ms (loading ${Math.round(openMs)} ms, ${Math.round((size * 65 * 4) / 1048576)} MiB)`,
    );
  }
  results.knnMedianMs = latency;

  // A 100,000-point map: UMAP fitted on 20,000, the rest placed by their 5 nearest fitted points; PCA is the first two columns.
  const points = 100_000;
  const mapReduced = new Float32Array(points * 64);
  for (let start = 0; start < points; start += 10_000)
    mapReduced.set(await projectPca(pca, syntheticVectors(10_000, d, 100 + start), 10_000, matmul), start * 64);
  const mapStarted = performance.now();
  await umapCoordinates({ sampleIds: Float64Array.from({ length: points }, (_, i) => i), reduced: mapReduced, pca });
  results.umapMap100kSeconds = Math.round((performance.now() - mapStarted) / 100) / 10;
  console.log(`UMAP map of 100,000 points (fit on 20,000, the rest placed): ${results.umapMap100kSeconds} s`);
  await close();
}

cleanUpOnSignals();
try {
  console.log(`bench:embed, load average ${load()}`);
  if (flag('--quality-only')) {
    const images = (await baseImages()).map((image) => image.jpeg);
    await quality('real pictures (gnome-backgrounds, mate-backgrounds, darknet, skimage; whole and 2 x 2 tiles, JPEG q90 at most 2048 px)', images);
  } else if (!flag('--skip-pipeline')) {
    const photos = await preparePhotos(200);
    console.log(
      `${photos.files.length} distinct photos, ${photos.megapixels.min.toFixed(1)}-${photos.megapixels.max.toFixed(1)} MP (mean ${photos.megapixels.mean.toFixed(1)})`,
    );
    const raw = await rawThroughput(photos.files);
    results.raw = { ...raw, at: undefined };
    console.log(
      `raw onnxruntime on pre-decoded 224 x 224 tensors: ${JSON.stringify(raw.byBatch)} images/s by batch size, ${JSON.stringify(raw.bySession)} by threads at batch ${raw.batch}; best ${raw.imagesPerSecond} (batch ${raw.batch}, ${raw.threads} threads${raw.spinWait ? ', spinning' : ''})`,
    );
    await pipeline(photos.files, raw);
    if (!flag('--skip-quality'))
      await quality(
        'distinct photos (crops, flips and rescales of Debian wallpapers and skimage samples)',
        photos.files.map((file) => readFileSync(file)),
      );
  }
  if (!flag('--skip-vectors') && !flag('--quality-only')) await vectors();
  results.loadAtEnd = load();
  const out = resolve(import.meta.dirname, `results/embed-${Date.now()}.json`);
  writeFileSync(out, JSON.stringify(results, null, 2));
  console.log(`written to ${out}`);
} finally {
  await cleanUpAll();
}
