import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/context.js';
import { DIALECTS } from '../../test/support/databases.js';
import { requireDataset, showDataset } from '../catalog/dataset.service.js';
import { createDataset } from './create-dataset.js';
import { browseSamples } from '../catalog/sample-browse.service.js';
import type { SampleView } from '../catalog/sample.service.js';
import type { Context } from '../context.js';
import { syncDataset } from './sync-dataset.js';
import { acquireDatasetLease } from '../catalog/dataset-lease.js';
import { isAppError } from '../errors.js';
import { generateThumbnails, type ThumbnailProgress } from './make-thumbnails.js';
import { cleanDatasetOutputs } from './clean-outputs.js';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/images');
const GOOD = ['cat.jpg', 'cat.webp', 'coffee.png', 'orientation-6.jpg', 'chelsea-exif6.jpg', 'cmyk.jpg', 'rgb16.png', 'animated.gif'];
const BAD = ['truncated.jpg', 'corrupt.jpg', 'bomb-50000x50000.png'];

function makeFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'winnow-thumbs-'));
  mkdirSync(join(root, 'ünï côde'), { recursive: true });
  for (const name of [...GOOD, ...BAD]) cpSync(join(FIXTURES, name), join(root, name));
  cpSync(join(FIXTURES, 'cat.jpg'), join(root, 'ünï côde/#1 + 50% off.jpg'));
  writeFileSync(join(root, 'empty.jpg'), '');
  writeFileSync(join(root, 'text.png'), 'not an image at all');
  // Larger than the 16 MiB buffer the tests allow: refused without being read.
  writeFileSync(join(root, 'huge.jpg'), randomBytes(17 * 1024 * 1024));
  return root;
}

const byKey = (samples: SampleView[]) => new Map(samples.map((sample) => [sample.key, sample]));

