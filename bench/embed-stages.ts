/**
 * npm run bench:embed-stages [-- --images 200] [--thumbnail-size 400]
 *
 * Where the CPU goes per image when `winnow embed` reads thumbnails, stage by stage, each stage run
 * alone over the same images and measured in CPU time (this process's `process.cpuUsage`, worker
 * and onnxruntime threads included; s3rver's from /proc), so the figures hold on a busy machine:
 * the GET (client side and s3rver side), decoding into the model's input (as embed runs it, and
 * sharp alone), normalising it into the model's batch, the model at 1 and 2 threads, the
 * near-duplicate descriptor, and storing the vectors (SQLite). Then the decode cost of thumbnail
 * formats and sizes side by side. Compare the sum with the CPU per image `bench:embed` measures for
 * the whole command. Not a test.
 */
import { Agent, get as httpGet } from 'node:http';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { recordEmbeddings } from '../src/catalog/embedding.repository.js';
import { DEFAULT_MODEL_SPEC, ensureDefaultModel } from '../src/embeddings/default-model.js';
import { writeImageInput } from '../src/embeddings/image-input.js';
import { openOnnxImageEncoder } from '../src/embeddings/onnx.image-encoder.js';
import { createSharpImageProcessor } from '../src/media/sharp.image-processor.js';
import { createSharpImageTensorDecoder } from '../src/media/sharp.image-tensor.js';
import { loadSharp } from '../src/media/sharp.module.js';
import { thumbnailDescriptor } from '../src/selection/thumbnail-descriptor.js';
import { forEachConcurrently } from '../src/shared/concurrency.js';
import { createTestDatabase } from '../test/support/databases.js';
import { startS3Server, createS3rverClient, putObjects } from '../test/support/s3-server.js';
import { createLocalS3Store } from '../test/support/s3-store.js';
import { cleanUpAll, cleanUpOnSignals, makeTempDir, onCleanup } from './cleanup.js';
import { seedEmbeddingTarget } from './embedding-target.js';
import { cpuMsOf } from './measured-process.js';
import { preparePhotos } from './thumbnail-photos.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const IMAGES = Number(option('--images') ?? '200');
const THUMBNAIL_BOX = Number(option('--thumbnail-size') ?? '400');
const BUCKET = 'stages';
/** As `winnow embed` runs by default (WINNOW_EMBED_READ_CONCURRENCY, WINNOW_EMBED_DECODE_THREADS, WINNOW_EMBED_BATCH_SIZE). */
const READ_CONCURRENCY = 8;
const DECODE_THREADS = 2;
const BATCH = 16;
const SIZE = DEFAULT_MODEL_SPEC.inputSize;

/** CPU-ms per image of `work` over `images` images, in this process (all its threads) and optionally in another process. */
async function cpuPerImage(images: number, work: () => Promise<void>, otherPid?: number): Promise<{ self: number; other: number; wallMs: number }> {
  const otherBefore = otherPid === undefined ? 0 : cpuMsOf(otherPid);
  const before = process.cpuUsage();
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(before);
  const other = otherPid === undefined ? 0 : cpuMsOf(otherPid) - otherBefore;
  const round = (value: number) => Math.round(value * 100) / 100;
  return { self: round((used.user + used.system) / 1000 / images), other: round(other / images), wallMs: Math.round(wallMs) };
}

