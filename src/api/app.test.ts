import { cpSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../test/support/api.js';
import type { Context } from '../context.js';
import type { SyncJobs } from '../jobs/sync-jobs.js';
import { generateThumbnails } from '../workflows/make-thumbnails.js';
import { z } from '@hono/zod-openapi';
import {
  DatasetDetailsSchema,
  DatasetSchema,
  DatasetSummarySchema,
  ErrorSchema,
  SamplePageSchema,
  SampleSchema,
  SyncJobResponseSchema,
  VerifyReportSchema,
} from './schemas.js';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/images');

describe('REST API', () => {
  let context: Context & { drop(): Promise<void> };
  let app: TestApi['app'];
  let jobs: SyncJobs;
  let token: string;
  let folder: string;
  let api: TestApi['request'];

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'winnow-api-'));
    // As `winnow serve` runs it, with the test folder as the operator's local root.
    ({
      context,
      app,
      jobs,
      token,
      request: api,
    } = await createTestApi({ WINNOW_LOCAL_ROOTS: folder }, { consume: (secret) => secret === 'the-sign-in-secret' }));
    mkdirSync(join(folder, 'cows/ünï cöde'), { recursive: true });
    mkdirSync(join(folder, 'pigs'));
    const files: Array<[string, string, string]> = [
      ['cat.jpg', 'cows/a.jpg', '2024-01-01'],
      ['cat.jpg', 'cows/ünï cöde/b #1 + 50%.jpg', '2024-03-01'],
      ['coffee.png', 'pigs/c.png', '2024-02-01'],
      ['cat.webp', 'pigs/d.webp', '2024-04-01'],
      ['corrupt.jpg', 'broken.jpg', '2023-01-01'],
    ];
    for (const [fixture, key, date] of files) {
      cpSync(join(FIXTURES, fixture), join(folder, key));
      utimesSync(join(folder, key), new Date(date), new Date(date));
    }
  });
  afterAll(async () => {
    await context?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('answers health without a token and everything else only with one', async () => {
    expect((await app.request('/api/health')).status).toBe(200);
    const anonymous = await app.request('/api/datasets');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'Unauthorized', hint: expect.stringContaining('winnow token create') } });
    expect((await app.request('/api/datasets', { headers: { authorization: 'Bearer wnw_not-a-real-token' } })).status).toBe(401);
    expect((await app.request('/api/openapi.json')).status).toBe(401);
    expect((await api('/api/datasets')).status).toBe(200);
  });

  it('publishes an OpenAPI document and browsable docs', async () => {
    const document = (await (await api('/api/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/datasets', '/api/datasets/{name}/samples', '/api/datasets/{name}/sync', '/api/datasets/{name}/verify', '/api/session']),
    );
    expect(await (await api('/api/docs')).text()).toContain('/api/docs/swagger-ui-bundle.js');
    expect((await api('/api/docs/swagger-ui-bundle.js')).headers.get('content-type')).toBe('text/javascript');
  });

  it('rejects a bad body naming the field', async () => {
    const response = await api('/api/datasets', { method: 'POST', body: JSON.stringify({ name: 'x', input: { uri: 42 } }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'InputInvalid', message: expect.stringContaining('input.uri') } });
  });

  it('never returns a secret access key or session token', async () => {
    const body = {
      name: 's3-secret',
      input: {
        uri: 's3://datalake/projects/farm-animals/',
        accessKeyId: 'AKIAAPITEST000000001',
        secretAccessKey: 'api-secret-value-xyz',
        sessionToken: 'api-session-token-xyz',
      },
    };
    const created = await api('/api/datasets', { method: 'POST', body: JSON.stringify(body) });
    expect(created.status).toBe(201);
    for (const response of [created, await api('/api/datasets/s3-secret'), await api('/api/datasets')]) {
      const text = await response.text();
      expect(text).not.toContain('api-secret-value-xyz');
      expect(text).not.toContain('api-session-token-xyz');
    }
    expect((await api('/api/datasets/s3-secret', { method: 'DELETE' })).status).toBe(204);
  });

  it('creates a dataset, syncs it in the background and pages through its samples', async () => {
    expect((await api('/api/datasets', { method: 'POST', body: JSON.stringify({ name: 'local', input: { uri: folder } }) })).status).toBe(201);
    expect((await api('/api/datasets', { method: 'POST', body: JSON.stringify({ name: 'local', input: { uri: folder } }) })).status).toBe(409);
    const started = await api('/api/datasets/local/sync', { method: 'POST' });
    expect(started.status).toBe(202);
    await jobs.settled('local');
    const job = (await (await api('/api/datasets/local/sync')).json()) as { job: { status: string; report: { added: number; failed: number } } };
    expect(job.job).toMatchObject({ status: 'completed', report: { added: 5, failed: 1 } });

    const keys: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await api(`/api/datasets/local/samples?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
        samples: Array<{ key: string; url: string }>;
        nextCursor: string | null;
      };
      expect(page.samples.length).toBeLessThanOrEqual(2);
      keys.push(...page.samples.map((sample) => sample.key));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(keys).toEqual(['broken.jpg', 'cows/a.jpg', 'cows/ünï cöde/b #1 + 50%.jpg', 'pigs/c.png', 'pigs/d.webp']);
  });

  it('filters by status, extension, folder and name, and sorts by date either way', async () => {
    const keysOf = async (query: string) =>
      ((await (await api(`/api/datasets/local/samples?${query}`)).json()) as { samples: Array<{ key: string }> }).samples.map((s) => s.key);
    expect(await keysOf('status=error')).toEqual(['broken.jpg']);
    expect(await keysOf('extension=PNG')).toEqual(['pigs/c.png']);
    expect(await keysOf('folder=cows')).toEqual(['cows/a.jpg', 'cows/ünï cöde/b #1 + 50%.jpg']);
    expect(await keysOf('q=%231%20%2B%2050%25')).toEqual(['cows/ünï cöde/b #1 + 50%.jpg']);
    expect(await keysOf('q=_')).toEqual([]);
    expect(await keysOf('sort=date&order=desc')).toEqual(['pigs/d.webp', 'cows/ünï cöde/b #1 + 50%.jpg', 'pigs/c.png', 'cows/a.jpg', 'broken.jpg']);
    const firstTwo = (await (await api('/api/datasets/local/samples?sort=date&limit=2')).json()) as { nextCursor: string };
    expect(await keysOf(`sort=date&limit=2&cursor=${firstTwo.nextCursor}`)).toEqual(['pigs/c.png', 'cows/ünï cöde/b #1 + 50%.jpg']);
    expect((await api('/api/datasets/local/samples?cursor=garbage')).status).toBe(400);
  });

  it('answers a repeated page request with the same bytes, and a sync that changes the folder with fresh ones', async () => {
    const page = async () => (await api('/api/datasets/local/samples?folder=pigs')).text();
    const first = await page();
    expect(await page()).toBe(first);
    cpSync(join(FIXTURES, 'cat.jpg'), join(folder, 'pigs/e.jpg'));
    rmSync(join(folder, 'pigs/d.webp'));
    await api('/api/datasets/local/sync', { method: 'POST' });
    await jobs.settled('local');
    const keys = (JSON.parse(await page()) as { samples: Array<{ key: string }> }).samples.map((sample) => sample.key);
    expect(keys).toEqual(['pigs/c.png', 'pigs/e.jpg']);
    // The list's count is kept by the sync's writes; it must match a real count after adds, removals and revivals.
    const listedCount = async () =>
      ((await (await api('/api/datasets')).json()) as { datasets: Array<{ name: string; samples: number }> }).datasets.find((row) => row.name === 'local')
        ?.samples;
    const countedLive = async () => ((await (await api('/api/datasets/local')).json()) as { samples: { total: number } }).samples.total;
    expect(await listedCount()).toBe(5);
    expect(await countedLive()).toBe(5);
    rmSync(join(folder, 'pigs/e.jpg'));
    cpSync(join(FIXTURES, 'cat.webp'), join(folder, 'pigs/d.webp'));
    utimesSync(join(folder, 'pigs/d.webp'), new Date('2024-04-01'), new Date('2024-04-01'));
    await api('/api/datasets/local/sync', { method: 'POST' });
    await jobs.settled('local');
    expect((JSON.parse(await page()) as { samples: Array<{ key: string }> }).samples.map((sample) => sample.key)).toEqual(['pigs/c.png', 'pigs/d.webp']);
    expect(await listedCount()).toBe(await countedLive());
    expect(await countedLive()).toBe(5);
  });

  it('serves local files with Range support and strict containment', async () => {
    const sample = (await (await api(`/api/datasets/local/sample?key=${encodeURIComponent('cows/ünï cöde/b #1 + 50%.jpg')}`)).json()) as {
      url: string;
      width: number;
    };
    expect(sample.url).toBe('/api/datasets/local/files/cows/%C3%BCn%C3%AF%20c%C3%B6de/b%20%231%20%2B%2050%25.jpg');
    const whole = await api(sample.url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await whole.arrayBuffer());
    const partial = await api(sample.url, { headers: { range: 'bytes=2-9' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes 2-9/${bytes.length}`);
    expect(Buffer.from(await partial.arrayBuffer()).equals(bytes.subarray(2, 10))).toBe(true);
    expect((await api(sample.url, { headers: { range: `bytes=${bytes.length + 5}-` } })).status).toBe(416);
    for (const escape of ['/api/datasets/local/files/..%2F..%2Fetc%2Fpasswd', '/api/datasets/local/files/cows/..%2F..%2F..%2Fetc%2Fhostname']) {
      expect([400, 404]).toContain((await api(escape)).status);
    }
  });

  it('gives the grid a thumbnail URL once thumbnails exist, and serves it', async () => {
    const before = (await (await api('/api/datasets/local/samples?limit=1&folder=cows')).json()) as { samples: Array<{ thumbnailUrl: string | null }> };
    expect(before.samples[0]!.thumbnailUrl).toBeNull();
    await generateThumbnails(context, 'local', { size: 64 });
    const after = (await (await api('/api/datasets/local/samples?limit=1&folder=cows')).json()) as {
      samples: Array<{ thumbnailUrl: string; thumbnail: { width: number } }>;
    };
    expect(after.samples[0]!.thumbnailUrl).toBe('/api/datasets/local/thumbnails/cows/a.jpg');
    expect(after.samples[0]!.thumbnail.width).toBe(64);
    const thumbnail = await api(after.samples[0]!.thumbnailUrl);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/jpeg');
    expect((await api('/api/datasets/local/samples?status=error')).status).toBe(200);
  });

  it('signs a browser in with a token or the serve link into an httpOnly cookie', async () => {
    const signIn = await app.request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/winnow_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict/);
    const session = cookie.split(';')[0]!;
    expect((await app.request('/api/datasets', { headers: { cookie: session } })).status).toBe(200);
    expect(
      (await app.request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'wnw_wrong' }) }))
        .status,
    ).toBe(401);

    const link = await app.request('/login?token=the-sign-in-secret');
    expect(link.status).toBe(302);
    expect(link.headers.get('set-cookie')).toContain('HttpOnly');
    expect((await app.request('/login?token=guess')).headers.get('location')).toBe('/?signin=expired');
    await app.request('/api/session', { method: 'DELETE', headers: { cookie: session } });
    expect((await app.request('/api/datasets', { headers: { cookie: session } })).status).toBe(401);
  });

  it('tells a browser whether it is signed in without answering 401', async () => {
    expect(await (await app.request('/api/session')).json()).toEqual({ signedIn: false });
    const signIn = await app.request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    const session = signIn.headers.get('set-cookie')!.split(';')[0]!;
    expect(await (await app.request('/api/session', { headers: { cookie: session } })).json()).toEqual({ signedIn: true });
    expect(await (await app.request('/api/session', { headers: { cookie: 'winnow_session=forged' } })).json()).toEqual({ signedIn: false });
  });

  it('gives the least-privilege policy of an S3 dataset and refuses one for a local folder', async () => {
    const body = { name: 'policy-s3', input: { uri: 's3://datalake/projects/farm-animals/', accessKeyId: 'AKIAAPITEST000000002', secretAccessKey: 'x' } };
    expect((await api('/api/datasets', { method: 'POST', body: JSON.stringify(body) })).status).toBe(201);
    const response = await api('/api/datasets/policy-s3/policy');
    expect(response.status).toBe(200);
    const { policy, lights } = (await response.json()) as {
      policy: { Statement: Array<{ Action: string; Resource: string; Condition?: unknown }> };
      lights: Record<string, boolean>;
    };
    expect(lights).toEqual({ list: true, read: true, write: true, overwrite: true, delete: true });
    expect(policy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::datalake',
          Condition: { StringLike: { 's3:prefix': ['projects/farm-animals/', 'projects/farm-animals/*'] } },
        }),
        expect.objectContaining({ Action: 's3:PutObject', Resource: 'arn:aws:s3:::datalake/projects/farm-animals/.winnow/*' }),
      ]),
    );
    expect(await (await api('/api/datasets/local/policy')).json()).toMatchObject({ error: { code: 'LocationInvalid' } });
    expect((await api('/api/datasets/nope/policy')).status).toBe(404);
    expect((await api('/api/datasets/policy-s3', { method: 'DELETE' })).status).toBe(204);
  });

  it('maps missing things to 404 with the error shape', async () => {
    expect(await (await api('/api/datasets/nope')).json()).toMatchObject({ error: { code: 'DatasetNotFound' } });
    expect((await api('/api/datasets/local/sample?key=missing.jpg')).status).toBe(404);
    expect((await api('/api/nothing-here')).status).toBe(404);
  });

  it('answers in exactly the shapes its contract declares (strict: no undeclared field)', async () => {
    const parsed = async (path: string, schema: { parse(value: unknown): unknown }, init?: RequestInit) => {
      const response = await api(path, init);
      expect(response.status, path).toBeLessThan(300);
      return schema.parse(await response.json());
    };
    await parsed('/api/datasets', z.strictObject({ datasets: z.array(DatasetSummarySchema) }));
    await parsed('/api/datasets/local', DatasetDetailsSchema);
    await parsed('/api/datasets/local/samples?limit=3', SamplePageSchema);
    await parsed('/api/datasets/local/samples?limit=3&urls=false&sort=date&order=desc', SamplePageSchema);
    await parsed(`/api/datasets/local/sample?key=${encodeURIComponent('pigs/c.png')}`, SampleSchema);
    await parsed('/api/datasets/local/sync', SyncJobResponseSchema);
    await parsed('/api/datasets/local/verify', VerifyReportSchema, { method: 'POST' });
    const created = await parsed('/api/datasets', DatasetSchema, {
      method: 'POST',
      body: JSON.stringify({ name: 'contract', input: { uri: folder }, thumbnails: { size: 128 } }),
    });
    expect(created).toMatchObject({ name: 'contract', thumbnailSize: 128 });
    ErrorSchema.parse(await (await api('/api/datasets/nope')).json());
    expect((await api('/api/datasets/contract', { method: 'DELETE' })).status).toBe(204);
  });
});
