import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { DeleteObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cliAsS3User, closed, failOnExit, freshHome, runCli, spawnCli, type S3Keys } from './support/cli.js';
import { listOnlyPolicy, prefixConditionPolicy, readOnlyPolicy, referencePolicy } from './support/policies.js';
import { fixtureImage as image, proxyUser as user, startSeededS3, underPrefix, type SeededS3 } from './support/s3-fixture.js';
import type { PolicyProxy, ProxyLogEntry } from './support/s3-policy-proxy.js';
import { waitFor } from './support/wait.js';

const BUCKET = 'datalake';
const PREFIX = 'projects/farm-animals/';
const INPUT = `s3://${BUCKET}/${PREFIX}`;
// s3rver stores each path segment as a file name, so a very long key needs slashes to fit (real S3 does not care).
const LONG_KEY = `tricky/${Array.from({ length: 4 }, (_, i) => `${String(i).repeat(3)}-${'x'.repeat(200)}`).join('/')}.jpg`;
const TRICKY_KEYS = ['tricky/ç ü 猫 + % # x.jpg', 'tricky/a+b=c&d;e.jpg', 'tricky/50% off (1).JPG', 'tricky/space at end .png', LONG_KEY];
const MANY = 120;
const KILL_PAGE_SIZE = 10;

/** Relative key → body of every object under the dataset's prefix. */
const inside: Record<string, Buffer | string> = {
  'cows/cow-001.jpg': image('cat.jpg'),
  'pigs/pig.png': image('coffee.png'),
  'pigs/pig.webp': image('cat.webp'),
  'broken/corrupt.jpg': image('corrupt.jpg'),
  'broken/empty.jpg': '',
  'broken/png-named.jpg': image('png-named.jpg'),
  'notes.txt': 'not an image',
  'empty-folder/': '',
  '.winnow/thumbnails/cows/cow-001.jpg_thumb.webp': image('cat.webp'),
  ...Object.fromEntries(TRICKY_KEYS.map((key) => [key, image('cat.jpg')])),
  ...Object.fromEntries(Array.from({ length: MANY }, (_, i) => [`many/sheep-${String(i).padStart(4, '0')}.jpg`, image('cat.jpg')])),
};
const EXPECTED_SAMPLES = Object.keys(inside)
  .filter((key) => /\.(jpe?g|png|webp)$/i.test(key) && !key.startsWith('.winnow/'))
  .sort();