cleanUpOnSignals();
try {
  const photos = await preparePhotos(Math.min(IMAGES, 200));
  const originals = photos.files.slice(0, IMAGES).map((file) => readFileSync(file));
  const thumbnailer = createSharpImageProcessor();
  const thumbnails: Buffer[] = [];
  for (const original of originals) thumbnails.push((await thumbnailer.makeThumbnail(original, { size: THUMBNAIL_BOX })).bytes);
  const count = thumbnails.length;
  const row = (stage: string, figure: string) => {
    console.log(`${stage.padEnd(58)} ${figure}`);
  };
  console.log(
    `${count} photos, thumbnails fit in ${THUMBNAIL_BOX} px (mean ${Math.round(thumbnails.reduce((sum, t) => sum + t.length, 0) / count / 1024)} KiB)`,
  );

  // GET: the thumbnails through the same S3 store embed uses, READ_CONCURRENCY at a time; a first pass warms the JIT and the sockets.
  const directory = await makeTempDir('winnow-bench-stages-s3rver-');
  onCleanup('remove the s3rver folder', () => directory.remove());
  const server = await startS3Server({ directory: directory.path, buckets: [BUCKET] });
  onCleanup('stop s3rver', () => server.stop());
  const keys = thumbnails.map((_, index) => `t/${index}_thumb.jpg`);
  await putObjects(
    createS3rverClient(server.endpoint),
    BUCKET,
    keys.map((key, index) => ({ key, body: thumbnails[index]! })),
  );
  const store = createLocalS3Store(server.endpoint, { bucket: BUCKET });
  const readAll = () => forEachConcurrently(keys, READ_CONCURRENCY, async (key) => void (await store.readObject(key, 64 * 1024 * 1024)));
  await readAll();
  const get = await cpuPerImage(count, readAll, server.pid);
  row('GET a thumbnail: winnow side (AWS SDK, HTTP)', `${get.self} CPU-ms/image`);
  row('GET a thumbnail: s3rver side', `${get.other} CPU-ms/image`);

  // The same GETs without the SDK (s3rver checks no signature): what the SDK's own work costs.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const plainGet = (key: string) =>
    new Promise<void>((resolve, reject) => {
      httpGet(`${server.endpoint}/${BUCKET}/${key}`, { agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => (Buffer.concat(chunks), resolve()));
        response.on('error', reject);
      }).on('error', reject);
    });
  await forEachConcurrently(keys, READ_CONCURRENCY, plainGet);
  const plain = await cpuPerImage(count, () => forEachConcurrently(keys, READ_CONCURRENCY, plainGet), server.pid);
  row('GET a thumbnail with node:http, no SDK: winnow side', `${plain.self} CPU-ms/image`);
  row('GET a thumbnail with node:http, no SDK: s3rver side', `${plain.other} CPU-ms/image`);
  agent.destroy();

  // Decoding, as embed does it (DECODE_THREADS images at once, READ_CONCURRENCY asking); then sharp alone, and the normalisation the encoder does.
  const decoder = createSharpImageTensorDecoder({ concurrency: DECODE_THREADS });
  const decodeAll = async (inputs: Buffer[]) => {
    const out: Uint8Array[] = new Array(inputs.length);
    await forEachConcurrently([...inputs.keys()], READ_CONCURRENCY, async (index) => void (out[index] = await decoder.decode(inputs[index]!, SIZE)));
    return out;
  };
  let decoded = await decodeAll(thumbnails);
  const asEmbed = await cpuPerImage(count, async () => void (decoded = await decodeAll(thumbnails)));
  row(`decode to the model input, ${DECODE_THREADS} at once (as embed)`, `${asEmbed.self} CPU-ms/image`);
  const { default: sharp } = await loadSharp();
  const sharpDecode = (bytes: Buffer, kernel: 'lanczos3' | 'mitchell' | 'linear' = 'lanczos3') =>
    sharp(bytes, { failOn: 'error', pages: 1, page: 0 })
      .autoOrient()
      .resize(SIZE, SIZE, { fit: 'fill', fastShrinkOnLoad: false, kernel })
      .flatten({ background: { r: 0, g: 0, b: 0 } })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer();
  const sharpOnly = await cpuPerImage(count, async () => {
    for (const thumbnail of thumbnails) await sharpDecode(thumbnail);
  });
  row('  of which sharp: decode + resize to 224 x 224 RGB', `${sharpOnly.self} CPU-ms/image`);
  const batchInput = new Float32Array(BATCH * SIZE * SIZE * 3);
  const normalised = await cpuPerImage(count, async () =>
    decoded.forEach((pixels, index) => writeImageInput(pixels, DEFAULT_MODEL_SPEC, batchInput, (index % BATCH) * SIZE * SIZE * 3)),
  );
  row("bytes to the model's float batch (writeImageInput, in the encoder)", `${normalised.self} CPU-ms/image`);

  // The model, at embed's batch size, with 1 and 2 intra-op threads.
  const home = await makeTempDir('winnow-bench-stages-model-');
  onCleanup('remove the model folder', () => home.remove());
  const { path } = await ensureDefaultModel(join(home.path, 'models'));
  let vectors: Float32Array[] = [];
  for (const threads of [1, 2]) {
    const encoder = await openOnnxImageEncoder(path, DEFAULT_MODEL_SPEC, { threads });
    await encoder.encode(decoded.slice(0, BATCH));
    const model = await cpuPerImage(count, async () => {
      vectors = [];
      for (let at = 0; at < count; at += BATCH) vectors.push(...(await encoder.encode(decoded.slice(at, at + BATCH))));
    });
    row(
      `model, batch ${BATCH}, ${threads} thread${threads === 1 ? '' : 's'} (the encoder: normalise + onnxruntime)`,
      `${model.self} CPU-ms/image (${Math.round((count / model.wallMs) * 1000)} images/s)`,
    );
    await encoder.close();
  }

  const descriptors: Int8Array[] = [];
  const described = await cpuPerImage(count, async () => void decoded.forEach((pixels) => descriptors.push(thumbnailDescriptor(pixels, SIZE))));
  row('near-duplicate descriptor', `${described.self} CPU-ms/image`);

  // Storing: the vectors and descriptors in SQLite, one transaction per batch, as embed records them.
  const test = await createTestDatabase('sqlite');
  onCleanup('drop the catalog', () => test.drop());
  const db = test.database.db;
  const target = await seedEmbeddingTarget(db, 'sqlite', count, vectors[0]!.length);
  const now = new Date().toISOString();
  const stored = await cpuPerImage(count, async () => {
    for (let at = 0; at < count; at += BATCH) {
      const batch = target.sampleIds.slice(at, at + BATCH).map((sampleId, i) => ({
        sampleId,
        datasetId: target.datasetId,
        sourceEtag: 'e',
        status: 'ok' as const,
        vector: vectors[at + i]!,
        descriptor: descriptors[at + i]!,
        error: null,
        updatedAt: now,
      }));
      await db.transaction().execute((trx) => recordEmbeddings(trx, target.model, batch));
    }
  });
  row(`store vector + descriptor (SQLite, ${BATCH} per transaction)`, `${stored.self} CPU-ms/image`);

  // Decode cost of thumbnail formats and sizes (sharp alone, this thread): what an embed-ready thumbnail could save.
  const variants: Array<[string, (original: Buffer) => Promise<Buffer>]> = [
    [`JPEG q85, fits ${THUMBNAIL_BOX} px (today)`, async (original) => thumbnailer.makeThumbnail(original, { size: THUMBNAIL_BOX }).then((t) => t.bytes)],
    [
      `WebP q80, fits ${THUMBNAIL_BOX} px (before JPEG)`,
      async (original) => thumbnailer.makeThumbnail(original, { size: THUMBNAIL_BOX, format: 'webp' }).then((t) => t.bytes),
    ],
    ['WebP q80, short side 224 px', (original) => sharp(original).autoOrient().resize(224, 224, { fit: 'outside' }).webp({ quality: 80 }).toBuffer()],
    ['JPEG q80, short side 224 px', (original) => sharp(original).autoOrient().resize(224, 224, { fit: 'outside' }).jpeg({ quality: 80 }).toBuffer()],
  ];
  for (const [label, make] of variants) {
    const made: Buffer[] = [];
    for (const original of originals.slice(0, 100)) made.push(await make(original));
    const kiB = Math.round(made.reduce((sum, b) => sum + b.length, 0) / made.length / 1024);
    for (const kernel of ['lanczos3', 'mitchell', 'linear'] as const) {
      const decoded = await cpuPerImage(made.length, async () => {
        for (const bytes of made) await sharpDecode(bytes, kernel);
      });
      row(`decode ${label}, ${kernel}`, `${decoded.self} CPU-ms/image (${kiB} KiB)`);
    }
  }
} finally {
  await cleanUpAll();
}
