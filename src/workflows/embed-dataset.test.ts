import { copyFileSync, cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/context.js';
import { DIALECTS } from '../../test/support/databases.js';
import { requireDatasetRow } from '../catalog/dataset.service.js';
import { acquireDatasetLease } from '../catalog/dataset-lease.js';
import { listEmbeddingErrors, listVectorsAfter } from '../catalog/embedding.repository.js';
import type { Context } from '../context.js';
import { isAppError } from '../errors.js';
import { createDataset } from './create-dataset.js';
import { embedDataset, type EmbedProgress } from './embed-dataset.js';
import { generateThumbnails } from './make-thumbnails.js';
import { findRegisteredModel, modelVersion } from './embedding-models.js';
import { syncDataset } from './sync-dataset.js';

const PHOTOS = resolve(import.meta.dirname, '../../test/fixtures/photos');
const IMAGES = resolve(import.meta.dirname, '../../test/fixtures/images');
const photos = readdirSync(PHOTOS).filter((name) => name.endsWith('.jpg'));

function makeFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'winnow-embed-'));
  for (const name of photos) cpSync(join(PHOTOS, name), join(root, name));
  cpSync(join(IMAGES, 'truncated.jpg'), join(root, 'broken/truncated.jpg'));
  cpSync(join(IMAGES, 'corrupt.jpg'), join(root, 'broken/corrupt.jpg'));
  writeFileSync(join(root, 'broken/empty.jpg'), '');
  return root;
}

