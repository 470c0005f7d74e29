/**
 * Fault storms: the same bucket synced, thumbnailed and embedded once straight from s3rver and once through
 * the fault-injecting proxy (503 SlowDown bursts, 500s, resets mid-body, bodies cut short, latency spikes past
 * the request timeout, the endpoint gone). The faulty runs must end with exactly the catalog of the clean ones.
 * Every CLI run has a deadline (runCli kills it), so a hang fails the test instead of stalling it.
 *
 * WINNOW_FAULT_OBJECTS=20000 runs the sync on 20,000 objects instead of 3,000 (opt-in: minutes on 2 cores).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { createTestApi, type TestApi } from './support/api.js';
import { closed, freshHome, runCli, spawnCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { fixtureImage } from './support/s3-fixture.js';
import { startS3Server, type S3Server } from './support/s3-server.js';
import { waitFor } from './support/wait.js';

const BUCKET = 'faults';
const MANY = Number(process.env.WINNOW_FAULT_OBJECTS ?? 3_000);
const PHOTOS = resolve(import.meta.dirname, 'fixtures/photos');
const photoNames = readdirSync(PHOTOS).filter((name) => name.endsWith('.jpg'));
const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
/** Generous enough that a request is never tried more often than this in a row by chance; the budget is the SDK's. */
const FAULTY_ENV = { WINNOW_S3_MAX_ATTEMPTS: '10', WINNOW_S3_REQUEST_TIMEOUT_MS: '2000', WINNOW_LIST_PAGE_SIZE: '250', WINNOW_EMBED_THREADS: '1' };

/** `many/`: small images of three formats and a broken one every 500; `pics/`: real photos for thumbnails and embeddings. */
function bucketObjects(): Map<string, Buffer> {
  const small = [fixtureImage('cat.jpg'), fixtureImage('coffee.png'), fixtureImage('cat.webp')];
  const objects = new Map<string, Buffer>();
  for (let index = 0; index < MANY; index++) {
    const name = `many/${String(Math.floor(index / 1000)).padStart(3, '0')}/img-${String(index).padStart(6, '0')}`;
    if (index % 500 === 499) objects.set(`${name}.jpg`, fixtureImage('truncated.jpg'));
    else objects.set(`${name}.${['jpg', 'png', 'webp'][index % 3]}`, small[index % 3]!);
  }
  for (const copy of [1, 2, 3]) for (const name of photoNames) objects.set(`pics/copy-${copy}/${name}`, readFileSync(join(PHOTOS, name)));
  objects.set('pics/broken/truncated.jpg', fixtureImage('truncated.jpg'));
  objects.set('pics/broken/corrupt.jpg', fixtureImage('corrupt.jpg'));
  return objects;
}

/** s3rver's on-disk layout for an uploaded object, written before it starts (PutObject seeds ~700 objects/s at best). */
function writeIntoS3rverFolder(root: string, objects: Map<string, Buffer>): void {
  for (const [key, body] of objects) {
    const base = join(root, BUCKET, `${key}._S3rver_`);
    mkdirSync(dirname(base), { recursive: true });
    writeFileSync(`${base}object`, body);
    writeFileSync(`${base}object.md5`, createHash('md5').update(body).digest('hex'));
    writeFileSync(`${base}metadata.json`, JSON.stringify({ 'content-type': 'application/octet-stream' }));
  }
}

let folder: string;
let s3: S3Server;
let faulty: FaultProxy;
const home = freshHome();
const cli = (args: string[], options: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}) =>
  runCli(args, { env: { WINNOW_HOME: home, ...options.env }, stdin: options.stdin, timeoutMs: options.timeoutMs ?? 300_000 });

function create(name: string, prefix: string, endpoint: string, extra: string[] = [], env: Record<string, string> = {}) {
  return cli(
    [
      'dataset',
      'create',
      name,
      '--input',
      `s3://${BUCKET}/${prefix}`,
      '--endpoint',
      endpoint,
      '--path-style',
      '--access-key-id',
      KEYS.accessKeyId,
      '--secret-access-key-stdin',
      ...extra,
    ],
    { stdin: `${KEYS.secretAccessKey}\n`, env },
  );
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'winnow-faults-s3rver-'));
  writeIntoS3rverFolder(folder, bucketObjects());
  s3 = await startS3Server({ directory: folder, buckets: [BUCKET] });
  faulty = await startFaultProxy(s3.endpoint, {
    rates: { slowDown: 0.03, internalError: 0.03, resetMidBody: 0.03, truncatedBody: 0.03, latency: 0.004 },
    latencyMs: 3_000,
    slowDownBurst: 3,
    methods: ['GET', 'PUT'],
    seed: 19,
  });
}, 120_000);

