import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { paths } from './generated/winnow-api.js';
import { freshHome, runCli } from './support/cli.js';
import { CLIENT_TYPES_FILE, generateClientTypes, lintOpenApi, servedOpenApiDocument } from './support/openapi.js';
import { createS3rverClient, putObjects, startS3Server, type S3Server } from './support/s3-server.js';
import { startServe, type ServeProcess } from './support/serve.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures/images');
const OPERATIONS = [
  'getHealth',
  'getSession',
  'signIn',
  'signOut',
  'listDatasets',
  'createDataset',
  'getDataset',
  'deleteDataset',
  'updateDataset',
  'cleanDatasetOutputs',
  'verifyDataset',
  'getDatasetPolicy',
  'startSync',
  'getSync',
  'cancelSync',
  'listSamples',
  'getSample',
  'startEmbedding',
  'getEmbeddingStatus',
  'cancelEmbedding',
  'getEmbeddingMap',
  'getNeighbours',
  'listModels',
  'selectSamples',
  'findDuplicates',
  'listTags',
  'createTag',
  'getTag',
  'updateTag',
  'deleteTag',
  'exportTag',
  'exportTagToOutput',
  'listMetadataFields',
  'getFieldValues',
  'importMetadata',
  'importLightlyMetadata',
  'findSimilarToImage',
  'listJobs',
  'getJob',
  'cancelJob',
  'retryJob',
];
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type Operation = { operationId?: string; security?: unknown[]; responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> };