describe.each(DIALECTS)('embed workflow on a local folder of real photos (%s catalog)', (dialect) => {
  let context: Context & { drop(): Promise<void> };
  let folder: string;
  const vectors = async () => {
    const dataset = await requireDatasetRow(context, 'photos');
    const model = await findRegisteredModel(context, undefined);
    return listVectorsAfter(context.database.db, dataset.id, modelVersion(model), 0, 1000);
  };

  beforeAll(async () => {
    context = await createTestContext(dialect, { WINNOW_EMBED_BATCH_SIZE: '4', WINNOW_EMBED_THREADS: '1' });
    folder = makeFolder();
    await createDataset(context, { name: 'photos', input: { uri: folder } });
    await syncDataset(context, 'photos');
  });
  afterAll(async () => {
    await context?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('embeds every good photo as a unit vector and records why the broken ones have none', async () => {
    const updates: EmbedProgress[] = [];
    const report = await embedDataset(context, 'photos', { onProgress: (progress) => updates.push({ ...progress }) });
    const total = photos.length + 3;
    expect(report).toMatchObject({
      dataset: 'photos',
      model: 'default',
      dimensions: 1792,
      embedded: photos.length,
      skipped: 0,
      failed: 3,
      retryable: 0,
      removed: 0,
      total,
    });
    expect(report.imagesPerSecond).toBeGreaterThan(0);
    expect(updates.at(-1)).toMatchObject({ total, toEmbed: total, done: total, embedded: photos.length, failed: 3 });
    const stored = await vectors();
    expect(stored.map((entry) => entry.key).sort()).toEqual([...photos].sort());
    for (const { vector } of stored) expect(Math.hypot(...vector)).toBeCloseTo(1, 4);
    const dataset = await requireDatasetRow(context, 'photos');
    const errors = await listEmbeddingErrors(context.database.db, dataset.id, modelVersion(await findRegisteredModel(context, undefined)), 10);
    expect(errors.map((entry) => [entry.key, entry.status])).toEqual([
      ['broken/corrupt.jpg', 'rejected'],
      ['broken/empty.jpg', 'rejected'],
      ['broken/truncated.jpg', 'rejected'],
    ]);
    expect(errors[2]!.error).toMatch(/^Corrupt or truncated image/);
  });

  it('embeds nothing again on a second run', async () => {
    const before = await vectors();
    const report = await embedDataset(context, 'photos');
    expect(report).toMatchObject({ embedded: 0, failed: 0, skipped: photos.length + 3 });
    expect(await vectors()).toEqual(before);
  });

  it('embeds a changed photo again and drops the vector of a removed one', async () => {
    writeFileSync(join(folder, 'chelsea.jpg'), await sharp(join(PHOTOS, 'chelsea.jpg')).flop().jpeg().toBuffer());
    rmSync(join(folder, 'rocket.jpg'));
    await syncDataset(context, 'photos');
    const report = await embedDataset(context, 'photos');
    expect(report).toMatchObject({ embedded: 1, removed: 1, total: photos.length + 2, skipped: photos.length + 1 });
    expect((await vectors()).map((entry) => entry.key)).not.toContain('rocket.jpg');
  });

  it('waits for no one: another job holding the dataset makes it refuse with DatasetBusy', async () => {
    const dataset = await requireDatasetRow(context, 'photos');
    const lease = await acquireDatasetLease(context.database.db, dataset.id, 'photos', 'thumbnails', context.clock);
    try {
      const error = await embedDataset(context, 'photos').catch((thrown: unknown) => thrown);
      expect(isAppError(error, 'DatasetBusy')).toBe(true);
      expect((error as Error).message).toContain('A thumbnail job of "photos" is already running');
    } finally {
      await lease.release();
    }
  });

  it('refuses an unknown model and a bad batch size before reading anything', async () => {
    expect(await embedDataset(context, 'photos', { model: 'clip' }).catch((error: unknown) => (error as Error).message)).toBe(
      'No model named "clip"; registered: default.',
    );
    expect(await embedDataset(context, 'photos', { batchSize: 0 }).catch((error: unknown) => (error as Error).message)).toBe(
      '--batch-size must be a whole number from 1 to 1024, got 0.',
    );
  });
});

describe.each(DIALECTS)('embed reads thumbnails when they are big enough for the model (%s catalog)', (dialect) => {
  let context: Context & { drop(): Promise<void> };
  let folder: string;
  const byKey = async () => {
    const dataset = await requireDatasetRow(context, 'photos');
    const model = await findRegisteredModel(context, undefined);
    const rows = await listVectorsAfter(context.database.db, dataset.id, modelVersion(model), 0, 1000);
    return new Map(rows.map((row) => [row.key, row.vector]));
  };
  const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
  const thumbnailFile = async (key: string) => {
    const row = await context.database.db
      .selectFrom('thumbnails as t')
      .innerJoin('samples as s', 's.id', 't.sample_id')
      .select(['t.key', 't.width', 't.height'])
      .where('s.key', '=', key)
      .executeTakeFirstOrThrow();
    return { path: join(folder, row.key!), width: row.width!, height: row.height! };
  };
  const forget = () => context.database.db.deleteFrom('embeddings').execute();

  beforeAll(async () => {
    context = await createTestContext(dialect, { WINNOW_EMBED_BATCH_SIZE: '4', WINNOW_EMBED_THREADS: '1' });
    folder = mkdtempSync(join(tmpdir(), 'winnow-embed-thumbs-'));
    for (const name of ['astronaut.jpg', 'retina.jpg', 'chelsea.jpg']) cpSync(join(PHOTOS, name), join(folder, name));
    await createDataset(context, { name: 'photos', input: { uri: folder } });
    await syncDataset(context, 'photos');
  });
  afterAll(async () => {
    await context?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('reads a thumbnail whose short side is at least 224 px, and the original otherwise, keeping vectors under the original', async () => {
    const originals = await byKey().then(async (before) => (before.size > 0 ? before : (await embedDataset(context, 'photos'), byKey())));
    // 300 px box: the square photos get 300 x 300 thumbnails (used); chelsea (384 x 255) gets 300 x 199 (too small for 224).
    await generateThumbnails(context, 'photos', { size: 300 });
    const astronaut = await thumbnailFile('astronaut.jpg');
    const retina = await thumbnailFile('retina.jpg');
    const chelsea = await thumbnailFile('chelsea.jpg');
    expect([astronaut.width, astronaut.height, chelsea.width, chelsea.height]).toEqual([300, 300, 300, 199]);
    // A swapped thumbnail shows which file was read: astronaut's now holds retina's picture, and so does chelsea's.
    copyFileSync(retina.path, astronaut.path);
    copyFileSync(retina.path, chelsea.path);
    await forget();

    const report = await embedDataset(context, 'photos');
    expect(report).toMatchObject({ embedded: 3, fromThumbnails: 2, failed: 0 });
    const vectors = await byKey();
    expect(cosine(vectors.get('astronaut.jpg')!, vectors.get('retina.jpg')!)).toBeGreaterThan(0.9999);
    expect(cosine(vectors.get('astronaut.jpg')!, originals.get('astronaut.jpg')!)).toBeLessThan(0.9);
    // Chelsea's thumbnail is too small: its vector comes from the original, exactly as before.
    expect([...vectors.get('chelsea.jpg')!]).toEqual([...originals.get('chelsea.jpg')!]);
    // An honest thumbnail gives nearly the original's vector.
    expect(cosine(vectors.get('retina.jpg')!, originals.get('retina.jpg')!)).toBeGreaterThan(0.95);
  });

  it('reads the original again once it changed since its thumbnail was made', async () => {
    writeFileSync(join(folder, 'astronaut.jpg'), await sharp(join(PHOTOS, 'astronaut.jpg')).flop().jpeg().toBuffer());
    await syncDataset(context, 'photos');
    const report = await embedDataset(context, 'photos');
    expect(report).toMatchObject({ embedded: 1, fromThumbnails: 0, skipped: 2 });
    const vectors = await byKey();
    expect(cosine(vectors.get('astronaut.jpg')!, vectors.get('retina.jpg')!)).toBeLessThan(0.9);
  });

  it('falls back to the original when the thumbnail is gone', async () => {
    rmSync((await thumbnailFile('retina.jpg')).path);
    await forget();
    const report = await embedDataset(context, 'photos');
    // astronaut's thumbnail is outdated, chelsea's too small, retina's deleted: all three from their originals.
    expect(report).toMatchObject({ embedded: 3, fromThumbnails: 0, failed: 0 });
  });
});
