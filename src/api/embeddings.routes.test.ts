import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../test/support/api.js';
import { createDataset } from '../workflows/create-dataset.js';
import { syncDataset } from '../workflows/sync-dataset.js';

const PHOTOS = resolve(import.meta.dirname, '../../test/fixtures/photos');
const photos = readdirSync(PHOTOS).filter((name) => name.endsWith('.jpg'));

interface Status {
  job: { status: string; progress: { done: number; toEmbed: number } | null; report: { embedded: number; total: number } | null } | null;
  samples: number;
  models: Array<{ name: string; embedded: number }>;
}

/** Polls the status route until `done` says so, with a deadline (no sleeps on a fixed guess). */
async function waitForStatus(api: TestApi['request'], done: (status: Status) => boolean, timeoutMs = 60_000): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await (await api('/api/datasets/photos/embeddings')).json()) as Status;
    if (done(status)) return status;
    if (Date.now() > deadline) throw new Error(`status did not settle: ${JSON.stringify(status)}`);
    await new Promise((resolveTick) => setImmediate(resolveTick));
  }
}

describe('embeddings API', () => {
  let test: TestApi;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'winnow-api-embed-'));
    for (const name of photos) cpSync(join(PHOTOS, name), join(folder, name));
    test = await createTestApi({ WINNOW_LOCAL_ROOTS: folder, WINNOW_EMBED_THREADS: '1' });
    await createDataset(test.context, { name: 'photos', input: { uri: folder } });
    await syncDataset(test.context, 'photos');
  });
  afterAll(async () => {
    await test?.context.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('starts embedding in the background and reports its progress and the stored vectors', async () => {
    const before = (await (await test.request('/api/datasets/photos/embeddings')).json()) as Status;
    expect(before).toMatchObject({ job: null, samples: photos.length, models: [{ name: 'default', embedded: 0 }] });
    const started = await test.request('/api/datasets/photos/embeddings', { method: 'POST' });
    expect(started.status).toBe(202);
    expect(((await started.json()) as Status).job).toMatchObject({ status: 'running' });
    const done = await waitForStatus(test.request, (status) => status.job?.status !== 'running');
    expect(done.job).toMatchObject({
      status: 'completed',
      report: { embedded: photos.length, total: photos.length },
      progress: { done: photos.length, toEmbed: photos.length },
    });
    expect(done.models).toEqual([expect.objectContaining({ name: 'default', embedded: photos.length })]);
  });

  it('returns the map as packed arrays: keys and base64 float32 x,y pairs', async () => {
    const response = await test.request('/api/datasets/photos/embeddings/default/map?method=pca');
    expect(response.status).toBe(200);
    const map = (await response.json()) as { points: number; keys: string[]; coordinates: string; method: string };
    expect(map).toMatchObject({ points: photos.length, method: 'pca' });
    expect([...map.keys].sort()).toEqual([...photos].sort());
    const coordinates = new Float32Array(Uint8Array.from(Buffer.from(map.coordinates, 'base64')).buffer);
    expect(coordinates).toHaveLength(photos.length * 2);
    expect(coordinates.every((value) => Number.isFinite(value))).toBe(true);
    expect(new Set(coordinates).size).toBeGreaterThan(photos.length);
  });

  it('answers neighbours, and 404 with the error schema for an unknown model or dataset', async () => {
    const neighbours = (await (await test.request('/api/datasets/photos/embeddings/default/neighbours?key=chelsea.jpg&k=3')).json()) as {
      neighbours: Array<{ key: string }>;
    };
    expect(neighbours.neighbours).toHaveLength(3);
    expect(neighbours.neighbours.map((entry) => entry.key)).not.toContain('chelsea.jpg');
    const unknownModel = await test.request('/api/datasets/photos/embeddings/clip/map');
    expect(unknownModel.status).toBe(404);
    expect(await unknownModel.json()).toMatchObject({ error: { code: 'ModelNotFound' } });
    expect((await test.request('/api/datasets/nope/embeddings', { method: 'POST' })).status).toBe(404);
  });

  it('documents every embedding operation with an operationId, bearer security and the error schema', async () => {
    const document = (await (await test.request('/api/openapi.json')).json()) as {
      paths: Record<
        string,
        Record<string, { operationId?: string; security?: unknown; responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>
      >;
    };
    const operations = Object.entries(document.paths)
      .filter(([path]) => path.includes('/embeddings') || path === '/api/models')
      .flatMap(([, methods]) => Object.values(methods));
    expect(operations.length).toBe(6);
    for (const operation of operations) {
      expect(operation.operationId).toBeTruthy();
      expect(operation.security).toEqual([{ bearer: [] }]);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400) expect(response.content?.['application/json']?.schema.$ref).toBe('#/components/schemas/Error');
      }
    }
  });
});