describe('the OpenAPI document', () => {
  let document: Record<string, unknown>;
  beforeAll(async () => {
    document = await servedOpenApiDocument();
  });
  const operations = () =>
    Object.values(document.paths as Record<string, Record<string, Operation>>).flatMap((path) =>
      METHODS.flatMap((method) => (path[method] ? [path[method]] : [])),
    );

  it("passes Redocly's recommended rules with no error and no warning", () => {
    const result = lintOpenApi(document);
    expect(result.problems.map((problem) => `${problem.severity} ${problem.ruleId}: ${problem.message} ${problem.location?.[0]?.pointer ?? ''}`)).toEqual([]);
    expect(result.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('names every operation readably, and states its security and every error it returns with the shared schema', () => {
    expect(
      operations()
        .map((operation) => operation.operationId)
        .sort(),
    ).toEqual([...OPERATIONS].sort());
    for (const operation of operations()) {
      expect(operation.security, operation.operationId).toBeInstanceOf(Array);
      const failures = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
      expect(failures.length, operation.operationId).toBeGreaterThan(0);
      for (const [status, response] of failures)
        expect(response.content?.['application/json']?.schema?.$ref, `${operation.operationId} ${status}`).toBe('#/components/schemas/Error');
    }
    expect(document).toMatchObject({
      info: { license: { identifier: 'AGPL-3.0-or-later' } },
      servers: [{ url: 'http://127.0.0.1:8080' }],
      security: [{ bearer: [] }],
    });
  });

  it('is what the committed client types were generated from (run `npm run openapi:types` after changing the API)', async () => {
    expect(await generateClientTypes(document)).toBe(readFileSync(CLIENT_TYPES_FILE, 'utf8'));
  });
});

describe('a client generated from the document (openapi-typescript + openapi-fetch) against winnow serve', () => {
  let serve: ServeProcess;
  let s3: S3Server;
  let folder: string;
  let client: ReturnType<typeof createClient<paths>>;
  let token: string;
  const home = freshHome();

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'winnow-client-'));
    mkdirSync(join(folder, 'cows'));
    for (const [fixture, key] of [
      ['cat.jpg', 'cows/a.jpg'],
      ['cat.webp', 'cows/b.webp'],
      ['coffee.png', 'c.png'],
    ] as const)
      cpSync(join(FIXTURES, fixture), join(folder, key));
    s3 = await startS3Server({ buckets: ['photos'] });
    const seed = createS3rverClient(s3.endpoint);
    await putObjects(seed, 'photos', [{ key: 'farm/cat.jpg', body: readFileSync(join(FIXTURES, 'cat.jpg')) }]);
    seed.destroy();
    const created = await runCli(['token', 'create', 'pipeline', '--json'], { env: { WINNOW_HOME: home } });
    token = created.json<{ token: string }>().token;
    serve = await startServe({ WINNOW_HOME: home, WINNOW_LOCAL_ROOTS: folder, WINNOW_API_ALLOW_PRIVATE_ENDPOINTS: 'true' });
    client = createClient<paths>({ baseUrl: serve.url, headers: { authorization: `Bearer ${token}` } });
  });
  afterAll(async () => {
    await serve?.stop();
    await s3?.stop();
    rmSync(folder, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  const syncToTheEnd = async (name: string) => {
    const started = await client.POST('/api/datasets/{name}/sync', { params: { path: { name }, query: { skipVerify: 'false' } } });
    expect(started.response.status).toBe(202);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { data } = await client.GET('/api/datasets/{name}/sync', { params: { path: { name } } });
      if (data?.job?.status !== 'running') return data?.job;
      if (Date.now() > deadline) throw new Error(`the sync of ${name} did not finish within 30 s`);
      await new Promise((wait) => setTimeout(wait, 100));
    }
  };

  it('signs in with the token', async () => {
    const { data, response } = await client.POST('/api/session', { body: { token } });
    expect(data).toEqual({ signedIn: true });
    expect(response.headers.get('set-cookie')).toContain('winnow_session=');
  });

  it('creates and syncs a local dataset, pages through its samples, and reads one', async () => {
    const created = await client.POST('/api/datasets', { body: { name: 'local', input: { uri: folder } } });
    expect(created.data?.input.kind).toBe('local');
    expect(await syncToTheEnd('local')).toMatchObject({ status: 'completed', report: { added: 3, total: 3 } });
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const { data } = await client.GET('/api/datasets/{name}/samples', {
        params: { path: { name: 'local' }, query: { limit: 2, cursor, sort: 'key', order: 'asc', urls: 'true' } },
      });
      keys.push(...(data?.samples ?? []).map((sample) => sample.key));
      cursor = data?.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(keys).toEqual(['c.png', 'cows/a.jpg', 'cows/b.webp']);
    const { data: sample } = await client.GET('/api/datasets/{name}/sample', { params: { path: { name: 'local' }, query: { key: 'cows/a.jpg' } } });
    const image = await fetch(new URL(sample!.url!, serve.url), { headers: { authorization: `Bearer ${token}` } });
    expect(Buffer.from(await image.arrayBuffer()).equals(readFileSync(join(FIXTURES, 'cat.jpg')))).toBe(true);
  });

  it('reads an S3 sample through the presigned URL the API gives', async () => {
    const created = await client.POST('/api/datasets', {
      body: { name: 'bucket', input: { uri: 's3://photos/farm/', endpoint: s3.endpoint, pathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } },
    });
    expect(created.response.status).toBe(201);
    expect(await syncToTheEnd('bucket')).toMatchObject({ status: 'completed', report: { total: 1 } });
    const { data } = await client.GET('/api/datasets/{name}/samples', {
      params: { path: { name: 'bucket' }, query: { limit: 10, sort: 'key', order: 'asc', urls: 'true' } },
    });
    const url = data!.samples[0]!.url!;
    expect(new URL(url).searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    const image = await fetch(url);
    expect(image.status).toBe(200);
    expect(Buffer.from(await image.arrayBuffer()).equals(readFileSync(join(FIXTURES, 'cat.jpg')))).toBe(true);
  });

  it('gets errors in the shared shape, typed', async () => {
    const { error, response } = await client.GET('/api/datasets/{name}', { params: { path: { name: 'nope' } } });
    expect(response.status).toBe(404);
    expect(error?.error.code).toBe('DatasetNotFound');
  });
});
