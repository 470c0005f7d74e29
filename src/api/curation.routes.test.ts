import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../test/support/api.js';
import { createDataset } from '../workflows/create-dataset.js';
import { embedDataset } from '../workflows/embed-dataset.js';
import { syncDataset } from '../workflows/sync-dataset.js';
import type { SelectionReport, TagDetails } from './schemas.js';

const PHOTOS = resolve(import.meta.dirname, '../../test/fixtures/photos');
const photos = readdirSync(PHOTOS)
  .filter((name) => name.endsWith('.jpg'))
  .sort();

describe('curation API', () => {
  let test: TestApi;
  let folder: string;
  const post = (path: string, body: unknown) =>
    test.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'winnow-api-curation-'));
    for (const name of photos) cpSync(join(PHOTOS, name), join(folder, name));
    test = await createTestApi({ WINNOW_LOCAL_ROOTS: folder, WINNOW_EMBED_THREADS: '1' });
    await createDataset(test.context, { name: 'photos', input: { uri: folder } });
    await syncDataset(test.context, 'photos');
    await embedDataset(test.context, 'photos');
  });
  afterAll(async () => {
    await test?.context.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('previews a diverse selection without storing it, then stores the same picks in a tag', async () => {
    const request = { strategies: [{ name: 'diversity' }], count: 4, seed: 7, tag: 'diverse' };
    const preview = await post('/api/datasets/photos/selections', { ...request, dryRun: true });
    expect(preview.status).toBe(200);
    const previewed = (await preview.json()) as SelectionReport;
    expect(previewed).toMatchObject({ tag: 'diverse', pool: photos.length, vectors: 'full', model: 'default', stoppedBecause: 'count', tagSize: null });
    expect(new Set(previewed.keys).size).toBe(4);
    expect((await test.request('/api/datasets/photos/tags/diverse')).status).toBe(404);

    const stored = (await (await post('/api/datasets/photos/selections', request)).json()) as SelectionReport;
    expect(stored.keys).toEqual(previewed.keys);
    expect(stored.tagSize).toBe(4);
    const tag = (await (await test.request('/api/datasets/photos/tags/diverse')).json()) as TagDetails;
    expect(tag.keys).toEqual(previewed.keys);

    const more = (await (await post('/api/datasets/photos/selections', { ...request, count: 3 })).json()) as SelectionReport;
    expect(more.preselected).toBe(4);
    expect(more.keys.filter((key) => previewed.keys.includes(key))).toEqual([]);
    expect(more.tagSize).toBe(7);
  });

  it('creates, combines, renames, exports and deletes tags', async () => {
    expect((await post('/api/datasets/photos/tags', { name: 'cats', keys: ['chelsea.jpg'] })).status).toBe(201);
    expect((await post('/api/datasets/photos/tags', { name: 'space', keys: ['astronaut.jpg', 'hubble-deep-field.jpg', 'rocket.jpg'] })).status).toBe(201);
    const unknown = await post('/api/datasets/photos/tags', { name: 'ghosts', keys: ['ghost.jpg'] });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain('ghost.jpg');
    expect((await post('/api/datasets/photos/tags', { name: 'cats', keys: ['coffee.jpg'] })).status).toBe(409);

    expect((await post('/api/datasets/photos/tags', { name: 'both', combine: { operation: 'union', of: ['cats', 'space'] } })).status).toBe(201);
    const listed = (await (await test.request('/api/datasets/photos/tags')).json()) as { tags: Array<{ name: string; size: number }> };
    expect(listed.tags.find((tag) => tag.name === 'both')?.size).toBe(4);

    const renamed = await test.request('/api/datasets/photos/tags/both', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cats-and-space', description: 'for labelling' }),
    });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ name: 'cats-and-space', description: 'for labelling', size: 4 });

    const txt = await test.request('/api/datasets/photos/tags/space/export?format=txt');
    expect(txt.headers.get('content-type')).toContain('text/plain');
    expect(await txt.text()).toBe('astronaut.jpg\nhubble-deep-field.jpg\nrocket.jpg\n');
    const csv = await (await test.request('/api/datasets/photos/tags/space/export?format=csv&urls=true')).text();
    const [header, firstRow] = csv.trim().split('\n');
    expect(header).toContain('url');
    expect(firstRow).toContain('/api/datasets/photos/files/astronaut.jpg');

    const written = await test.request('/api/datasets/photos/tags/space/export?format=json', { method: 'POST' });
    expect(written.status).toBe(201);
    const { location, count } = (await written.json()) as { location: string; count: number };
    expect(count).toBe(3);
    expect(location).toContain('.winnow/exports/');
    const path = location.replace(/^file:\/\//, '');
    expect(existsSync(path)).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ tag: 'space', count: 3 });

    expect((await test.request('/api/datasets/photos/tags/cats-and-space', { method: 'DELETE' })).status).toBe(204);
    expect((await test.request('/api/datasets/photos/tags/cats-and-space')).status).toBe(404);
    expect(
      readdirSync(folder)
        .filter((name) => name.endsWith('.jpg'))
        .sort(),
    ).toEqual(photos);
  });

  it('imports metadata and balances a selection on it; a bad line is named and nothing is stored', async () => {
    const rows = photos.map((name, i) => `${name},${i % 3 === 0 ? 'indoor' : 'outdoor'},${i}`);
    const bad = await post('/api/datasets/photos/metadata', { format: 'csv', text: ['filename,scene,order', ...rows, 'nope.jpg,indoor,1'].join('\n') });
    expect(bad.status).toBe(400);
    expect(await bad.clone().json()).toMatchObject({ error: { code: 'MetadataInvalid' } });
    expect(JSON.stringify(await bad.json())).toContain(`line ${photos.length + 2}`);
    expect(((await (await test.request('/api/datasets/photos/metadata')).json()) as { fields: unknown[] }).fields).toEqual([]);

    const imported = await post('/api/datasets/photos/metadata', { format: 'csv', text: ['filename,scene,order', ...rows].join('\n') });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({
      samples: photos.length,
      fields: expect.arrayContaining([{ field: 'scene', numbers: 0, texts: photos.length }]),
    });

    const scene = (await (await test.request('/api/datasets/photos/metadata/scene')).json()) as { keys: string[]; values: string[] };
    expect(scene.keys).toEqual([...photos].sort());
    expect(scene.values).toEqual(scene.keys.map((key) => (photos.indexOf(key) % 3 === 0 ? 'indoor' : 'outdoor')));
    const order = (await (await test.request('/api/datasets/photos/metadata/order')).json()) as { values: number[] };
    expect(order.values.every((value) => typeof value === 'number')).toBe(true);
    expect(((await (await test.request('/api/datasets/photos/metadata/no-such-field')).json()) as { keys: string[] }).keys).toEqual([]);

    const balanced = (await (
      await post('/api/datasets/photos/selections', { strategies: [{ name: 'balance', field: 'scene' }], count: 4, seed: 1, dryRun: true })
    ).json()) as SelectionReport;
    const indoor = new Set(photos.filter((_, i) => i % 3 === 0));
    expect(balanced.keys.filter((key) => indoor.has(key))).toHaveLength(2);

    const late = (await (
      await post('/api/datasets/photos/selections', {
        strategies: [{ name: 'random' }],
        thresholds: [{ field: 'order', operator: '>=', value: 8 }],
        count: 10,
        dryRun: true,
      })
    ).json()) as SelectionReport;
    expect([...late.keys].sort()).toEqual(photos.slice(8));
  });

  it('finds a photo from an uploaded crop of it, and refuses what is not an image', async () => {
    const crop = await sharp(join(PHOTOS, 'chelsea.jpg')).extract({ left: 40, top: 20, width: 300, height: 210 }).jpeg({ quality: 70 }).toBuffer();
    const found = await test.request('/api/datasets/photos/similar?k=3', { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: crop });
    expect(found.status).toBe(200);
    const { neighbours } = (await found.json()) as { neighbours: Array<{ key: string; distance: number }> };
    expect(neighbours).toHaveLength(3);
    expect(neighbours[0]!.key).toBe('chelsea.jpg');
    expect(neighbours[0]!.distance).toBeLessThan(neighbours[1]!.distance);

    const text = await test.request('/api/datasets/photos/similar', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'not an image' });
    expect(text.status).toBe(415);
    const garbage = await test.request('/api/datasets/photos/similar', {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: Buffer.from('not a png at all'),
    });
    expect(garbage.status).toBe(422);
    expect(await garbage.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('answers 404 with the error schema for an unknown dataset, tag or model', async () => {
    expect(await (await post('/api/datasets/nope/selections', { strategies: [{ name: 'random' }], count: 1 })).json()).toMatchObject({
      error: { code: 'DatasetNotFound' },
    });
    const missingTag = await test.request('/api/datasets/photos/tags/nope/export');
    expect(missingTag.status).toBe(404);
    expect(await missingTag.json()).toMatchObject({ error: { code: 'TagNotFound' } });
    const missingModel = await post('/api/datasets/photos/selections', { strategies: [{ name: 'diversity' }], count: 1, model: 'clip' });
    expect(missingModel.status).toBe(404);
  });
});