afterAll(async () => {
  await faulty?.stop();
  await s3?.stop();
  rmSync(folder, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

/** What the catalog holds about a dataset: every sample's header facts, thumbnail and embedding, by key. */
async function catalogOf(dataset: string, env: Record<string, string> = { WINNOW_HOME: home }) {
  const database = await openDatabase({ home: env.WINNOW_HOME!, databaseUrl: env.WINNOW_DATABASE_URL });
  try {
    const { db } = database;
    const datasetId = (await db.selectFrom('datasets').select('id').where('name', '=', dataset).executeTakeFirstOrThrow()).id;
    const samples = await db
      .selectFrom('samples')
      .select(['id', 'key', 'size', 'etag', 'width', 'height', 'format', 'status', 'error', 'removed_at'])
      .where('dataset_id', '=', datasetId)
      .orderBy('key')
      .execute();
    const keyOf = new Map(samples.map((sample) => [sample.id, sample.key]));
    const thumbnails = await db
      .selectFrom('thumbnails')
      .select(['sample_id', 'status', 'key', 'width', 'height', 'bytes', 'error'])
      .where('dataset_id', '=', datasetId)
      .execute();
    const embeddings = await db.selectFrom('embeddings').select(['sample_id', 'status', 'vector', 'error']).where('dataset_id', '=', datasetId).execute();
    return {
      samples: samples.map(({ id: _id, ...sample }) => sample),
      thumbnails: thumbnails
        .map(({ sample_id, key, ...thumbnail }) => ({ sample: keyOf.get(sample_id), ...thumbnail, key: key?.replace(/^.*?\.winnow\//, '.winnow/') ?? null }))
        .sort((a, b) => String(a.sample).localeCompare(String(b.sample))),
      embeddings: new Map(
        embeddings.map((row) => [
          keyOf.get(row.sample_id)!,
          { status: row.status, error: row.error, vector: row.vector === null ? null : new Float32Array(Uint8Array.from(row.vector).buffer) },
        ]),
      ),
    };
  } finally {
    await database.close();
  }
}

/**
 * A decoder error without libvips's own words: they come from one buffer per process (lovell/sharp#902), so an image
 * failing at the same moment as another may be told the other's cause. Each must still name one.
 */
function withoutDecoderDetail(error: string | null): string | null {
  if (error === null || !error.startsWith('Corrupt or truncated image (')) return error;
  expect(error).toMatch(/^Corrupt or truncated image \(VipsJpeg: .+\)\.$/);
  return 'Corrupt or truncated image (…).';
}

/** `got`'s samples, thumbnails (the same bytes in the bucket, under its own output prefix) and vectors are those of the clean run. */
function expectSameOutputs(got: Catalog, outputPrefix: string, expected: Catalog): void {
  expect(got.samples).toEqual(expected.samples);
  const comparable = (thumbnails: Catalog['thumbnails']) => thumbnails.map((thumbnail) => ({ ...thumbnail, error: withoutDecoderDetail(thumbnail.error) }));
  expect(comparable(got.thumbnails.map(({ key, ...rest }) => ({ ...rest, key: key === null ? null : key.replace(outputPrefix, 'out-clean') })))).toEqual(
    comparable(expected.thumbnails),
  );
  expect(got.thumbnails.filter((thumbnail) => thumbnail.status === 'ok')).toHaveLength(photoNames.length * 3);
  // No half-read image was decoded into a thumbnail.
  for (const thumbnail of got.thumbnails.filter((entry) => entry.status === 'ok')) {
    const key = thumbnail.key!.replace('.winnow/', '');
    expect(md5OfObject(`${outputPrefix}/.winnow/${key}`), key).toBe(md5OfObject(`out-clean/.winnow/${key}`));
  }
  expect([...got.embeddings.keys()].sort()).toEqual([...expected.embeddings.keys()].sort());
  for (const [key, embedding] of got.embeddings) {
    const reference = expected.embeddings.get(key)!;
    expect({ key, status: embedding.status, error: withoutDecoderDetail(embedding.error) }).toEqual({
      key,
      status: reference.status,
      error: withoutDecoderDetail(reference.error),
    });
    if (embedding.vector === null || reference.vector === null) continue;
    const cosine = embedding.vector.reduce((sum, value, index) => sum + value * reference.vector![index]!, 0);
    expect(cosine, key).toBeGreaterThan(0.9999);
  }
}

type Catalog = Awaited<ReturnType<typeof catalogOf>>;

function md5OfObject(key: string): string {
  return createHash('md5')
    .update(readFileSync(join(folder, BUCKET, `${key}._S3rver_object`)))
    .digest('hex');
}

describe('through a storm of storage faults', () => {
  it(`syncs ${MANY.toLocaleString('en-US')} objects into exactly the catalog of a fault-free sync`, async () => {
    expect((await create('many-clean', 'many/', s3.endpoint)).code).toBe(0);
    expect((await create('many-faulty', 'many/', faulty.endpoint)).code).toBe(0);
    const clean = await cli(['dataset', 'sync', 'many-clean', '--json']);
    expect(clean.code, clean.stderr).toBe(0);
    const stormy = await cli(['dataset', 'sync', 'many-faulty', '--json'], { env: FAULTY_ENV, timeoutMs: 600_000 });
    expect(stormy.code, stormy.stderr).toBe(0);
    expect(stormy.json()).toMatchObject({ listed: MANY, added: MANY, total: MANY });

    for (const kind of ['slowDown', 'internalError', 'resetMidBody', 'truncatedBody', 'latency'] as const) expect(faulty.count(kind), kind).toBeGreaterThan(0);
    const [expected, got] = [await catalogOf('many-clean'), await catalogOf('many-faulty')];
    expect(got.samples).toHaveLength(MANY);
    expect(got.samples).toEqual(expected.samples);
  }, 900_000);

  it('stops with exit 5 when the endpoint stays gone past the retries, and the next sync resumes to exactly the same catalog', async () => {
    const outage = await startFaultProxy(s3.endpoint);
    try {
      expect((await create('many-outage', 'many/', outage.endpoint)).code).toBe(0);
      const env = { WINNOW_HOME: home, WINNOW_S3_MAX_ATTEMPTS: '3', WINNOW_LIST_PAGE_SIZE: '250' };
      const child = spawnCli(['dataset', 'sync', 'many-outage'], env);
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const deadline = Date.now() + 120_000;
      while (outage.requests < 20 && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 10));
      outage.startOutage();
      await closed(child);
      expect(child.exitCode, stderr).toBe(5);
      expect(stderr).toMatch(/could not reach|no complete answer/);
      outage.endOutage();
      const resumed = await cli(['dataset', 'sync', 'many-outage', '--json'], { env });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.json()).toMatchObject({ resumed: true, total: MANY });
      expect((await catalogOf('many-outage')).samples).toEqual((await catalogOf('many-clean')).samples);
    } finally {
      await outage.stop();
    }
  }, 600_000);

  it('makes thumbnails and embeddings through the faults exactly as without them, and never takes a cut-short read for an image', async () => {
    const before = { cut: faulty.count('truncatedBody') + faulty.count('resetMidBody') };
    expect((await create('pics-clean', 'pics/', s3.endpoint, ['--output', `s3://${BUCKET}/out-clean/`, '--thumbnails'])).code).toBe(0);
    expect((await create('pics-faulty', 'pics/', faulty.endpoint, ['--output', `s3://${BUCKET}/out-faulty/`, '--thumbnails'])).code).toBe(0);
    const clean = await cli(['dataset', 'sync', 'pics-clean', '--json'], { env: { WINNOW_EMBED_THREADS: '1' } });
    expect(clean.code, clean.stderr).toBe(0);
    expect((await cli(['embed', 'pics-clean', '--json'], { env: { WINNOW_EMBED_THREADS: '1' } })).code).toBe(0);
    const synced = await cli(['dataset', 'sync', 'pics-faulty', '--json'], { env: FAULTY_ENV });
    expect(synced.code, synced.stderr).toBe(0);
    const embedded = await cli(['embed', 'pics-faulty', '--json'], { env: FAULTY_ENV });
    expect(embedded.code, embedded.stderr).toBe(0);
    expect(faulty.count('truncatedBody') + faulty.count('resetMidBody')).toBeGreaterThan(before.cut);

    expectSameOutputs(await catalogOf('pics-faulty'), 'out-faulty', await catalogOf('pics-clean'));
  }, 900_000);

  describe('the endpoint gone for a while', () => {
    let api: TestApi;
    let outage: FaultProxy;
    beforeAll(async () => {
      outage = await startFaultProxy(s3.endpoint);
      api = await createTestApi({ WINNOW_API_ALLOW_PRIVATE_ENDPOINTS: 'true', WINNOW_S3_MAX_ATTEMPTS: '20' });
    });
    afterAll(async () => {
      await outage?.stop();
      await api?.context.drop();
    });

    it("shows the job retrying in the API's sync status, then finishes the sync once the endpoint is back", async () => {
      const input = { uri: `s3://${BUCKET}/pics/`, endpoint: outage.endpoint, pathStyle: true, ...KEYS };
      expect((await api.request('/api/datasets', { method: 'POST', body: JSON.stringify({ name: 'pics', input }) })).status).toBe(201);
      outage.startOutage();
      expect((await api.request('/api/datasets/pics/sync', { method: 'POST' })).status).toBe(202);
      await outage.refusedDuringOutage(2);
      const deadline = Date.now() + 30_000;
      type Job = { status: string; retrying: { reason: string; attempt: number; maxAttempts: number } | null; retries: number };
      const readJob = async () => ((await (await api.request('/api/datasets/pics/sync')).json()) as { job: Job | null }).job;
      let job = await readJob();
      while (Date.now() < deadline && job?.retrying == null) job = await readJob();
      expect(job).toMatchObject({ status: 'running', retrying: { maxAttempts: 20 } });
      expect(job!.retrying!.attempt).toBeGreaterThanOrEqual(2);
      outage.endOutage();
      await api.jobs.settled('pics');
      const finished = (await api.jobs.latest('pics'))!;
      expect(finished).toMatchObject({ status: 'completed', retrying: null, report: { total: photoNames.length * 3 + 2 } });
      expect(finished.retries).toBeGreaterThan(0);
    });
  });
});

describe('workers on PostgreSQL through the storm', () => {
  let catalog: TestDatabase | undefined;
  const workers: ChildProcess[] = [];
  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await Promise.all(workers.map(closed));
    await catalog?.drop();
  });

  /** The fault-free reference run on the embedded default, made by the tests above (or here, when this one runs alone). */
  async function cleanCatalog(name: 'many-clean' | 'pics-clean'): Promise<Catalog> {
    if ((await cli(['dataset', 'show', name])).code !== 0) {
      const [prefix, extra] = name === 'many-clean' ? ['many/', []] : ['pics/', ['--output', `s3://${BUCKET}/out-clean/`, '--thumbnails']];
      expect((await create(name, prefix, s3.endpoint, extra)).code).toBe(0);
      const env = { WINNOW_EMBED_THREADS: '1' };
      expect((await cli(['dataset', 'sync', name], { env })).code).toBe(0);
      if (name === 'pics-clean') expect((await cli(['embed', name], { env })).code).toBe(0);
    }
    return catalogOf(name);
  }

  it('two workers sync, thumbnail and embed through the faults into exactly the catalog of the fault-free run', async () => {
    catalog = await createTestDatabase('postgres');
    const env = { ...catalog.env, ...FAULTY_ENV, WINNOW_JOB_POLL_MS: '200', WINNOW_JOB_PROGRESS_MS: '0' };
    expect((await create('many-workers', 'many/', faulty.endpoint, [], env)).code).toBe(0);
    expect((await create('pics-workers', 'pics/', faulty.endpoint, ['--output', `s3://${BUCKET}/out-workers/`, '--thumbnails'], env)).code).toBe(0);
    for (const _ of [1, 2]) {
      const worker = spawnCli(['worker', '--concurrency', '1'], env);
      workers.push(worker);
      let said = '';
      worker.stderr.on('data', (chunk: Buffer) => (said += chunk.toString()));
      await waitFor('a worker to start', () => said.includes('is working'), { timeoutMs: 60_000 });
    }
    const before = { cut: faulty.count('truncatedBody') + faulty.count('resetMidBody'), slowDown: faulty.count('slowDown') };
    const queued = async (args: string[]) => {
      const result = await cli([...args, '--queue', '--json'], { env, timeoutMs: 600_000 });
      expect(result.code, result.stderr).toBe(0);
      return result.json();
    };
    expect(await queued(['dataset', 'sync', 'many-workers'])).toMatchObject({ listed: MANY, added: MANY, total: MANY });
    await queued(['dataset', 'sync', 'pics-workers']);
    await queued(['embed', 'pics-workers']);
    expect(faulty.count('truncatedBody') + faulty.count('resetMidBody')).toBeGreaterThan(before.cut);
    expect(faulty.count('slowDown')).toBeGreaterThan(before.slowDown);

    const many = await catalogOf('many-workers', catalog.env);
    expect(many.samples).toHaveLength(MANY);
    expect(many.samples).toEqual((await cleanCatalog('many-clean')).samples);
    expectSameOutputs(await catalogOf('pics-workers', catalog.env), 'out-workers', await cleanCatalog('pics-clean'));
  }, 1_200_000);
});
