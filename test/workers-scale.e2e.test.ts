import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.js';
import { parseNpy } from '../src/embeddings/npy.js';
import { OnnxModelBuilder } from '../src/embeddings/onnx-model-builder.js';
import { closed, createS3Dataset, freshHome, runCli, spawnCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { firstDifferences } from './support/first-differences.js';
import { queueDetached, showJob, waitForJob, workerStarted, type JobJson } from './support/jobs.js';
import { referencePolicy } from './support/policies.js';
import { listingPagesAfter, objectReadsAfter, startPolicyProxy, thumbnailWritesAfter, type PolicyProxy, type ProxyUser } from './support/s3-policy-proxy.js';
import { createS3rverClient, putObjects, startS3Server, type S3Server } from './support/s3-server.js';
import { waitFor } from './support/wait.js';

const BUCKET = 'datalake';
const PREFIX = 'projects/farm-animals/';
const INPUT = `s3://${BUCKET}/${PREFIX}`;
const PHOTOS = resolve(import.meta.dirname, 'fixtures/photos');
/**
 * 20,000 as the issue asks (`npm run test:scale`); WINNOW_TEST_SCALE_OBJECTS (a multiple of 20, at least 2,000) runs it
 * smaller: `npm test` runs it at 2,000, since the whole suite runs twice (Node 20 and 22) within CI's 90 minutes.
 */
const OBJECTS = Number(process.env.WINNOW_TEST_SCALE_OBJECTS ?? 20_000);
/** At 20,000 objects the workers took 14 min and the single-process reference 8 more at load 4-8: 20 min was too short. */
const TEST_TIMEOUT_MS = Math.max(1_200_000, OBJECTS * 120);
/** Twenty listing pages and twenty batch jobs, whatever the size. */
const STEP = OBJECTS / 20;
/** Side of each object: tiny, so 20,000 reads, thumbnails and inferences stay cheap. */
const SIDE = 24;
const owner: ProxyUser = {
  accessKeyId: 'AKIASCALEWORKERS0001',
  secretAccessKey: 'secret-of-the-scale-workers-wJalrXUtnFEMI',
  policy: referencePolicy(BUCKET, PREFIX),
};
/** Pages and batches small enough that every job has many committed steps to be killed between. */
const JOB_ENV = {
  WINNOW_LIST_PAGE_SIZE: String(STEP),
  WINNOW_JOB_BATCH_SAMPLES: String(STEP),
  WINNOW_EMBED_BATCH_SIZE: '64',
  WINNOW_EMBED_THREADS: '1',
  WINNOW_EMBED_DECODE_THREADS: '1',
  WINNOW_JOB_POLL_MS: '200',
  WINNOW_JOB_PROGRESS_MS: '250',
  // Long enough that a busy worker committing a big page is not taken for dead.
  WINNOW_JOB_EXPIRE_SECONDS: '30',
  WINNOW_JOB_MAINTENANCE_SECONDS: '1',
  WINNOW_JOB_RETRY_DELAY_SECONDS: '1',
  // A held request must stay held until its worker is killed, not time out and be retried past the hold.
  WINNOW_S3_REQUEST_TIMEOUT_MS: '300000',
  WINNOW_S3_CALL_DEADLINE_MS: '300000',
};

/**
 * 20,000 distinct small images: crops of the fixture photos at different offsets (decoded once),
 * every tenth a PNG and the rest JPEG, so no two objects have the same pixels.
 */
async function makeObjects(): Promise<Array<{ key: string; body: Buffer }>> {
  const names = readdirSync(PHOTOS).filter((name) => name.endsWith('.jpg'));
  const sources = await Promise.all(
    names.map((name) => sharp(join(PHOTOS, name)).resize(160, 160, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true })),
  );
  const objects: Array<{ key: string; body: Buffer }> = [];
  const crop = Buffer.alloc(SIDE * SIDE * 3);
  for (let index = 0; index < OBJECTS; index++) {
    const { data, info } = sources[index % sources.length]!;
    const offset = Math.floor(index / sources.length);
    const x = offset % (info.width - SIDE);
    const y = Math.floor(offset / (info.width - SIDE)) % (info.height - SIDE);
    for (let row = 0; row < SIDE; row++) data.copy(crop, row * SIDE * 3, ((y + row) * info.width + x) * 3, ((y + row) * info.width + x + SIDE) * 3);
    const image = sharp(crop, { raw: { width: SIDE, height: SIDE, channels: 3 } });
    const png = index % 10 === 0;
    const body = await (png ? image.png() : image.jpeg({ quality: 85 })).toBuffer();
    objects.push({ key: `${PREFIX}part-${String(index % 7)}/img-${String(index).padStart(5, '0')}.${png ? 'png' : 'jpg'}`, body });
  }
  return objects;
}

