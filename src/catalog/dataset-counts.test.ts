import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import { insertTestDataset, insertTestSamples } from '../../test/support/factories.js';
import { createDatasetCountsCache } from './dataset-counts.js';
import { bumpDatasetRevision } from './dataset.repository.js';
import { recordThumbnail } from './thumbnail.repository.js';

const NOW = '2026-01-01T00:00:00.000Z';

describe.each(DIALECTS)('dataset counts on %s', (dialect) => {
  let test: TestDatabase;
  let datasetId: string;
  let ids: Record<string, number>;
  const db = () => test.database.db;
  const revision = async () => (await db().selectFrom('datasets').select('revision').where('id', '=', datasetId).executeTakeFirstOrThrow()).revision;
  const thumbnailOf = (key: string) =>
    recordThumbnail(db(), {
      sampleId: ids[key]!,
      datasetId,
      status: 'ok',
      key: `.winnow/thumbnails/${key}_thumb.jpg`,
      sourceEtag: `etag-${key}`,
      boxSize: 256,
      width: 256,
      height: 192,
      bytes: 4_000,
      error: null,
      updatedAt: NOW,
    });

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    datasetId = randomUUID();
    await insertTestDataset(db(), { id: datasetId, name: `counts-${dialect}`, thumbnailSize: 256, createdAt: NOW });
    ids = await insertTestSamples(test.database, datasetId, ['a.jpg', 'b.jpg', 'c.jpg'], { status: 'ok', width: 640, height: 480, format: 'jpeg' });
  });
  afterAll(async () => test?.drop());

  it('keeps counts while the revision stands and counts again once a change raised it', async () => {
    const countContents = createDatasetCountsCache();
    const before = await countContents(db(), { id: datasetId, revision: await revision() });
    expect(before).toEqual({ samples: expect.objectContaining({ total: 3 }), thumbnails: { ok: 0, rejected: 0, missing: 3 } });

    // A write that did not raise the revision is not seen: the counts were kept, not read again.
    await thumbnailOf('a.jpg');
    expect(await countContents(db(), { id: datasetId, revision: await revision() })).toBe(before);

    await bumpDatasetRevision(db(), datasetId);
    const after = await countContents(db(), { id: datasetId, revision: await revision() });
    expect(after.thumbnails).toEqual({ ok: 1, rejected: 0, missing: 2 });
    // A reader still holding the older row is served the newer counts, never older ones.
    expect(await countContents(db(), { id: datasetId, revision: (await revision()) - 1 })).toBe(after);
  });

  it('counts once for many readers of one revision', async () => {
    const countContents = createDatasetCountsCache();
    await thumbnailOf('b.jpg');
    await bumpDatasetRevision(db(), datasetId);
    const current = await revision();
    const answers = await Promise.all(Array.from({ length: 20 }, () => countContents(db(), { id: datasetId, revision: current })));
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]!.thumbnails).toEqual({ ok: 2, rejected: 0, missing: 1 });
  });
});
