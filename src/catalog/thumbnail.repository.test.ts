import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import { insertTestDataset, insertTestSamples } from '../../test/support/factories.js';
import { deleteDataset } from './dataset.repository.js';
import { findSamplesByKeys, markSamplesChanged, markUnseenSamplesRemoved } from './sample.repository.js';
import { countDatasetContents } from './dataset-counts.js';
import { countThumbnailWork, findCurrentThumbnails, listThumbnailWorkAfter, recordThumbnail, type ThumbnailRecord } from './thumbnail.repository.js';

const NOW = '2026-01-01T00:00:00.000Z';

describe.each(DIALECTS)('thumbnail repository on %s', (dialect) => {
  let test: TestDatabase;
  let datasetId: string;
  let ids: Record<string, number>;
  const keys = ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg'];
  const db = () => test.database.db;

  const outcome = (key: string, fields: Partial<ThumbnailRecord>): ThumbnailRecord => ({
    sampleId: ids[key]!,
    datasetId: datasetId,
    status: 'ok',
    key: `.winnow/thumbnails/${key}_thumb.webp`,
    sourceEtag: `etag-${key}`,
    boxSize: 256,
    width: 256,
    height: 192,
    bytes: 4_000,
    error: null,
    updatedAt: NOW,
    ...fields,
  });
  const pendingKeys = async (size = 256) => (await listThumbnailWorkAfter(db(), datasetId, size, 0, 100)).map((row) => row.key);

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    datasetId = randomUUID();
    await insertTestDataset(db(), { id: datasetId, name: `ds-${dialect}`, thumbnailSize: 256, createdAt: NOW });
    ids = await insertTestSamples(test.database, datasetId, keys, { status: 'ok', width: 640, height: 480, format: 'jpeg' });
  });
  afterAll(async () => test?.drop());

  it('lists every live sample without a thumbnail, in id order, page by page', async () => {
    expect(await pendingKeys()).toEqual(keys);
    const first = await listThumbnailWorkAfter(db(), datasetId, 256, 0, 2);
    expect(first.map((row) => row.key)).toEqual(['a.jpg', 'b.jpg']);
    expect(first[0]).toMatchObject({ size: 1_000, etag: 'etag-a.jpg', width: 640, height: 480 });
    const next = await listThumbnailWorkAfter(db(), datasetId, 256, first.at(-1)!.id, 2);
    expect(next.map((row) => row.key)).toEqual(['c.jpg', 'd.jpg']);
    expect(await countThumbnailWork(db(), datasetId, 256)).toEqual({ total: 5, pending: 5 });
  });

  it('skips samples done for their etag and size, retries storage failures, keeps rejections until the object changes', async () => {
    await recordThumbnail(db(), outcome('a.jpg', {}));
    await recordThumbnail(
      db(),
      outcome('b.jpg', { status: 'rejected', key: null, width: null, height: null, bytes: null, error: 'Corrupt or truncated image' }),
    );
    await recordThumbnail(db(), outcome('c.jpg', { status: 'failed', key: null, width: null, height: null, bytes: null, error: 'SlowDown' }));
    expect(await pendingKeys()).toEqual(['c.jpg', 'd.jpg', 'e.jpg']);
    expect(await pendingKeys(128)).toEqual(keys);
    expect(await countThumbnailWork(db(), datasetId, 256)).toEqual({ total: 5, pending: 3 });
  });

  it('offers a thumbnail made at another box size again, with the key it has, so the job can replace that object', async () => {
    const atNewSize = await listThumbnailWorkAfter(db(), datasetId, 400, 0, 100);
    expect(atNewSize.map((row) => [row.key, row.thumbnailKey])).toEqual([
      ['a.jpg', '.winnow/thumbnails/a.jpg_thumb.webp'],
      ['b.jpg', null],
      ['c.jpg', null],
      ['d.jpg', null],
      ['e.jpg', null],
    ]);
  });

  it('keeps one row per sample however often it is recorded', async () => {
    await recordThumbnail(db(), outcome('c.jpg', { status: 'failed', error: 'SlowDown again', key: null }));
    await recordThumbnail(db(), outcome('c.jpg', {}));
    const rows = await db().selectFrom('thumbnails').selectAll().where('sample_id', '=', ids['c.jpg']!).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'ok', error: null, key: '.winnow/thumbnails/c.jpg_thumb.webp' });
    expect(await pendingKeys()).toEqual(['d.jpg', 'e.jpg']);
  });

  it('needs a new thumbnail once the object changes, and stops offering the old one', async () => {
    await markSamplesChanged(
      db(),
      [
        { id: ids['a.jpg']!, size: 2_000, etag: 'etag-a-v2', lastModified: NOW },
        { id: ids['b.jpg']!, size: 2_000, etag: 'etag-b-v2', lastModified: NOW },
      ],
      1,
      NOW,
    );
    expect(await pendingKeys()).toEqual(['a.jpg', 'b.jpg', 'd.jpg', 'e.jpg']);
    const samples = await findSamplesByKeys(db(), datasetId, keys);
    const current = await findCurrentThumbnails(db(), samples);
    expect([...current.keys()].sort()).toEqual([ids['c.jpg']]);
    await recordThumbnail(db(), outcome('a.jpg', { sourceEtag: 'etag-a-v2' }));
    expect((await findCurrentThumbnails(db(), await findSamplesByKeys(db(), datasetId, ['a.jpg']))).get(ids['a.jpg']!)).toMatchObject({ status: 'ok' });
  });

  it('counts made, unusable and missing thumbnails of live samples only', async () => {
    await recordThumbnail(db(), outcome('b.jpg', { sourceEtag: 'etag-b-v2', status: 'rejected', key: null, error: 'Not a supported image' }));
    const counts = async () => (await countDatasetContents(db(), { id: datasetId, revision: 0 })).thumbnails;
    expect(await counts()).toEqual({ ok: 2, rejected: 1, missing: 2 });
    await markUnseenSamplesRemoved(db(), datasetId, 2, NOW);
    expect(await counts()).toEqual({ ok: 0, rejected: 0, missing: 0 });
    expect(await pendingKeys()).toEqual([]);
  });

  it("drops a dataset's thumbnail rows with the dataset", async () => {
    await deleteDataset(db(), datasetId);
    expect(await db().selectFrom('thumbnails').selectAll().where('dataset_id', '=', datasetId).execute()).toEqual([]);
  });
});
