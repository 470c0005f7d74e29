import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cliAsS3User, closed, failOnExit, freshHome, runCli, spawnCli, type S3Keys } from './support/cli.js';
import { startFlakyProxy, type FlakyProxy } from './support/flaky-s3-proxy.js';
import { listOnlyPolicy, readOnlyPolicy, referencePolicy } from './support/policies.js';
import { fixtureImage as image, proxyUser as user, startSeededS3, underPrefix, type SeededS3 } from './support/s3-fixture.js';
import type { PolicyProxy, ProxyLogEntry } from './support/s3-policy-proxy.js';
import type { SampleView } from '../src/catalog/sample.service.js';

const BUCKET = 'datalake';
const PREFIX = 'projects/farm-animals/';
const INPUT = `s3://${BUCKET}/${PREFIX}`;
const THUMBS = `${PREFIX}.winnow/thumbnails/`;
// s3rver stores each path segment as a file name, so long keys need slashes to fit (real S3 does not care).
const LONG_KEY = `tricky/${Array.from({ length: 4 }, (_, i) => `${String(i).repeat(3)}-${'x'.repeat(200)}`).join('/')}.jpg`;
/** 995 bytes: fits S3's 1,024 with the input prefix, but not once prefixed for its thumbnail, so that one is hashed. */
const HASHED_KEY = `tricky/${Array.from({ length: 5 }, (_, i) => `${i}${'y'.repeat(195)}`).join('/')}.jpg`;
const TRICKY_KEYS = ['tricky/ç ü 猫 + % # x.jpg', 'tricky/a+b=c&d;e.jpg', 'tricky/50% off (1).JPG', 'tricky/space at end .png', LONG_KEY, HASHED_KEY];
const MANY = 40;

/** Relative key → body and the thumbnail size expected (null: no thumbnail, with this error). */
const GOOD: Record<string, { body: Buffer; width: number; height: number }> = {
  'cows/cow-001.jpg': { body: image('cat.jpg'), width: 96, height: 64 },
  'pigs/pig.png': { body: image('coffee.png'), width: 80, height: 53 },
  'pigs/pig.webp': { body: image('cat.webp'), width: 64, height: 43 },
  'photos/chelsea-exif6.jpg': { body: image('chelsea-exif6.jpg'), width: 266, height: 400 },
  'photos/orientation-6.jpg': { body: image('orientation-6.jpg'), width: 40, height: 60 },
  'odd/cmyk.jpg': { body: image('cmyk.jpg'), width: 64, height: 48 },
  'odd/rgb16.png': { body: image('rgb16.png'), width: 64, height: 48 },
  'odd/animated.gif': { body: image('animated.gif'), width: 60, height: 40 },
  ...Object.fromEntries(TRICKY_KEYS.map((key) => [key, { body: image('cat.jpg'), width: 96, height: 64 }])),
  ...Object.fromEntries(
    Array.from({ length: MANY }, (_, i) => [`many/sheep-${String(i).padStart(4, '0')}.jpg`, { body: image('chelsea-exif6.jpg'), width: 266, height: 400 }]),
  ),
};
const BAD: Record<string, { body: Buffer | string; error: RegExp }> = {
  'broken/truncated.jpg': { body: image('truncated.jpg'), error: /^Corrupt or truncated image/ },
  'broken/corrupt.jpg': { body: image('corrupt.jpg'), error: /^Corrupt or truncated image/ },
  'broken/empty.jpg': { body: '', error: /^The file is empty \(0 bytes\)\.$/ },
  'broken/not-an-image.png': { body: 'plain text, not a PNG', error: /^Not a supported image/ },
  'broken/bomb.png': { body: image('bomb-50000x50000.png'), error: /declares 50,000 x 50,000 pixels/ },
};
const OTHERS: Record<string, string> = { 'notes.txt': 'not an image', '.winnow/thumbnails/cows/cow-001.jpg_thumb.webp': 'stale thumbnail from earlier' };
const SAMPLES = Object.keys(GOOD).length + Object.keys(BAD).length;
/** Samples whose bytes are never read: empty, and the bomb (its header already declared 2.5 gigapixels). */
const NOT_READ = ['broken/empty.jpg', 'broken/bomb.png'];

