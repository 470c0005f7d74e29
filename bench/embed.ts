/**
 * npm run bench:embed [-- --images 500,5000] [--skip-pipeline] [--skip-vectors]
 *
 * In one run: onnxruntime's raw throughput on pre-decoded tensors at the best batch size, next to
 * Winnow's end-to-end `embed` from s3rver (read + decode + resize + infer + store) on real
 * multi-megapixel photos, with peak RSS at each size; then the vector store: vectors stored per
 * second (SQLite, PostgreSQL), nearest-neighbour latency at 10^5 and 10^6 (synthetic vectors),
 * recall@10 of the reduced copy, and the time of a 100,000-point map. Not a test.
 */
import { createHash, randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { recordEmbeddings } from '../src/catalog/embedding.repository.js';
import { insertSamples } from '../src/catalog/sample.repository.js';
import { DEFAULT_MODEL_SPEC, ensureDefaultModel } from '../src/embeddings/default-model.js';
import { imageTensorOptions } from '../src/embeddings/image-encoder.js';
import { openOnnxImageEncoder } from '../src/embeddings/onnx.image-encoder.js';
import { openOnnxNearestSearch } from '../src/embeddings/onnx.vector-math.js';
import { normalizeInPlace } from '../src/embeddings/vectors.js';
import { createSharpImageTensorDecoder } from '../src/media/sharp.image-tensor.js';
import { seededRandom } from '../src/selection/seeded-random.js';
import { exactNearest, recallAtK } from '../src/selection/nearest.js';
import { fitPca, projectPca } from '../src/selection/pca.js';
import { umapCoordinates } from '../src/workflows/embedding-map.js';
import { openMatMul } from '../src/workflows/vector-index.js';
import { createTestDatabase } from '../test/support/databases.js';
import { insertTestDataset } from '../test/support/factories.js';
import { startS3Server } from '../test/support/s3-server.js';
import { cleanUpAll, cleanUpOnSignals, makeTempDir, onCleanup } from './cleanup.js';
import { runMeasured } from './measured-process.js';
import { preparePhotos } from './thumbnail-photos.js';

const BIN = resolve(import.meta.dirname, '../bin/winnow.js');
const BUCKET = 'bench';
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const sizes = (option('--images') ?? '500,5000').split(',').map(Number);
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const results: Record<string, unknown> = { startedAt: new Date().toISOString(), loadAtStart: load() };

async function rawThroughput(files: readonly string[]): Promise<{ batch: number; imagesPerSecond: number; byBatch: Record<number, number> }> {
  const home = await makeTempDir('winnow-bench-embed-model-');
  const { path } = await ensureDefaultModel(join(home.path, 'models'));
  const decoder = createSharpImageTensorDecoder();
  const tensors = await Promise.all(
    files.slice(0, 64).map(async (file) => decoder.decode(readFileSync(file), imageTensorOptions(DEFAULT_MODEL_SPEC) as never)),
  );
  const encoder = await openOnnxImageEncoder(path, DEFAULT_MODEL_SPEC, { threads: 0 });
  const byBatch: Record<number, number> = {};
  for (const batch of [8, 16, 32]) {
    await encoder.encode(tensors.slice(0, batch));
    let images = 0;
    const started = performance.now();
    while (performance.now() - started < 4_000) {
      for (let at = 0; at + batch <= tensors.length; at += batch) await encoder.encode(tensors.slice(at, at + batch));
      images += Math.floor(tensors.length / batch) * batch;
    }
    byBatch[batch] = Math.round((images / ((performance.now() - started) / 1000)) * 10) / 10;
  }
  await encoder.close();
  await home.remove();
  const [batch, imagesPerSecond] = Object.entries(byBatch).sort((a, b) => b[1] - a[1])[0]!;
  return { batch: Number(batch), imagesPerSecond, byBatch };
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

async function pipeline(files: readonly string[], raw: { batch: number; imagesPerSecond: number }): Promise<void> {
  const directory = await makeTempDir('winnow-bench-embed-s3rver-');
  for (const count of sizes) seed(directory.path, `p${count}/`, files, count);
  const server = await startS3Server({ directory: directory.path, buckets: [BUCKET] });
  const stop = onCleanup('stop s3rver', () => server.stop());
  const runs: unknown[] = [];
  for (const count of sizes) {
    const home = await makeTempDir('winnow-bench-embed-home-');
    const env = {
      PATH: process.env.PATH,
      WINNOW_HOME: home.path,
      WINNOW_LOG_LEVEL: 'warn',
      AWS_EC2_METADATA_DISABLED: 'true',
      WINNOW_SECRET_ACCESS_KEY: 'S3RVER',
      WINNOW_EMBED_BATCH_SIZE: String(raw.batch),
    };
    const cli = (...command: string[]) => runMeasured(process.execPath, [BIN, ...command], { env, timeoutMs: 3_600_000 });
    await cli(
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
    await cli('dataset', 'sync', 'bench', '--skip-verify');
    const loadBefore = load();
    const run = await cli('embed', 'bench', '--json');
    const report = JSON.parse(run.stdout) as { embedded: number; imagesPerSecond: number };
    const entry = {
      images: count,
      embedded: report.embedded,
      imagesPerSecond: report.imagesPerSecond,
      wallSeconds: Math.round(run.wallMs / 100) / 10,
      ratioToRaw: Math.round((report.imagesPerSecond / raw.imagesPerSecond) * 100) / 100,
      peakRssMiB: Math.round(run.peakRssKib / 1024),
      loadBefore,
      loadAfter: load(),
    };
    console.log(
      `end-to-end embed of ${count} photos from s3rver: ${entry.imagesPerSecond} images/s (${entry.ratioToRaw}x raw), ${entry.wallSeconds} s wall, peak RSS ${entry.peakRssMiB} MiB, load ${loadBefore} -> ${entry.loadAfter}`,
    );
    runs.push(entry);
    await home.remove();
  }
  results.pipeline = runs;
  await stop();
  await directory.remove();
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
    const dataset = await insertTestDataset(db);
    const now = new Date().toISOString();
    const count = 20_000;
    for (let start = 0; start < count; start += 5_000) {
      await insertSamples(
        db,
        dialect,
        Array.from({ length: 5_000 }, (_, i) => ({
          datasetId: dataset.id,
          key: `k/${start + i}.jpg`,
          size: 1,
          etag: 'e',
          lastModified: now,
          width: 1,
          height: 1,
          format: 'jpeg',
          status: 'ok' as const,
          error: null,
          firstSeenAt: now,
          lastSeenAt: now,
          seenGeneration: 1,
          removedAt: null,
        })),
      );
    }
    const all = await db.selectFrom('samples').select('id').where('dataset_id', '=', dataset.id).orderBy('id').execute();
    const model = { id: randomUUID(), sha256: 'x'.repeat(64) };
    await db
      .insertInto('embedding_models')
      .values({
        id: model.id,
        name: 'bench',
        file_name: 'b.onnx',
        sha256: model.sha256,
        bytes: 1,
        input_size: 224,
        layout: 'nhwc',
        mean: '[0,0,0]',
        std: '[1,1,1]',
        output: 'o',
        dimensions: d,
        source: 'user',
        created_at: now,
      })
      .execute();
    const started = performance.now();
    for (let start = 0; start < count; start += 256) {
      const batch = all.slice(start, start + 256).map((row, i) => ({
        sampleId: row.id,
        datasetId: dataset.id,
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
  if (!flag('--skip-pipeline')) {
    const photos = await preparePhotos(200);
    console.log(
      `${photos.files.length} distinct photos, ${photos.megapixels.min.toFixed(1)}-${photos.megapixels.max.toFixed(1)} MP (mean ${photos.megapixels.mean.toFixed(1)})`,
    );
    const raw = await rawThroughput(photos.files);
    results.raw = raw;
    console.log(
      `raw onnxruntime on pre-decoded 224 x 224 tensors: ${JSON.stringify(raw.byBatch)} images/s by batch size; best ${raw.imagesPerSecond} at ${raw.batch}`,
    );
    await pipeline(photos.files, raw);
  }
  if (!flag('--skip-vectors')) await vectors();
  results.loadAtEnd = load();
  const out = resolve(import.meta.dirname, `results/embed-${Date.now()}.json`);
  writeFileSync(out, JSON.stringify(results, null, 2));
  console.log(`written to ${out}`);
} finally {
  await cleanUpAll();
}
