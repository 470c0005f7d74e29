/**
 * One contract for every kind of datasource: what a user does with an S3 folder (verify the five
 * lights, sync tricky keys, make thumbnails, open images through the URLs the API hands out) must
 * work the same on each store, through the API as `winnow serve` runs it. The stores: s3rver behind
 * the IAM-enforcing proxy with Winnow's own generated policy; s3rver standing in for Google Cloud
 * Storage's XML API (gs://, the gcs preset with its endpoint pointed at s3rver: Google is not
 * reachable from here); Azurite with the account key (presigned read-only SAS links) and with a
 * container SAS token (served by Winnow, the token never handed out); a local folder.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateDatasetRequest, SamplePage, SyncJob, VerifyReport } from '../src/api/schemas.js';
import { parseLocation } from '../src/model/location.js';
import { generatePolicy } from '../src/policy/generate-policy.js';
import { createTestApi, type TestApi } from './support/api.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from './support/azurite.js';
import { startPolicyProxy, type PolicyProxy } from './support/s3-policy-proxy.js';
import { createS3rverClient, putObjects, startS3Server, type S3Server } from './support/s3-server.js';

const image = (name: string) => readFileSync(resolve(import.meta.dirname, 'fixtures/images', name));
const PREFIX = 'projects/farm-animals/';
/** Relative key → bytes. Keys a URL, a file system or a listing order could get wrong. */
const GOOD: Record<string, Buffer> = {
  'cows/cow-001.jpg': image('cat.jpg'),
  'pigs/pig.png': image('coffee.png'),
  'pigs/pig.webp': image('cat.webp'),
  'photos/chelsea-exif6.jpg': image('chelsea-exif6.jpg'),
  'tricky/ç ü 猫 + % # x.jpg': image('cat.jpg'),
  'tricky/a+b=c&d;e.jpg': image('cat.jpg'),
  'tricky/50% off (1).JPG': image('cat.jpg'),
  'tricky/emoji 😀.jpg': image('cat.jpg'),
  'tricky/ｚ fullwidth.jpg': image('cat.jpg'),
  'tricky/a-b/x.jpg': image('cat.jpg'),
  'tricky/a/x.jpg': image('cat.jpg'),
};
const BAD: Record<string, Buffer> = { 'broken/truncated.jpg': image('truncated.jpg') };
/** Not samples: not images, or outside the prefix (a sibling that shares its first characters). */
const OTHERS: Record<string, Buffer> = { [`${PREFIX}notes.txt`]: Buffer.from('not an image'), 'projects/farm-animals-2/intruder.jpg': image('cat.jpg') };
const SAMPLES = Object.keys(GOOD).length + Object.keys(BAD).length;
const THUMBNAIL_SIZE = 64;

/** Every object of the dataset's store as "key → bytes", to seed it and to check nothing else changed. */
type Objects = Map<string, Buffer>;
const seedObjects = (): Objects =>
  new Map([...Object.entries({ ...GOOD, ...BAD }).map(([key, body]) => [`${PREFIX}${key}`, body] as const), ...Object.entries(OTHERS)]);

interface StoreUnderTest {
  /** The input the API is given, with its connection settings. */
  input: CreateDatasetRequest['input'];
  /** How a browser gets the bytes. */
  urls: 'presigned' | 'served';
  /** Words the verify report uses for the list call's permission. */
  listAction: string;
  contents(): Promise<Objects>;
  /** Requests the store refused (the IAM proxy's log), when it keeps one. */
  denied?(): unknown[];
}

const stores: Array<{ name: string; start(): Promise<StoreUnderTest> }> = [];
const cleanups: Array<() => Promise<void>> = [];

let s3: S3Server | undefined;
async function s3Server(): Promise<S3Server> {
  if (s3 === undefined) {
    s3 = await startS3Server({ buckets: ['datalake', 'gcs-stand-in'] });
    cleanups.push(() => s3!.stop());
  }
  return s3;
}

async function s3Contents(server: S3Server, bucket: string): Promise<Objects> {
  const client = createS3rverClient(server.endpoint);
  const contents: Objects = new Map();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const entry of page.Contents ?? []) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: entry.Key! }));
      contents.set(entry.Key!, Buffer.from(await object.Body!.transformToByteArray()));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  client.destroy();
  return contents;
}