describe.each(DIALECTS)('thumbnail service on a local folder (%s catalog)', (dialect) => {
  let context: Context & { drop(): Promise<void> };
  let folder: string;
  const samples = async () =>
    byKey((await browseSamples(context, (await requireDataset(context, 'photos')).dataset, { limit: 1000, sort: 'key', order: 'asc' })).samples);

  beforeAll(async () => {
    context = await createTestContext(dialect, { WINNOW_THUMBNAIL_BUFFER_MB: '16', WINNOW_THUMBNAIL_CONCURRENCY: '3' });
    folder = makeFolder();
    await createDataset(context, { name: 'photos', input: { uri: folder } });
    await syncDataset(context, 'photos');
  });
  afterAll(async () => {
    await context?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('makes a 400 px JPEG thumbnail of every good image under .winnow/thumbnails/ and records why the others have none', async () => {
    const updates: ThumbnailProgress[] = [];
    const report = await generateThumbnails(context, 'photos', { onProgress: (progress) => updates.push({ ...progress }) });
    const total = GOOD.length + BAD.length + 4;
    expect(report).toMatchObject({ dataset: 'photos', size: 400, total, generated: GOOD.length + 1, skipped: 0, failed: BAD.length + 3, retryable: 0 });
    expect(report.location).toBe(join(folder, '.winnow/thumbnails/'));
    expect(updates.at(-1)).toMatchObject({ total, toGenerate: total, done: total });

    const seen = await samples();
    const photo = seen.get('chelsea-exif6.jpg')!;
    expect(photo.thumbnail).toEqual({ key: '.winnow/thumbnails/chelsea-exif6.jpg_thumb.jpg', width: 266, height: 400 });
    expect(await sharp(readFileSync(join(folder, photo.thumbnail!.key))).metadata()).toMatchObject({ format: 'jpeg', width: 266, height: 400 });
    const tricky = seen.get('ünï côde/#1 + 50% off.jpg')!;
    expect(tricky.thumbnail?.key).toBe('.winnow/thumbnails/ünï côde/#1 + 50% off.jpg_thumb.jpg');
    expect(existsSync(join(folder, tricky.thumbnail!.key))).toBe(true);

    expect(seen.get('truncated.jpg')).toMatchObject({ thumbnail: null, thumbnailError: expect.stringMatching(/^Corrupt or truncated image/) });
    expect(seen.get('empty.jpg')).toMatchObject({ thumbnail: null, thumbnailError: 'The file is empty (0 bytes).' });
    expect(seen.get('text.png')).toMatchObject({ thumbnail: null, thumbnailError: 'Not a supported image (unrecognised file signature).' });
    expect(seen.get('bomb-50000x50000.png')?.thumbnailError).toMatch(/declares 50,000 x 50,000 pixels/);
    expect(seen.get('huge.jpg')?.thumbnailError).toMatch(/is 17,825,792 bytes, more than the 16,777,216 bytes/);
    expect(readFileSync(join(folder, '.winnow/thumbnails/README.txt'), 'utf8')).toContain(
      'Each <key>_thumb.jpg is the image at <input>/<key>, fit in 400 x 400 px',
    );
  });

  it('skips everything on a second run', async () => {
    const report = await generateThumbnails(context, 'photos');
    expect(report).toMatchObject({ generated: 0, failed: 0, skipped: report.total });
  });

  it('makes a new thumbnail for an object that changed, after the sync sees it', async () => {
    cpSync(join(FIXTURES, 'coffee.png'), join(folder, 'cat.jpg'));
    utimesSync(join(folder, 'cat.jpg'), new Date('2030-01-01'), new Date('2030-01-01'));
    expect((await samples()).get('cat.jpg')?.thumbnail).toMatchObject({ width: 96, height: 64 });
    await syncDataset(context, 'photos');
    expect((await samples()).get('cat.jpg')?.thumbnail).toBeNull();
    expect(await generateThumbnails(context, 'photos')).toMatchObject({ generated: 1, failed: 0 });
    expect((await samples()).get('cat.jpg')?.thumbnail).toMatchObject({ width: 80, height: 53 });
  });

  it('makes them all again at another size', async () => {
    const report = await generateThumbnails(context, 'photos', { size: 64 });
    expect(report).toMatchObject({ size: 64, generated: GOOD.length + 1, skipped: 0 });
    expect((await samples()).get('chelsea-exif6.jpg')?.thumbnail).toMatchObject({ width: 43, height: 64 });
  });

  it('lets sharp refuse a bomb the catalog knows no dimensions of', async () => {
    const { dataset } = await requireDataset(context, 'photos');
    await context.database.db
      .updateTable('samples')
      .set({ width: null, height: null })
      .where('dataset_id', '=', dataset.id)
      .where('key', '=', 'bomb-50000x50000.png')
      .execute();
    await context.database.db.deleteFrom('thumbnails').where('dataset_id', '=', dataset.id).execute();
    await generateThumbnails(context, 'photos', { size: 64 });
    expect((await samples()).get('bomb-50000x50000.png')?.thumbnailError).toMatch(/^The image declares 50,000 x 50,000 pixels, .* it was not decoded\.$/);
  });

  it('waits for a running sync instead of interleaving with it', async () => {
    const { dataset } = await requireDataset(context, 'photos');
    const lease = await acquireDatasetLease(context.database.db, dataset.id, 'photos', 'sync', context.clock);
    const refused = await generateThumbnails(context, 'photos').catch((error: unknown) => error);
    await lease.release();
    expect(isAppError(refused, 'DatasetBusy')).toBe(true);
    expect((refused as Error).message).toContain('A sync of "photos" is already running');
  });

  it('makes thumbnails during the sync of a dataset created with thumbnails on', async () => {
    await createDataset(context, { name: 'auto', input: { uri: folder }, thumbnails: { size: 128 } });
    const sync = await syncDataset(context, 'auto');
    expect(sync.thumbnails).toMatchObject({ size: 128, generated: GOOD.length + 1, failed: BAD.length + 3 });
    expect(sync.warnings).toEqual([]);
    expect(await showDataset(context, 'auto')).toMatchObject({ thumbnailSize: 128, thumbnails: { ok: GOOD.length + 1, rejected: BAD.length + 3, missing: 0 } });
    const again = await syncDataset(context, 'auto');
    expect(again.thumbnails).toMatchObject({ generated: 0, skipped: GOOD.length + BAD.length + 4 });
  });

  it('refuses a thumbnail size out of range', async () => {
    await expect(generateThumbnails(context, 'photos', { size: 5 })).rejects.toMatchObject({
      code: 'InputInvalid',
      message: expect.stringContaining('from 16 to 4096'),
    });
    await expect(createDataset(context, { name: 'bad', input: { uri: folder }, thumbnails: { size: 1e6 } })).rejects.toMatchObject({ code: 'InputInvalid' });
  });
});

/** The thumbnails folder once the legacy WebP thumbnails are remade: the JPEGs and the user's own file, nothing else. */
const REMADE_AS_JPEG = ['README.txt', 'cows', 'cows/chelsea.jpg.my-copy.webp', 'cows/chelsea.jpg_thumb.jpg', 'cows/coffee.png_thumb.jpg'];

describe.each(DIALECTS)('thumbnails made as 256 px WebP by an earlier version (%s catalog)', (dialect) => {
  let context: Context & { drop(): Promise<void> };
  let folder: string;
  const thumbnailsOf = async (name: string) =>
    byKey((await browseSamples(context, (await requireDataset(context, name)).dataset, { limit: 100, sort: 'key', order: 'asc' })).samples);
  const filesUnder = (dir: string) => readdirSync(join(folder, dir), { recursive: true, encoding: 'utf8' }).sort();

  /** What Winnow wrote before thumbnails became JPEG: `<key>_thumb.webp` fitting 256 px, recorded as such. */
  async function makeLegacyThumbnails(name: string): Promise<void> {
    await generateThumbnails(context, name, { size: 256 });
    const { dataset } = await requireDataset(context, name);
    const rows = await context.database.db.selectFrom('thumbnails').selectAll().where('dataset_id', '=', dataset.id).where('status', '=', 'ok').execute();
    for (const row of rows) {
      const legacyKey = row.key!.replace(/_thumb\.jpg$/, '_thumb.webp');
      writeFileSync(
        join(folder, legacyKey),
        await sharp(readFileSync(join(folder, row.key!)))
          .webp({ quality: 80 })
          .toBuffer(),
      );
      rmSync(join(folder, row.key!));
      await context.database.db.updateTable('thumbnails').set({ key: legacyKey }).where('sample_id', '=', row.sample_id).execute();
    }
  }

  beforeAll(async () => {
    context = await createTestContext(dialect);
    folder = mkdtempSync(join(tmpdir(), 'winnow-thumbs-legacy-'));
    mkdirSync(join(folder, 'cows'));
    cpSync(join(FIXTURES, 'chelsea-exif6.jpg'), join(folder, 'cows/chelsea.jpg'));
    cpSync(join(FIXTURES, 'coffee.png'), join(folder, 'cows/coffee.png'));
    await createDataset(context, { name: 'legacy', input: { uri: folder } });
    await syncDataset(context, 'legacy');
    await makeLegacyThumbnails('legacy');
    // An object of the user's own in the thumbnails folder, named like a thumbnail of no sample.
    writeFileSync(join(folder, '.winnow/thumbnails/cows/chelsea.jpg.my-copy.webp'), 'mine');
  });
  afterAll(async () => {
    await context?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('remakes them as 400 px JPEG on the next run and deletes each WebP it replaces, nothing else', async () => {
    expect(filesUnder('.winnow/thumbnails')).toEqual([
      'README.txt',
      'cows',
      'cows/chelsea.jpg.my-copy.webp',
      'cows/chelsea.jpg_thumb.webp',
      'cows/coffee.png_thumb.webp',
    ]);
    const report = await generateThumbnails(context, 'legacy');
    expect(report).toMatchObject({ size: 400, generated: 2, skipped: 0, failed: 0 });
    expect(filesUnder('.winnow/thumbnails')).toEqual(REMADE_AS_JPEG);
    const seen = await thumbnailsOf('legacy');
    expect(seen.get('cows/chelsea.jpg')?.thumbnail).toEqual({ key: '.winnow/thumbnails/cows/chelsea.jpg_thumb.jpg', width: 266, height: 400 });
    expect(await sharp(readFileSync(join(folder, '.winnow/thumbnails/cows/coffee.png_thumb.jpg'))).metadata()).toMatchObject({
      format: 'jpeg',
      width: 80,
      height: 53,
    });
    expect((await requireDataset(context, 'legacy')).datasources.find((source) => source.purpose === 'output')?.deleteAllowed).toBe(true);
  });

  it('leaves no orphan for clean-outputs, which keeps the current thumbnails and the user’s own file', async () => {
    expect((await showDataset(context, 'legacy')).orphanedOutputs).toMatchObject({ count: 0, first: [] });
    expect(await cleanDatasetOutputs(context, 'legacy')).toMatchObject({ deleted: 0, left: 0 });
    expect(filesUnder('.winnow/thumbnails')).toEqual(REMADE_AS_JPEG);
  });

  it('never deletes a WebP that a dataset sharing the output still shows', async () => {
    await createDataset(context, { name: 'twin', input: { uri: folder } });
    await syncDataset(context, 'twin');
    await makeLegacyThumbnails('twin');
    await makeLegacyThumbnails('legacy');
    // Both datasets show cows/chelsea.jpg_thumb.webp: the first to remake writes its JPEG and leaves the WebP to the other.
    expect(await generateThumbnails(context, 'legacy')).toMatchObject({ generated: 2, failed: 0 });
    expect(filesUnder('.winnow/thumbnails')).toContain('cows/chelsea.jpg_thumb.webp');
    expect((await thumbnailsOf('twin')).get('cows/chelsea.jpg')?.thumbnail?.key).toBe('.winnow/thumbnails/cows/chelsea.jpg_thumb.webp');
    expect(await generateThumbnails(context, 'twin')).toMatchObject({ generated: 2, failed: 0 });
    expect(filesUnder('.winnow/thumbnails')).toEqual(REMADE_AS_JPEG);
  });
});