const users = {
  reference: user('AKIAREFERENCE0000001', referencePolicy(BUCKET, PREFIX)),
  prefixCondition: user('AKIAPREFIXCOND000001', prefixConditionPolicy(BUCKET, PREFIX)),
  readOnly: user('AKIAREADONLY00000001', readOnlyPolicy(BUCKET, PREFIX)),
  listOnly: user('AKIALISTONLY00000001', listOnlyPolicy(BUCKET, PREFIX)),
  temporary: user('ASIATEMPORARY0000001', readOnlyPolicy(BUCKET, PREFIX), { sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' }),
  anyBucket: user('AKIAANYBUCKET0000001', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
};

let s3: SeededS3;
let proxy: PolicyProxy;
let seed: S3Client;

beforeAll(async () => {
  const siblings = ['projects/farm-animals-2/', 'projects/other/', 'projects/farm-animals'].flatMap((prefix) =>
    Array.from({ length: 15 }, (_, i) => [`${prefix}${prefix.endsWith('/') ? '' : '-x'}/intruder-${i}.jpg`.replace('//', '/'), image('cat.jpg')] as const),
  );
  s3 = await startSeededS3({
    buckets: [BUCKET],
    users: Object.values(users),
    objects: { [BUCKET]: { ...underPrefix(PREFIX, inside), ...Object.fromEntries(siblings) } },
  });
  ({ proxy, seed } = s3);
});

afterAll(async () => s3?.stop());

beforeEach(() => proxy.clearLog());

/** A CLI bound to one fresh catalog and one proxy user's keys. */
function asUser(keys: S3Keys, options: { home?: string; env?: Record<string, string> } = {}) {
  return cliAsS3User({ keys, input: INPUT, endpoint: () => proxy.endpoint, ...options });
}

interface VerifyJson {
  mode: string;
  checks: Record<
    'list' | 'read' | 'write' | 'overwrite' | 'delete',
    { ok: boolean; skipped: boolean; action: string; resource: string; s3Code?: string; errorCode?: string; message?: string; fix?: string }
  >;
  leftBehind?: string;
}
const lights = (report: VerifyJson) => Object.fromEntries(Object.entries(report.checks).map(([light, check]) => [light, check.ok]));
const deniedCalls = () => proxy.denied().map((entry) => `${entry.action} ${entry.resource}`);

/** Every request the proxy saw stayed inside the dataset's prefix. */
function expectOnlyInsidePrefix(log: readonly ProxyLogEntry[]) {
  for (const entry of log) {
    // A browser's CORS preflight carries no credentials, so no IAM action: verify sends one for the key it read.
    if (entry.decision === 'Preflight') {
      expect(entry.method).toBe('OPTIONS');
      expect(decodeURIComponent(entry.path)).toMatch(new RegExp(`^/${BUCKET}/${PREFIX}`));
      continue;
    }
    if (entry.action === 's3:ListBucket') expect(entry.context['s3:prefix'], JSON.stringify(entry)).toBe(PREFIX);
    else expect(entry.resource, JSON.stringify(entry)).toMatch(new RegExp(`^arn:aws:s3:::${BUCKET}/${PREFIX}`));
    expect(entry.action).not.toMatch(/ListAllMyBuckets|GetBucketLocation/);
    expect(entry.method).not.toBe('HEAD');
  }
}

describe('reference policy, verbatim', () => {
  const cli = asUser(users.reference);

  it('turns all five lights green with calls only inside the prefix and leaves nothing behind', async () => {
    expect((await cli.create('farm')).code).toBe(0);
    const verify = await cli.run('datasource', 'verify', 'farm', '--json');
    expect(verify.code, verify.stderr).toBe(0);
    const report = verify.json<VerifyJson>();
    expect(lights(report)).toEqual({ list: true, read: true, write: true, overwrite: true, delete: true });
    expect(report.mode).toBe('full');
    expect(report.checks.list.resource).toContain(`arn:aws:s3:::${BUCKET}`);
    expect(report.leftBehind).toBeUndefined();
    expect(proxy.denied()).toEqual([]);
    expectOnlyInsidePrefix(proxy.log);
    const writes = proxy.log.filter((entry) => entry.method === 'PUT' || entry.method === 'DELETE');
    expect(writes.map((entry) => entry.action)).toEqual(['s3:PutObject', 's3:PutObject', 's3:DeleteObject']);
    for (const entry of writes) expect(entry.resource).toMatch(new RegExp(`^arn:aws:s3:::${BUCKET}/${PREFIX}\\.winnow/probes/`));
  });

  it("reports whether the bucket answers the web app's CORS preflight, with the configuration to apply", async () => {
    const report = (await cli.run('datasource', 'verify', 'farm', '--json', '--origin', 'https://winnow.example.com')).json<
      VerifyJson & { cors: { ok: boolean; origin: string; configuration: Array<{ AllowedOrigins: string[] }> } }
    >();
    expect(report.cors).toMatchObject({ ok: false, origin: 'https://winnow.example.com' });
    expect(report.cors.configuration[0]?.AllowedOrigins).toEqual(['https://winnow.example.com']);
    const text = await cli.run('datasource', 'verify', 'farm');
    expect(text.stdout).toContain('CORS (for the web app at http://127.0.0.1:8080): not allowed.');
    expect(text.stdout).toContain('"AllowedMethods"');
  });

  it('syncs every image under the prefix, none from siblings, tricky keys exact', async () => {
    const sync = await cli.run('dataset', 'sync', 'farm', '--json');
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.json()).toMatchObject({ added: EXPECTED_SAMPLES.length, updated: 0, removed: 0, failed: 2, total: EXPECTED_SAMPLES.length });
    const samples = (await cli.run('samples', 'list', 'farm', '--json', '--limit', '1000')).json<
      Array<{ key: string; width: number | null; format: string | null; status: string; error: string | null }>
    >();
    expect(samples.map((sample) => sample.key)).toEqual(EXPECTED_SAMPLES);
    const byKey = new Map(samples.map((sample) => [sample.key, sample]));
    for (const key of TRICKY_KEYS) expect(byKey.get(key), key).toMatchObject({ status: 'ok', width: 96, format: 'jpeg' });
    expect(byKey.get('broken/empty.jpg')).toMatchObject({ status: 'error', error: 'The file is empty (0 bytes).' });
    expect(byKey.get('broken/corrupt.jpg')?.status).toBe('error');
    expect(byKey.get('broken/png-named.jpg')).toMatchObject({ status: 'ok', format: 'png' });
    expect(proxy.denied()).toEqual([]);
    expectOnlyInsidePrefix(proxy.log);
    // One ranged read per non-empty sample, plus the sync's own read probe.
    const reads = proxy.log.filter((entry) => entry.action === 's3:GetObject');
    expect(reads).toHaveLength(EXPECTED_SAMPLES.length - 1 + 1);
  });

  it('re-syncs without reading anything unchanged', async () => {
    await s3.put({ [BUCKET]: { [`${PREFIX}cows/cow-002.jpg`]: image('cat.jpg') } });
    proxy.clearLog();
    const sync = await cli.run('dataset', 'sync', 'farm', '--json', '--skip-verify');
    await seed.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}cows/cow-002.jpg` }));
    expect(sync.json()).toMatchObject({ added: 1, updated: 0, removed: 0, failed: 0, total: EXPECTED_SAMPLES.length + 1 });
    const reads = proxy.log.filter((entry) => entry.action === 's3:GetObject').map((entry) => entry.resource);
    expect(reads).toEqual([`arn:aws:s3:::${BUCKET}/${PREFIX}cows/cow-002.jpg`]);
    expect((await cli.run('dataset', 'sync', 'farm', '--json')).json()).toMatchObject({ added: 0, removed: 1, total: EXPECTED_SAMPLES.length });
  });

  it('never stores or prints the secret in clear', async () => {
    const catalog = readFileSync(join(cli.home, 'catalog.sqlite'));
    expect(catalog.includes(Buffer.from(users.reference.secretAccessKey))).toBe(false);
    const show = await cli.run('dataset', 'show', 'farm', '--json');
    expect(show.stdout).not.toContain(users.reference.secretAccessKey);
    expect(show.json()).toMatchObject({ input: { accessKeyId: users.reference.accessKeyId, hasSecret: true } });
  });
});

describe('reference policy tightened with an s3:prefix condition', () => {
  it('gets the same lights and the same samples', async () => {
    const cli = asUser(users.prefixCondition);
    await cli.create('farm');
    expect(lights((await cli.run('datasource', 'verify', 'farm', '--json')).json<VerifyJson>())).toEqual({
      list: true,
      read: true,
      write: true,
      overwrite: true,
      delete: true,
    });
    expect((await cli.run('dataset', 'sync', 'farm', '--json')).json()).toMatchObject({ total: EXPECTED_SAMPLES.length, failed: 2 });
    expect(proxy.denied()).toEqual([]);
    expectOnlyInsidePrefix(proxy.log);
  });
});

describe('read-only policy', () => {
  it('reports no write lights, with the IAM action and a fix, and still syncs', async () => {
    const cli = asUser(users.readOnly);
    await cli.create('farm');
    const verify = await cli.run('datasource', 'verify', 'farm', '--json');
    expect(verify.code).toBe(0);
    const report = verify.json<VerifyJson>();
    expect(lights(report)).toEqual({ list: true, read: true, write: false, overwrite: false, delete: false });
    expect(report.mode).toBe('read-only');
    expect(report.checks.write).toMatchObject({ skipped: false, s3Code: 'AccessDenied', action: 's3:PutObject' });
    expect(report.checks.write.message).toContain(`s3:PutObject on arn:aws:s3:::${BUCKET}/${PREFIX}.winnow/probes/`);
    expect(report.checks.write.fix).toContain(`arn:aws:s3:::${BUCKET}/${PREFIX}.winnow/probes/*`);
    expect(report.checks.overwrite.skipped).toBe(true);
    expect(deniedCalls()).toEqual([expect.stringMatching(/^s3:PutObject arn:aws:s3:::datalake\/projects\/farm-animals\/\.winnow\/probes\/verify-/)]);

    proxy.clearLog();
    expect((await cli.run('dataset', 'sync', 'farm', '--json')).json()).toMatchObject({ total: EXPECTED_SAMPLES.length });
    expect(proxy.denied()).toEqual([]);
  });
});

describe('list-only policy (minimum policy)', () => {
  const cli = asUser(users.listOnly);

  it('says so in verify and exits 4 (read fails)', async () => {
    await cli.create('farm');
    const verify = await cli.run('datasource', 'verify', 'farm');
    expect(verify.code, verify.stderr).toBe(4);
    expect(verify.stdout).toContain('List-only (minimum policy)');
    expect(verify.stdout).toContain('s3:GetObject');
    expect(deniedCalls().map((call) => call.split(' ')[0])).toEqual(['s3:GetObject', 's3:PutObject']);
  });

  it('stops a plain sync with a clear message and exit 4', async () => {
    const sync = await cli.run('dataset', 'sync', 'farm');
    expect(sync.code, sync.stderr).toBe(4);
    expect(sync.stderr).toContain('--skip-verify');
  });

  it('indexes every key without dimensions with --skip-verify, after a single denied read', async () => {
    proxy.clearLog();
    const sync = await cli.run('dataset', 'sync', 'farm', '--skip-verify', '--json');
    expect(sync.code, sync.stderr).toBe(0);
    const report = sync.json<{ total: number; failed: number; withoutDimensions: number; readDenied: boolean; warnings: string[] }>();
    expect(report).toMatchObject({ total: EXPECTED_SAMPLES.length, failed: 0, withoutDimensions: EXPECTED_SAMPLES.length, readDenied: true });
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toContain('s3:GetObject');
    expect(deniedCalls().map((call) => call.split(' ')[0])).toEqual(['s3:GetObject']);
    const samples = (await cli.run('samples', 'list', 'farm', '--json', '--limit', '1000')).json<
      Array<{ key: string; width: number | null; status: string }>
    >();
    expect(samples.map((sample) => sample.key)).toEqual(EXPECTED_SAMPLES);
    expect(samples.every((sample) => sample.width === null && sample.status === 'pending')).toBe(true);
  });
});

describe('credentials and endpoints that do not work', () => {
  it('names the access key id, never the secret, when the secret is wrong (exit 4)', async () => {
    const cli = asUser({ ...users.reference, secretAccessKey: 'definitely-the-wrong-secret-123' });
    await cli.create('farm');
    for (const args of [
      ['datasource', 'verify', 'farm'],
      ['dataset', 'sync', 'farm'],
    ]) {
      const result = await cli.run(...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(4);
      const text = result.stdout + result.stderr;
      expect(text).toContain('the secret access key does not match access key id AKIAREFERENCE0000001');
      expect(text).not.toContain('definitely-the-wrong-secret-123');
    }
  });

  it('says the bucket does not exist', async () => {
    const cli = asUser(users.anyBucket);
    await runCli(
      [
        'dataset',
        'create',
        'nope',
        '--input',
        's3://no-such-bucket/x/',
        '--endpoint',
        proxy.endpoint,
        '--path-style',
        '--access-key-id',
        users.anyBucket.accessKeyId,
        '--secret-access-key-stdin',
      ],
      {
        env: { WINNOW_HOME: cli.home },
        stdin: users.anyBucket.secretAccessKey,
      },
    );
    const result = await cli.run('dataset', 'sync', 'nope', '--json');
    expect(result.code).toBe(5);
    expect(result.json()).toMatchObject({
      error: { code: 'DatasourceBucketNotFound', message: expect.stringContaining('bucket "no-such-bucket" does not exist') },
    });
  });

  it('stops at the list light with a clear error when the endpoint refuses connections (verify exit 4, sync exit 5)', async () => {
    const port = await closedPort();
    const home = freshHome();
    await runCli(
      [
        'dataset',
        'create',
        'down',
        '--input',
        INPUT,
        '--endpoint',
        `http://127.0.0.1:${port}`,
        '--path-style',
        '--access-key-id',
        'AKIAX',
        '--secret-access-key-stdin',
      ],
      { env: { WINNOW_HOME: home }, stdin: 'x' },
    );
    const verify = await runCli(['datasource', 'verify', 'down', '--json'], { env: { WINNOW_HOME: home } });
    expect(verify.code, verify.stderr).toBe(4);
    const report = verify.json<VerifyJson>();
    expect(report.checks.list).toMatchObject({
      ok: false,
      skipped: false,
      errorCode: 'DatasourceUnreachable',
      message: expect.stringContaining(`could not reach http://127.0.0.1:${port} (ECONNREFUSED)`),
    });
    // Nothing after the failed listing was tried: the other four lights say so.
    for (const light of ['read', 'write', 'overwrite', 'delete'] as const)
      expect(report.checks[light], light).toMatchObject({ ok: false, skipped: true, message: expect.stringMatching(/^not tested: /) });
    const sync = await runCli(['dataset', 'sync', 'down'], { env: { WINNOW_HOME: home } });
    expect(sync.code, sync.stderr).toBe(5);
    expect(sync.stderr).toContain(`could not reach http://127.0.0.1:${port} (ECONNREFUSED)`);
  });

  it('gives up on an endpoint that accepts connections but never answers', async () => {
    const silent = await silentServer();
    const home = freshHome();
    const env = { WINNOW_HOME: home, WINNOW_S3_REQUEST_TIMEOUT_MS: '500', WINNOW_S3_MAX_ATTEMPTS: '1' };
    await runCli(
      ['dataset', 'create', 'hang', '--input', INPUT, '--endpoint', silent.endpoint, '--path-style', '--access-key-id', 'AKIAX', '--secret-access-key-stdin'],
      { env, stdin: 'x' },
    );
    const result = await runCli(['dataset', 'sync', 'hang'], { env, timeoutMs: 20_000 });
    silent.server.close();
    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toMatch(/could not reach http:\/\/127\.0\.0\.1:\d+ \(/);
    // One attempt (WINNOW_S3_MAX_ATTEMPTS=1) of the first listing, given up on: no second connection.
    expect(silent.connections()).toBe(1);
  });
});

describe('temporary credentials, SSE-KMS and a separate output', () => {
  it('signs with a session token read from stdin', async () => {
    const cli = asUser(users.temporary);
    expect((await cli.create('farm', '--session-token-stdin')).code).toBe(0);
    const report = (await cli.run('datasource', 'verify', 'farm', '--json')).json<VerifyJson>();
    expect(lights(report)).toMatchObject({ list: true, read: true });
    expect(proxy.log.filter((entry) => entry.decision === 'InvalidToken')).toEqual([]);
  });

  it('sends SSE-KMS headers on every write and writes only under <output>/.winnow/', async () => {
    const cli = asUser(users.anyBucket);
    const kmsKey = 'arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    expect((await cli.create('farm', '--output', `s3://${BUCKET}/results/farm/`, '--sse-kms-key-id', kmsKey)).code).toBe(0);
    const report = (await cli.run('datasource', 'verify', 'farm', '--json')).json<VerifyJson>();
    expect(lights(report)).toEqual({ list: true, read: true, write: true, overwrite: true, delete: true });
    const puts = proxy.log.filter((entry) => entry.method === 'PUT');
    expect(puts).toHaveLength(2);
    for (const put of puts) {
      expect(put.resource).toMatch(/^arn:aws:s3:::datalake\/results\/farm\/\.winnow\/probes\//);
      expect(put.context).toMatchObject({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': kmsKey });
    }
  });
});

describe('a sync killed mid-listing', () => {
  it('resumes from its cursor with no duplicates', async () => {
    const home = freshHome();
    const env = { WINNOW_HOME: home, WINNOW_LIST_PAGE_SIZE: String(KILL_PAGE_SIZE) };
    const cli = asUser(users.reference, { home, env });
    await cli.create('farm');
    // The keys of the first three pages, in s3rver's order: what the catalog holds once they are committed.
    const firstPages = (await seed.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX, MaxKeys: 3 * KILL_PAGE_SIZE }))).Contents!.map((object) =>
      object.Key!.slice(PREFIX.length),
    );
    const committed = firstPages.filter((key) => EXPECTED_SAMPLES.includes(key));

    let listings = 0;
    const fourthPage = proxy.hold((entry) => entry.action === 's3:ListBucket' && entry.query['max-keys'] === String(KILL_PAGE_SIZE) && ++listings === 4);
    const child = spawnCli(['dataset', 'sync', 'farm', '--skip-verify'], env);
    try {
      await Promise.race([fourthPage.reached(1), failOnExit(child, 'waiting for the sync to ask for its fourth listing page')]);
      // The fourth page is asked for while the third is being committed: once that commit is in, the sync can only wait.
      await waitFor(`${committed.length} samples from three committed pages`, async () => (await showFarm(cli)).samples.total === committed.length);
      // Memory stays flat: pages of KILL_PAGE_SIZE keys, and at most one asked for ahead of the catalog.
      const listingRequests = proxy.log.filter((entry) => entry.action === 's3:ListBucket');
      expect(listingRequests.map((entry) => entry.query['max-keys'])).toEqual(Array(4).fill(String(KILL_PAGE_SIZE)));
      child.kill('SIGKILL');
      await closed(child);
    } finally {
      fourthPage.release();
    }

    const shown = await showFarm(cli);
    expect(shown.lastSync).toMatchObject({ status: 'interrupted', phase: 'listing' });
    expect(shown.samples.total).toBe(committed.length);

    proxy.clearLog();
    const resumed = await runCli(['dataset', 'sync', 'farm', '--json'], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.json()).toMatchObject({ resumed: true, added: EXPECTED_SAMPLES.length, total: EXPECTED_SAMPLES.length, removed: 0 });
    const resumedListings = proxy.log.filter((entry) => entry.action === 's3:ListBucket' && entry.query['start-after'] !== undefined);
    expect(resumedListings.map((entry) => entry.query['start-after'])).toEqual([`${PREFIX}${firstPages.at(-1)}`]);
    const samples = (await cli.run('samples', 'list', 'farm', '--json', '--limit', '1000')).json<Array<{ key: string; status: string }>>();
    expect(samples.map((sample) => sample.key)).toEqual(EXPECTED_SAMPLES);
  });
});

async function showFarm(cli: ReturnType<typeof asUser>) {
  return (await cli.run('dataset', 'show', 'farm', '--json')).json<{ lastSync: { status: string; phase: string }; samples: { total: number } }>();
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolvePromise) => probe.listen(0, '127.0.0.1', resolvePromise));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolvePromise) => probe.close(resolvePromise));
  return port;
}

/** Accepts connections and never answers; counts the connections. */
async function silentServer(): Promise<{ server: Server; endpoint: string; connections(): number }> {
  let connections = 0;
  const server = createServer(() => void connections++);
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`, connections: () => connections };
}