stores.push({
  name: "s3 (s3rver behind the IAM proxy, Winnow's generated policy)",
  async start() {
    const server = await s3Server();
    await putObjects(
      createS3rverClient(server.endpoint),
      'datalake',
      [...seedObjects()].map(([key, body]) => ({ key, body })),
    );
    const user = {
      accessKeyId: 'AKIACONTRACT00000001',
      secretAccessKey: 'contract-secret-wJalrXUtnFEMI',
      policy: generatePolicy({ input: parseLocation(`s3://datalake/${PREFIX}`), write: true, delete: true }),
    };
    const proxy: PolicyProxy = await startPolicyProxy({ upstream: server.endpoint, users: [user] });
    cleanups.push(() => proxy.stop());
    return {
      input: {
        uri: `s3://datalake/${PREFIX}`,
        endpoint: proxy.endpoint,
        pathStyle: true,
        accessKeyId: user.accessKeyId,
        secretAccessKey: user.secretAccessKey,
      },
      urls: 'presigned',
      listAction: 's3:ListBucket',
      contents: () => s3Contents(server, 'datalake'),
      denied: () => proxy.denied(),
    };
  },
});

stores.push({
  name: 'gcs (gs://, s3rver standing in for the XML API)',
  async start() {
    const server = await s3Server();
    await putObjects(
      createS3rverClient(server.endpoint),
      'gcs-stand-in',
      [...seedObjects()].map(([key, body]) => ({ key, body })),
    );
    return {
      input: { uri: `gs://gcs-stand-in/${PREFIX}`, endpoint: server.endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'hmac-secret-s3rver-does-not-check' },
      urls: 'presigned',
      listAction: 'storage.objects.list',
      contents: () => s3Contents(server, 'gcs-stand-in'),
    };
  },
});

let azurite: Azurite | undefined;
async function azuriteFor(container: string): Promise<Azurite> {
  if (azurite === undefined) {
    azurite = await startAzurite();
    cleanups.push(() => azurite!.stop());
  }
  await azurite.createContainer(container);
  await azurite.putBlobs(
    container,
    [...seedObjects()].map(([key, body]) => ({ key, body })),
  );
  return azurite;
}

async function azureContents(server: Azurite, container: string): Promise<Objects> {
  const client = server.service.getContainerClient(container);
  const contents: Objects = new Map();
  for await (const blob of client.listBlobsFlat()) contents.set(blob.name, await client.getBlobClient(blob.name).downloadToBuffer());
  return contents;
}

stores.push({
  name: 'azure (Azurite, account key: read-only SAS links)',
  async start() {
    const server = await azuriteFor('images-key');
    return {
      input: { uri: `azure://${AZURITE_ACCOUNT}/images-key/${PREFIX}`, endpoint: server.endpoint, accountKey: AZURITE_KEY },
      urls: 'presigned',
      listAction: 'SAS l (list)',
      contents: () => azureContents(server, 'images-key'),
    };
  },
});

stores.push({
  name: 'azure (Azurite, container SAS token: served by Winnow)',
  async start() {
    const server = await azuriteFor('images-sas');
    return {
      input: { uri: `azure://${AZURITE_ACCOUNT}/images-sas/${PREFIX}`, endpoint: server.endpoint, sasToken: server.containerSas('images-sas', 'rcwdl') },
      urls: 'served',
      listAction: 'SAS l (list)',
      contents: () => azureContents(server, 'images-sas'),
    };
  },
});