const users = {
  reference: user('AKIATHUMBREF00000001', referencePolicy(BUCKET, PREFIX)),
  readOnly: user('AKIATHUMBRO000000001', readOnlyPolicy(BUCKET, PREFIX)),
  listOnly: user('AKIATHUMBLIST0000001', listOnlyPolicy(BUCKET, PREFIX)),
  anyBucket: user('AKIATHUMBANY00000001', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
};

let s3: SeededS3;
let proxy: PolicyProxy;
let seed: S3Client;

beforeAll(async () => {
  const bodies = {
    ...Object.fromEntries(Object.entries(GOOD).map(([key, entry]) => [key, entry.body])),
    ...Object.fromEntries(Object.entries(BAD).map(([key, entry]) => [key, entry.body])),
    ...OTHERS,
  };
  s3 = await startSeededS3({
    buckets: [BUCKET],
    users: Object.values(users),
    objects: { [BUCKET]: { ...underPrefix(PREFIX, bodies), 'projects/farm-animals-2/intruder.jpg': image('cat.jpg') } },
  });
  ({ proxy, seed } = s3);
});

afterAll(async () => s3?.stop());

beforeEach(() => proxy.clearLog());

function asUser(keys: S3Keys, env: Record<string, string> = {}) {
  return cliAsS3User({ keys, input: INPUT, endpoint: () => proxy.endpoint, env });
}

interface ThumbnailReportJson {
  total: number;
  generated: number;
  skipped: number;
  failed: number;
  retryable: number;
  location: string;
}
interface SampleJson {
  key: string;
  thumbnail: { key: string; width: number; height: number } | null;
  thumbnailError: string | null;
}

/** MD5 of every object in the bucket, by key. */
async function bucketContents(): Promise<Map<string, string>> {
  const contents = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await seed.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
    for (const entry of page.Contents ?? []) {
      const object = await seed.send(new GetObjectCommand({ Bucket: BUCKET, Key: entry.Key! }));
      contents.set(
        entry.Key!,
        createHash('md5')
          .update(await object.Body!.transformToByteArray())
          .digest('hex'),
      );
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return contents;
}

async function readObject(key: string): Promise<Buffer> {
  const object = await seed.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

function expectOnlyInsidePrefix(log: readonly ProxyLogEntry[], prefix = PREFIX) {
  for (const entry of log) {
    if (entry.action === 's3:ListBucket') expect(entry.context['s3:prefix'], JSON.stringify(entry)).toBe(prefix);
    else expect(entry.resource, JSON.stringify(entry)).toMatch(new RegExp(`^arn:aws:s3:::${BUCKET}/${prefix.replace(/[.]/g, '\\.')}`));
    expect(entry.method).not.toBe('HEAD');
  }
}

const writes = () => proxy.log.filter((entry) => entry.method === 'PUT' || entry.method === 'DELETE' || entry.method === 'POST');
const inputReads = () => proxy.log.filter((entry) => entry.action === 's3:GetObject');

describe('reference policy, verbatim', () => {
  const cli = asUser(users.reference);
  let before: Map<string, string>;

  it('writes a JPEG of every good image under .winnow/thumbnails/ and nothing anywhere else', async () => {
    expect((await cli.create('farm')).code).toBe(0);
    expect((await cli.run('dataset', 'sync', 'farm', '--json')).code).toBe(0);
    before = await bucketContents();
    proxy.clearLog();

    const result = await cli.run('thumbnails', 'farm', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<ThumbnailReportJson>()).toMatchObject({
      total: SAMPLES,
      generated: Object.keys(GOOD).length,
      skipped: 0,
      failed: Object.keys(BAD).length,
      retryable: 0,
      location: `s3://${BUCKET}/${THUMBS}`,
    });
    expect(proxy.denied()).toEqual([]);
    expectOnlyInsidePrefix(proxy.log);
    const written = writes();
    expect(written.every((entry) => entry.method === 'PUT' && entry.action === 's3:PutObject')).toBe(true);
    for (const entry of written) expect(entry.resource).toMatch(new RegExp(`^arn:aws:s3:::${BUCKET}/projects/farm-animals/\\.winnow/thumbnails/`));
    // One README (the write probe), then one thumbnail per good image: nothing written twice.
    expect(written).toHaveLength(Object.keys(GOOD).length + 1);
    expect(new Set(written.map((entry) => entry.resource)).size).toBe(written.length);
    expect(inputReads()).toHaveLength(SAMPLES - NOT_READ.length);
  });

  it('records thumbnail keys and real dimensions, tricky keys exact, long keys hashed', async () => {
    const samples = (await cli.run('samples', 'list', 'farm', '--json', '--limit', '1000')).json<SampleJson[]>();
    expect(samples).toHaveLength(SAMPLES);
    const byKey = new Map(samples.map((sample) => [sample.key, sample]));
    for (const [key, expected] of Object.entries(GOOD)) {
      const thumbnail = byKey.get(key)?.thumbnail;
      expect(thumbnail, key).toMatchObject({ width: expected.width, height: expected.height });
      expect(thumbnail!.key).toBe(
        key === HASHED_KEY ? `${THUMBS}_hashed/${createHash('sha256').update(key).digest('hex')}_thumb.jpg` : `${THUMBS}${key}_thumb.jpg`,
      );
      const decoded = await sharp(await readObject(thumbnail!.key)).metadata();
      expect(decoded, key).toMatchObject({ format: 'jpeg', width: expected.width, height: expected.height, space: 'srgb' });
    }
    for (const [key, expected] of Object.entries(BAD)) {
      expect(byKey.get(key)?.thumbnail, key).toBeNull();
      expect(byKey.get(key)?.thumbnailError, key).toMatch(expected.error);
    }
    const readme = (await readObject(`${THUMBS}README.txt`)).toString('utf8');
    expect(readme).toContain('<key>_thumb.jpg');
  });

  it('never changed a user object: only keys under .winnow/thumbnails/ differ', async () => {
    const after = await bucketContents();
    for (const [key, md5] of before) {
      if (!key.startsWith(THUMBS)) expect(after.get(key), key).toBe(md5);
    }
    const added = [...after.keys()].filter((key) => !before.has(key));
    expect(added.every((key) => key.startsWith(THUMBS))).toBe(true);
  });

  it('skips every sample on a second run without reading a single image', async () => {
    const result = await cli.run('thumbnails', 'farm', '--json');
    expect(result.json<ThumbnailReportJson>()).toMatchObject({ generated: 0, failed: 0, skipped: SAMPLES });
    expect(inputReads()).toEqual([]);
    expect(writes().map((entry) => entry.resource)).toEqual([`arn:aws:s3:::${BUCKET}/${THUMBS}README.txt`]);
  });

  it('makes thumbnails during the sync of a dataset created with --thumbnails', async () => {
    expect((await cli.create('auto', '--thumbnails', '--thumbnail-size', '128')).code).toBe(0);
    const sync = await cli.run('dataset', 'sync', 'auto', '--json');
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.json()).toMatchObject({
      total: SAMPLES,
      warnings: [],
      thumbnails: { size: 128, generated: Object.keys(GOOD).length, failed: Object.keys(BAD).length },
    });
    expect(proxy.denied()).toEqual([]);
    expectOnlyInsidePrefix(proxy.log);
  });
});

describe('a separate output with SSE-KMS', () => {
  it('writes every thumbnail under <output>/.winnow/thumbnails/ with the KMS headers', async () => {
    const cli = asUser(users.anyBucket);
    const kmsKey = 'arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    expect((await cli.create('farm', '--output', `s3://${BUCKET}/results/farm/`, '--sse-kms-key-id', kmsKey, '--thumbnails')).code).toBe(0);
    const sync = await cli.run('dataset', 'sync', 'farm', '--json');
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.json()).toMatchObject({ thumbnails: { generated: Object.keys(GOOD).length, location: `s3://${BUCKET}/results/farm/.winnow/thumbnails/` } });
    const puts = writes();
    expect(puts).toHaveLength(Object.keys(GOOD).length + 1);
    for (const put of puts) {
      expect(put.resource).toMatch(/^arn:aws:s3:::datalake\/results\/farm\/\.winnow\/thumbnails\//);
      expect(put.context).toMatchObject({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': kmsKey });
    }
    const samples = (await cli.run('samples', 'list', 'farm', '--json', '--limit', '1000')).json<SampleJson[]>();
    expect(samples.find((sample) => sample.key === 'cows/cow-001.jpg')?.thumbnail?.key).toBe('results/farm/.winnow/thumbnails/cows/cow-001.jpg_thumb.jpg');
  });
});

describe('read-only policy', () => {
  it('stops up front naming s3:PutObject on .winnow/thumbnails/*, after one denied request and no image read', async () => {
    const cli = asUser(users.readOnly);
    await cli.create('farm');
    await cli.run('dataset', 'sync', 'farm');
    proxy.clearLog();
    const result = await cli.run('thumbnails', 'farm');
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`Winnow may not write thumbnails to s3://${BUCKET}/${THUMBS}: it needs s3:PutObject on arn:aws:s3:::${BUCKET}/${THUMBS}*`);
    expect(result.stderr).toContain(`fix: Add to the policy: Allow s3:PutObject on arn:aws:s3:::${BUCKET}/${THUMBS}*.`);
    expect(proxy.denied().map((entry) => `${entry.action} ${entry.resource}`)).toEqual([`s3:PutObject arn:aws:s3:::${BUCKET}/${THUMBS}README.txt`]);
    expect(inputReads()).toEqual([]);

    const json = await cli.run('thumbnails', 'farm', '--json');
    expect(json.json()).toMatchObject({
      error: { code: 'OutputNotWritable', details: { action: 's3:PutObject', resource: `arn:aws:s3:::${BUCKET}/${THUMBS}*` } },
    });
    const samples = (await cli.run('samples', 'list', 'farm', '--json', '--limit', '1000')).json<SampleJson[]>();
    expect(samples.every((sample) => sample.thumbnail === null && sample.thumbnailError === null)).toBe(true);
  });

  it('still indexes a --thumbnails dataset on sync and warns once', async () => {
    const cli = asUser(users.readOnly);
    await cli.create('farm', '--thumbnails');
    const sync = await cli.run('dataset', 'sync', 'farm', '--json');
    expect(sync.code, sync.stderr).toBe(0);
    const report = sync.json<{ total: number; warnings: string[]; thumbnails: unknown; readDenied: boolean }>();
    expect(report).toMatchObject({ total: SAMPLES, thumbnails: null, readDenied: false });
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toContain(`it needs s3:PutObject on arn:aws:s3:::${BUCKET}/${THUMBS}*`);
    expect(proxy.denied().map((entry) => entry.action)).toEqual(['s3:PutObject']);
    const text = await cli.run('dataset', 'sync', 'farm');
    expect(text.stdout.match(/warning:/g)).toHaveLength(1);
  });
});

describe('list-only policy', () => {
  it('stops up front with the missing write permission, without reading', async () => {
    const cli = asUser(users.listOnly);
    await cli.create('farm');
    await cli.run('dataset', 'sync', 'farm', '--skip-verify');
    proxy.clearLog();
    const result = await cli.run('thumbnails', 'farm', '--json');
    expect(result.code).toBe(4);
    expect(result.json()).toMatchObject({ error: { code: 'OutputNotWritable', message: expect.stringContaining('s3:PutObject') } });
    expect(proxy.denied().map((entry) => entry.action)).toEqual(['s3:PutObject']);
    expect(inputReads()).toEqual([]);
  });
});

describe('a thumbnail job killed mid-run', () => {
  const KILL_CONCURRENCY = 2;
  const WRITTEN_BEFORE_KILL = 10;

  it('finishes on the next run with no duplicates and no redone work', async () => {
    const cli = asUser(users.reference, { WINNOW_THUMBNAIL_CONCURRENCY: String(KILL_CONCURRENCY) });
    await cli.create('farm');
    await cli.run('dataset', 'sync', 'farm');
    // Thumbnail writes after the first ten wait in the proxy. A worker records its thumbnail before it
    // takes the next image, so once both workers wait on a held write, the first ten are all recorded.
    let thumbnailWrites = 0;
    const held = proxy.hold(
      (entry) => entry.action === 's3:PutObject' && (entry.resource ?? '').endsWith('_thumb.jpg') && ++thumbnailWrites > WRITTEN_BEFORE_KILL,
    );
    const child = spawnCli(['thumbnails', 'farm'], cli.env);
    try {
      await Promise.race([held.reached(KILL_CONCURRENCY), failOnExit(child, `waiting for ${KILL_CONCURRENCY} held thumbnail writes`)]);
      child.kill('SIGKILL');
      await closed(child);
    } finally {
      held.release();
    }

    const done = (await cli.run('samples', 'list', 'farm', '--json', '--limit', '1000'))
      .json<SampleJson[]>()
      .filter((sample) => sample.thumbnail !== null || sample.thumbnailError !== null);
    expect(done.filter((sample) => sample.thumbnail !== null)).toHaveLength(WRITTEN_BEFORE_KILL);
    expect(done.length).toBeLessThan(SAMPLES);

    proxy.clearLog();
    const resumed = await cli.run('thumbnails', 'farm', '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = resumed.json<ThumbnailReportJson>();
    expect(report).toMatchObject({ total: SAMPLES, skipped: done.length });
    expect(report.generated + report.failed).toBe(SAMPLES - done.length);
    const doneThumbnails = new Set(done.flatMap((sample) => (sample.thumbnail ? [`arn:aws:s3:::${BUCKET}/${sample.thumbnail.key}`] : [])));
    const rewritten = writes().filter((entry) => doneThumbnails.has(entry.resource ?? ''));
    expect(rewritten).toEqual([]);
    const doneKeys = new Set(done.map((sample) => `arn:aws:s3:::${BUCKET}/${PREFIX}${sample.key}`));
    expect(inputReads().filter((entry) => doneKeys.has(entry.resource ?? ''))).toEqual([]);

    const samples = (await cli.run('samples', 'list', 'farm', '--json', '--limit', '1000')).json<SampleJson[]>();
    expect(samples.filter((sample) => sample.thumbnail !== null)).toHaveLength(Object.keys(GOOD).length);
  });
});

describe('throttling (503 SlowDown)', () => {
  let flaky: FlakyProxy;
  beforeAll(async () => {
    flaky = await startFlakyProxy(s3.server.endpoint);
  });
  afterAll(async () => flaky?.stop());

  it('retries with backoff, records the final failure per sample, and retries it on the next run', async () => {
    const env = { WINNOW_HOME: freshHome(), WINNOW_S3_MAX_ATTEMPTS: '3' };
    await runCli(
      ['dataset', 'create', 'farm', '--input', INPUT, '--endpoint', flaky.endpoint, '--path-style', '--access-key-id', 'S3RVER', '--secret-access-key-stdin'],
      { env, stdin: 'S3RVER\n' },
    );
    await runCli(['dataset', 'sync', 'farm'], { env });
    const throttledWrite = `${THUMBS}pigs/pig.png_thumb.jpg`;
    const throttledRead = `${PREFIX}cows/cow-001.jpg`;
    flaky.faults.push({ method: 'PUT', keySuffix: throttledWrite, times: 2 }, { method: 'GET', keySuffix: throttledRead, times: Infinity });
    flaky.requests.length = 0;

    const result = await runCli(['thumbnails', 'farm', '--json'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<ThumbnailReportJson>()).toMatchObject({ generated: Object.keys(GOOD).length - 1, failed: Object.keys(BAD).length + 1, retryable: 1 });
    const attempts = (method: string, key: string) => flaky.requests.filter((request) => request.method === method && request.path === `/${BUCKET}/${key}`);
    expect(attempts('PUT', throttledWrite).map((request) => request.throttled)).toEqual([true, true, false]);
    expect(attempts('GET', throttledRead).map((request) => request.throttled)).toEqual([true, true, true]);
    const samples = new Map(
      (await runCli(['samples', 'list', 'farm', '--json', '--limit', '1000'], { env })).json<SampleJson[]>().map((sample) => [sample.key, sample]),
    );
    expect(samples.get('pigs/pig.png')?.thumbnail).toMatchObject({ width: 80, height: 53 });
    expect(samples.get('cows/cow-001.jpg')).toMatchObject({ thumbnail: null, thumbnailError: expect.stringContaining('SlowDown (HTTP 503)') });

    flaky.faults.length = 0;
    const again = await runCli(['thumbnails', 'farm', '--json'], { env });
    expect(again.json<ThumbnailReportJson>()).toMatchObject({ generated: 1, failed: 0, retryable: 0, skipped: SAMPLES - 1 });
  });

  it('never marks an image broken because its header read was throttled: the sync reads it again, stops with exit 5 while it stays throttled, and the next sync reads it', async () => {
    const env = { WINNOW_HOME: freshHome(), WINNOW_S3_MAX_ATTEMPTS: '2' };
    const throttledRead = `${PREFIX}pigs/pig.webp`;
    const create = (name: string) =>
      runCli(
        ['dataset', 'create', name, '--input', INPUT, '--endpoint', flaky.endpoint, '--path-style', '--access-key-id', 'S3RVER', '--secret-access-key-stdin'],
        { env, stdin: 'S3RVER\n' },
      );
    type Header = Pick<SampleView, 'status' | 'width' | 'height' | 'format' | 'error'>;
    const sampleOf = async (dataset: string): Promise<Header | undefined> => {
      const samples = (await runCli(['samples', 'list', dataset, '--json', '--limit', '1000'], { env })).json<SampleView[]>();
      const sample = samples.find((each) => each.key === 'pigs/pig.webp');
      return sample && { status: sample.status, width: sample.width, height: sample.height, format: sample.format, error: sample.error };
    };
    const readsOf = () =>
      flaky.requests.filter((request) => request.method === 'GET' && request.path === `/${BUCKET}/${throttledRead}`).map((request) => request.throttled);
    const throttle = (times: number) => {
      flaky.faults.length = 0;
      flaky.requests.length = 0;
      flaky.faults.push({ method: 'GET', keySuffix: throttledRead, times });
    };
    expect((await create('farm-passing')).code).toBe(0);
    expect((await create('farm-stormy')).code).toBe(0);

    // Both tries of the first pass throttled, the first of the pass after the pause too: its second try reads it.
    throttle(3);
    const passing = await runCli(['dataset', 'sync', 'farm-passing', '--json'], { env });
    expect(passing.code, passing.stderr).toBe(0);
    expect(passing.json()).toMatchObject({ failed: Object.keys(BAD).length - NOT_READ.length, withoutDimensions: 0 });
    expect(readsOf()).toEqual([true, true, true, false]);
    const read = await sampleOf('farm-passing');
    expect(read).toMatchObject({ status: 'ok', width: expect.any(Number), error: null });

    // Throttled on every try of every pass: left to read, and the sync says so.
    throttle(Infinity);
    const stormy = await runCli(['dataset', 'sync', 'farm-stormy'], { env });
    expect(stormy.code, stormy.stderr).toBe(5);
    expect(stormy.stderr).toMatch(
      /The headers of 1 sample\(s\) could not be read: the storage kept failing, in 3 passes\. The last error: S3 GetObject of s3:\/\/datalake\/projects\/farm-animals\/pigs\/pig\.webp failed with SlowDown \(HTTP 503\)/,
    );
    expect(stormy.stderr).toMatch(/not marked broken: the next sync reads them/);
    expect(readsOf()).toEqual(Array(6).fill(true));
    expect(await sampleOf('farm-stormy')).toEqual({ status: 'pending', width: null, height: null, format: null, error: null });

    flaky.faults.length = 0;
    const calm = await runCli(['dataset', 'sync', 'farm-stormy', '--json'], { env });
    expect(calm.code, calm.stderr).toBe(0);
    expect(calm.json()).toMatchObject({ resumed: true, withoutDimensions: 0 });
    expect(await sampleOf('farm-stormy')).toEqual(read);
  });
});