/** A tiny image encoder: Conv 3->8 -> Relu -> GlobalAveragePool -> Flatten, NCHW 32 px (as in embeddings-local). */
function tinyModel(folder: string): string {
  const builder = new OnnxModelBuilder('tiny');
  builder.input('pixels', 'float32', ['N', 3, 32, 32]);
  builder.initializer(
    'w',
    [8, 3, 3, 3],
    Float32Array.from({ length: 216 }, (_, i) => Math.sin(i * 12.9898) * 0.5),
  );
  builder.initializer(
    'b',
    [8],
    Float32Array.from({ length: 8 }, (_, i) => 0.1 * i),
  );
  builder.node('Conv', ['pixels', 'w', 'b'], 'conv', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  builder.node('Relu', ['conv'], 'relu');
  builder.node('GlobalAveragePool', ['relu'], 'pool');
  builder.node('Flatten', ['pool'], 'embedding', { axis: 1 });
  builder.output('embedding', 'float32', ['N', 8]);
  const path = join(folder, 'tiny.onnx');
  writeFileSync(path, builder.encode());
  return path;
}

let server: S3Server;
let proxy: PolicyProxy;
let seed: S3Client;
const scratch = mkdtempSync(join(tmpdir(), 'winnow-scale-'));

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET] });
  proxy = await startPolicyProxy({ upstream: server.endpoint, users: [owner] });
  seed = createS3rverClient(server.endpoint);
  await putObjects(seed, BUCKET, await makeObjects(), 32);
}, 300_000);
afterAll(async () => {
  seed?.destroy();
  await proxy?.stop();
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Everything a run leaves in a catalog that the user can see, in key order, without ids or times. */
async function catalogOf(database: Database) {
  const db = database.db;
  const samples = await db
    .selectFrom('samples')
    .select(['key', 'size', 'etag', 'width', 'height', 'format', 'status', 'error', 'removed_at'])
    .orderBy('key')
    .execute();
  const thumbnails = await db
    .selectFrom('thumbnails')
    .innerJoin('samples', 'samples.id', 'thumbnails.sample_id')
    .select([
      'samples.key',
      'thumbnails.status',
      'thumbnails.key as thumbnail',
      'thumbnails.width',
      'thumbnails.height',
      'thumbnails.bytes',
      'thumbnails.box_size',
    ])
    .orderBy('samples.key')
    .execute();
  const embeddings = await db
    .selectFrom('embeddings')
    .innerJoin('samples', 'samples.id', 'embeddings.sample_id')
    .select(['samples.key', 'embeddings.status', 'embeddings.source_etag'])
    .orderBy('samples.key')
    .execute();
  return { samples, thumbnails, embeddings };
}

/** Size and ETag (the MD5 of its bytes) of every object under the output's `.winnow/` folder, by key. */
async function winnowObjects(): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await seed.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}.winnow/`, ContinuationToken: token }));
    for (const entry of page.Contents ?? []) objects.set(entry.Key!, `${entry.Size} ${entry.ETag}`);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/**
 * `filename vector` lines of an export, in the file's order: by key, so the same for the workers' catalog and the single
 * process's, though sample ids follow the order in which listing pages were committed (shards run by workers, or one stream).
 */
async function exportVectors(env: Record<string, string>): Promise<string[]> {
  const out = join(scratch, `vectors-${Math.random().toString(36).slice(2)}.npy`);
  const result = await runCli(['embeddings', 'export', 'farm', '--model', 'tiny', '--out', out], { env, timeoutMs: 120_000 });
  expect(result.code, result.stderr).toBe(0);
  const matrix = parseNpy(readFileSync(out));
  const filenames = readFileSync(out.replace(/\.npy$/, '.filenames.txt'), 'utf8')
    .split('\n')
    .filter(Boolean);
  expect(filenames).toHaveLength(matrix.rows);
  return filenames.map((filename, row) => `${filename} ${Array.from(matrix.values.subarray(row * matrix.columns, (row + 1) * matrix.columns)).join(',')}`);
}

async function addModel(env: Record<string, string>) {
  const args = [
    'model',
    'add',
    'tiny',
    '--onnx',
    tinyModel(scratch),
    '--input-size',
    '32',
    '--layout',
    'nchw',
    '--mean',
    '0.5,0.5,0.5',
    '--std',
    '0.25,0.25,0.25',
  ];
  const added = await runCli(args, { env });
  expect(added.code, added.stderr).toBe(0);
}

const create = (env: Record<string, string>) => createS3Dataset('farm', { input: INPUT, endpoint: proxy.endpoint, keys: owner, env });

describe('three workers on PostgreSQL over 20,000 objects', () => {
  let catalog: TestDatabase;
  const workers: ChildProcess[] = [];

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await Promise.all(workers.map(closed));
    await catalog?.drop();
  });

  it(
    'share sync, thumbnail and embedding runs; one SIGKILLed in each; catalog, thumbnails and vectors equal a single-process run',
    async () => {
      const started = Date.now();
      catalog = await createTestDatabase('postgres');
      const env = { ...catalog.env, ...JOB_ENV };
      expect((await create(env)).code).toBe(0);
      await addModel(env);
      const startWorker = async () => {
        const worker = spawnCli(['worker', '--concurrency', '1'], env);
        workers.push(worker);
        await workerStarted(worker);
        return worker;
      };
      const jobsOf = async (name: string, ...state: string[]) =>
        (await runCli(['jobs', 'list', '--name', name, ...(state.length > 0 ? ['--state', state.join(',')] : []), '--json', '--limit', '1000'], { env })).json<
          JobJson[]
        >();
      const completed = (id: string) => waitForJob(id, env, { timeoutMs: 600_000, intervalMs: 1_000 });

      // Sync: the first worker takes it alone; the proxy holds the sixth listing page, so the kill lands mid-listing with
      // five pages committed. Two more workers start; one of them resumes the sync from its cursor.
      const first = await startWorker();
      const listing = proxy.hold(listingPagesAfter(5, PREFIX));
      const sync = await queueDetached(['dataset', 'sync', 'farm'], env);
      await listing.reached(1, 120_000);
      // (The first listing page is a short one of at most 100 keys.)
      await waitFor('the sync to commit five pages', async () => ((await showJob(sync, env)).progress?.listed ?? 0) >= 4 * STEP, {
        timeoutMs: 300_000,
        intervalMs: 250,
      });
      first.kill('SIGKILL');
      await closed(first);
      listing.release();
      const second = await startWorker();
      const third = await startWorker();
      expect(await completed(sync)).toMatchObject({ result: { total: OBJECTS } });

      // Thumbnails: twenty batch jobs over three workers (a fourth starts with the run). The proxy lets three batches'
      // thumbnails be written and holds every later write, so once each worker is in a batch, none of those batches can
      // end; the third worker is killed there, its images read and their thumbnails in flight. The survivors finish its batch.
      const writes = proxy.hold(thumbnailWritesAfter(3 * STEP));
      const [thumbnailRun] = await Promise.all([queueDetached(['thumbnails', 'farm', '--size', '16'], env), startWorker()]);
      await writes.reached(1, 300_000);
      await waitFor('a thumbnail batch in each worker', async () => (await jobsOf('thumbnails-batch', 'active')).length === 3, {
        timeoutMs: 120_000,
        intervalMs: 250,
      });
      third.kill('SIGKILL');
      await closed(third);
      writes.release();
      const thumbnails = await completed(thumbnailRun);
      expect(thumbnails.result).toMatchObject({ total: OBJECTS, failed: 0 });
      expect((thumbnails.result?.generated as number) + (thumbnails.result?.skipped as number)).toBe(OBJECTS);
      const thumbnailBatches = await jobsOf('thumbnails-batch');
      expect(thumbnailBatches.map((job) => job.state)).toEqual(Array.from({ length: 20 }, () => 'completed'));
      // The killed worker's batch (or the run itself, had it held it) was taken back and tried again.
      expect([thumbnails, ...thumbnailBatches].some((job) => job.retryCount > 0)).toBe(true);
      const workersThumbnails = await winnowObjects();

      // Embedding: the proxy lets three batches' images through and holds the rest, so the second worker is killed with
      // batches recorded and batches in hand; a fifth worker takes its place, and the survivors finish its batches.
      const reads = proxy.hold(objectReadsAfter(3 * STEP));
      const embed = await queueDetached(['embed', 'farm', '--model', 'tiny'], env);
      await reads.reached(1, 300_000);
      await waitFor('embedding batches recorded', async () => ((await showJob(embed, env)).progress?.done ?? 0) >= STEP, {
        timeoutMs: 300_000,
        intervalMs: 250,
      });
      await startWorker();
      second.kill('SIGKILL');
      await closed(second);
      reads.release();
      const embedded = await completed(embed);
      expect(embedded.result).toMatchObject({ total: OBJECTS, failed: 0, dimensions: 8 });
      expect((embedded.result?.embedded as number) + (embedded.result?.skipped as number)).toBe(OBJECTS);
      expect((await jobsOf('embed-batch')).map((job) => job.state)).toEqual(Array.from({ length: 20 }, () => 'completed'));
      const workersDone = Date.now();

      // The reference: the embedded default, every job run by the CLI in its own process.
      const single = { WINNOW_HOME: freshHome(), ...JOB_ENV };
      expect((await create(single)).code).toBe(0);
      await addModel(single);
      for (const args of [
        ['dataset', 'sync', 'farm'],
        ['thumbnails', 'farm', '--size', '16'],
        ['embed', 'farm', '--model', 'tiny'],
      ]) {
        const result = await runCli(args, { env: single, timeoutMs: 600_000 });
        expect(result.code, result.stderr).toBe(0);
      }
      const singleCatalog = await openDatabase({ home: single.WINNOW_HOME, databaseUrl: undefined });
      const expected = await catalogOf(singleCatalog);
      await singleCatalog.close();
      expect(expected.samples).toHaveLength(OBJECTS);
      expect(expected.embeddings.every((row) => row.status === 'ok')).toBe(true);

      const workersCatalog = await catalogOf(catalog.database);
      for (const table of ['samples', 'thumbnails', 'embeddings'] as const) expect(firstDifferences(workersCatalog[table], expected[table]), table).toEqual([]);
      // Under .winnow/: one thumbnail per sample, the catalog's, none twice, none missing, and the README; byte for
      // byte what the single-process run wrote over them (its README says when it was written).
      const thumbnailKeys = workersCatalog.thumbnails.map((row) => row.thumbnail);
      expect(new Set(thumbnailKeys).size).toBe(OBJECTS);
      expect([...workersThumbnails.keys()].sort()).toEqual([...thumbnailKeys, `${PREFIX}.winnow/thumbnails/README.txt`].sort());
      const withoutReadme = (objects: Map<string, string>) => new Map([...objects].filter(([key]) => !key.endsWith('/README.txt')));
      const singleThumbnails = await winnowObjects();
      expect([...singleThumbnails.keys()].sort()).toEqual([...workersThumbnails.keys()].sort());
      expect(withoutReadme(workersThumbnails)).toEqual(withoutReadme(singleThumbnails));
      const [workersVectors, singleVectors] = [await exportVectors(env), await exportVectors(single)];
      expect(workersVectors).toHaveLength(OBJECTS);
      expect(firstDifferences(workersVectors, singleVectors)).toEqual([]);
      console.log(
        `workers-scale: workers ${((workersDone - started) / 1000).toFixed(0)} s, whole test ${((Date.now() - started) / 1000).toFixed(0)} s, load ${loadavg()
          .map((value) => value.toFixed(1))
          .join(' ')}`,
      );
    },
    TEST_TIMEOUT_MS,
  );
});