stores.push({
  name: 'local folder',
  async start() {
    const root = await mkdtemp(join(tmpdir(), 'winnow-contract-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    for (const [key, body] of seedObjects()) {
      await mkdir(dirname(join(root, key)), { recursive: true });
      await writeFile(join(root, key), body);
    }
    return { input: { uri: join(root, PREFIX) }, urls: 'served', listAction: 'filesystem:list', contents: () => folderContents(root) };
  },
});

async function folderContents(root: string): Promise<Objects> {
  const contents: Objects = new Map();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    contents.set(path.slice(root.length + 1), readFileSync(path));
  }
  return contents;
}

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.each(stores)('datasource contract: $name', ({ start }) => {
  let store: StoreUnderTest;
  let api: TestApi;
  let before: Objects;

  beforeAll(async () => {
    store = await start();
    before = await store.contents();
    // The API's own rules: Azurite and s3rver listen on loopback, which an operator must allow.
    api = await createTestApi({ WINNOW_API_ALLOW_PRIVATE_ENDPOINTS: 'true', WINNOW_LOCAL_ROOTS: tmpdir() });
  });
  afterAll(() => api?.context.drop());

  /** The bytes behind a URL the API handed out: a presigned one from the store, or Winnow's own route. */
  const fetchUrl = async (url: string): Promise<Response> => (url.startsWith('/api/') ? api.request(url) : fetch(url));

  it('creates the dataset without sending anything to the store, and never returns its secret', async () => {
    const response = await api.request('/api/datasets', {
      method: 'POST',
      body: JSON.stringify({ name: 'farm', input: store.input, thumbnails: { size: THUMBNAIL_SIZE } }),
    });
    const body = await response.text();
    expect(response.status, body).toBe(201);
    const input: { secretAccessKey?: string; sasToken?: string; accountKey?: string } = store.input;
    for (const secret of [input.secretAccessKey, input.sasToken, input.accountKey]) if (secret !== undefined) expect(body).not.toContain(secret);
  });

  it('verifies all five lights with real calls', async () => {
    const response = await api.request('/api/datasets/farm/verify', { method: 'POST' });
    const report = (await response.json()) as VerifyReport;
    expect(response.status, JSON.stringify(report)).toBe(200);
    expect(report.mode, JSON.stringify(report.checks)).toBe('full');
    for (const check of Object.values(report.checks)) expect(check, JSON.stringify(check)).toMatchObject({ ok: true, skipped: false });
    expect(report.checks.list.action).toBe(store.listAction);
  });

  it('syncs every image under the prefix, tricky keys exact, and makes thumbnails', async () => {
    expect((await api.request('/api/datasets/farm/sync', { method: 'POST' })).status).toBe(202);
    let job: SyncJob | null = null;
    await expect
      .poll(
        async () => {
          job = ((await (await api.request('/api/datasets/farm/sync')).json()) as { job: SyncJob | null }).job;
          return job?.status;
        },
        { timeout: 60_000, interval: 100 },
      )
      .not.toBe('running');
    expect(job!.status, JSON.stringify(job)).toBe('completed');
    expect(job!.report).toMatchObject({ total: SAMPLES, added: SAMPLES, failed: 0, warnings: [] });
    expect(job!.report!.thumbnails).toMatchObject({ total: SAMPLES, generated: Object.keys(GOOD).length, failed: 1 });
  });

  it('hands out URLs that fetch each image and thumbnail, and never the stored token', async () => {
    const page = (await (await api.request('/api/datasets/farm/samples?limit=1000')).json()) as SamplePage;
    expect(page.samples.map((sample) => sample.key).sort()).toEqual(Object.keys({ ...GOOD, ...BAD }).sort());
    const token = (store.input as { sasToken?: string }).sasToken;
    for (const sample of page.samples) {
      expect(sample.url).not.toBeNull();
      if (token !== undefined) expect(sample.url).not.toContain(token.slice(token.indexOf('sig=')));
      expect(sample.url!.startsWith('/api/'), sample.url!).toBe(store.urls === 'served');
      const response = await fetchUrl(sample.url!);
      expect(response.status, `${sample.key}: ${sample.url}`).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals({ ...GOOD, ...BAD }[sample.key]!), sample.key).toBe(true);
      if (sample.key in BAD) {
        expect(sample.thumbnailUrl).toBeNull();
        continue;
      }
      const thumbnail = await fetchUrl(sample.thumbnailUrl!);
      expect(thumbnail.status, sample.key).toBe(200);
      const decoded = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
      expect(decoded.format, sample.key).toBe('jpeg');
      expect(thumbnail.headers.get('content-type'), sample.key).toBe('image/jpeg');
      expect(Math.max(decoded.width!, decoded.height!), sample.key).toBeLessThanOrEqual(THUMBNAIL_SIZE);
    }
  });

  it('serves a range of an image as a browser asks for one', async () => {
    const page = (await (await api.request('/api/datasets/farm/samples?limit=1')).json()) as SamplePage;
    const url = page.samples[0]!.url!;
    const range = { headers: { range: 'bytes=0-9' } };
    const response = url.startsWith('/api/') ? await api.request(url, range) : await fetch(url, range);
    expect(response.status).toBe(206);
    expect((await response.arrayBuffer()).byteLength).toBe(10);
  });

  it("changed nothing of the user's: only keys under <input>/.winnow/ are new", async () => {
    const after = await store.contents();
    for (const [key, body] of before) expect(after.get(key)?.equals(body), key).toBe(true);
    const added = [...after.keys()].filter((key) => !before.has(key));
    expect(added.length).toBeGreaterThan(0);
    for (const key of added) expect(key.startsWith(`${PREFIX}.winnow/`), key).toBe(true);
    // Under Winnow's own least-privilege policy, nothing Winnow asked for was refused.
    if (store.denied) expect(store.denied()).toEqual([]);
  });

  // Embeddings: the pipeline (src/workflows/embed-dataset.ts) is being built on another branch. When it lands,
  // this contract embeds every synced sample of each store here and checks one vector per readable image.
  it.todo('embeds every readable sample (the embedding pipeline is not on this branch yet)');
});
