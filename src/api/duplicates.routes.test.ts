import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../test/support/api.js';
import { createDataset } from '../workflows/create-dataset.js';
import { embedDataset } from '../workflows/embed-dataset.js';
import { syncDataset } from '../workflows/sync-dataset.js';
import type { DuplicatesReport } from '../workflows/find-duplicates.js';

const PHOTOS = resolve(import.meta.dirname, '../../test/fixtures/photos');
const photos = readdirSync(PHOTOS)
  .filter((name) => name.endsWith('.jpg'))
  .sort();

describe('duplicates API', () => {
  let test: TestApi;
  let folder: string;
  let unembedded: string;
  const post = (path: string, body: unknown) =>
    test.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'winnow-api-duplicates-'));
    unembedded = mkdtempSync(join(tmpdir(), 'winnow-api-duplicates-bare-'));
    for (const name of photos) cpSync(join(PHOTOS, name), join(folder, name));
    // A near-duplicate (half size, re-encoded) and a byte-identical copy of real photos.
    writeFileSync(join(folder, 'coffee-small.jpg'), await sharp(join(PHOTOS, 'coffee.jpg')).resize(192).jpeg({ quality: 85 }).toBuffer());
    cpSync(join(PHOTOS, 'brick.jpg'), join(folder, 'brick-copy.jpg'));
    cpSync(join(PHOTOS, 'grass.jpg'), join(unembedded, 'grass.jpg'));
    test = await createTestApi({ WINNOW_LOCAL_ROOTS: [folder, unembedded].join(delimiter), WINNOW_EMBED_THREADS: '1' });
    await createDataset(test.context, { name: 'photos', input: { uri: folder } });
    await syncDataset(test.context, 'photos');
    await embedDataset(test.context, 'photos');
    await createDataset(test.context, { name: 'bare', input: { uri: unembedded } });
    await syncDataset(test.context, 'bare');
  });
  afterAll(async () => {
    await test?.context.drop();
    rmSync(folder, { recursive: true, force: true });
    rmSync(unembedded, { recursive: true, force: true });
  });

  it('groups the copy and the near-duplicate with the kept key first, and tags the rest', async () => {
    const found = await post('/api/datasets/photos/duplicates', {});
    expect(found.status).toBe(200);
    const report = (await found.json()) as DuplicatesReport;
    expect(report).toMatchObject({ dataset: 'photos', model: 'default', threshold: 0.2, samples: photos.length + 2, embedded: photos.length + 2, tag: null });
    expect(report.groups).toEqual([
      { keys: ['brick-copy.jpg', 'brick.jpg'], keep: 'brick-copy.jpg', maxDistance: 0 },
      { keys: ['coffee.jpg', 'coffee-small.jpg'], keep: 'coffee.jpg', maxDistance: expect.any(Number) as number },
    ]);

    const tagged = await post('/api/datasets/photos/duplicates', { tag: 'copies' });
    expect(((await tagged.json()) as DuplicatesReport).tagSize).toBe(2);
    const tag = (await (await test.request('/api/datasets/photos/tags/copies')).json()) as { keys: string[] };
    expect([...tag.keys].sort()).toEqual(['brick.jpg', 'coffee-small.jpg']);
    const again = await post('/api/datasets/photos/duplicates', { tag: 'copies' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('TagExists');
    expect((await post('/api/datasets/photos/duplicates', { tag: 'copies', tagMode: 'replace' })).status).toBe(200);
  });

  it('answers 400 for a bad threshold, and 404 for an unknown dataset or one without vectors, naming winnow embed', async () => {
    const bad = await post('/api/datasets/photos/duplicates', { threshold: 3 });
    expect(bad.status).toBe(400);
    expect((await post('/api/datasets/nowhere/duplicates', {})).status).toBe(404);
    const bare = await post('/api/datasets/bare/duplicates', {});
    expect(bare.status).toBe(404);
    const body = (await bare.json()) as { error: { code: string; message: string; hint?: string } };
    expect(body.error.code).toBe('EmbeddingsNotFound');
    expect(JSON.stringify(body.error)).toMatch(/embed/i);
  });
});
