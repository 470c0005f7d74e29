import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import { insertTestDataset, testSample } from '../../test/support/factories.js';
import type { NewSample } from '../catalog/sample.repository.js';
import { compareKeys } from '../datasources/object-store.js';
import {
  countSamples,
  findSamplesByKeys,
  findSamplesInKeyRange,
  insertSamples,
  listPendingSamplesAfter,
  listSamplesAfter,
  markSamplesChanged,
  markUnseenSamplesRemoved,
  querySamples,
  recordSampleError,
  recordSampleHeader,
} from './sample.repository.js';
import { appendTagMembers, insertTag } from './tag.repository.js';
import { advanceSyncCursor, findSyncState, startSyncGeneration } from './sync-state.repository.js';

const NOW = '2026-01-01T00:00:00.000Z';

/** 5 GB: sizes beyond 32 bits must survive both dialects. */
const sample = (datasetId: string, key: string) => testSample(datasetId, key, { size: 5_000_000_000 });

describe.each(DIALECTS)('sample repository on %s', (dialect) => {
  let test: TestDatabase;
  let datasetId: string;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    datasetId = randomUUID();
    await insertTestDataset(test.database.db, { id: datasetId, name: `ds-${dialect}`, createdAt: NOW });
  });
  afterAll(async () => test?.drop());

  // Keys whose byte order differs from UTF-16 order and from locale collation.
  const keys = ['B.jpg', 'a b.jpg', 'a+b.jpg', 'a-b/x.jpg', 'a/x.jpg', 'z%20.jpg', 'é.jpg', '猫.jpg', '😀.jpg', 'ｚ.jpg', '#1.jpg'];

  it('pages through samples by key in S3 byte order with a keyset cursor', async () => {
    await insertSamples(
      test.database.db,
      test.database.dialect,
      keys.map((key) => sample(datasetId, key)),
    );
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await listSamplesAfter(test.database.db, datasetId, after, 3);
      if (page.length === 0) break;
      seen.push(...page.map((row) => row.key));
      after = page.at(-1)!.key;
    }
    expect(seen).toEqual([...keys].sort(compareKeys));
  });

  it('pages through the samples of one tag only, and finds none for a tag that does not exist', async () => {
    const tagged = await findSamplesByKeys(test.database.db, datasetId, ['a b.jpg', 'é.jpg', '#1.jpg']);
    const tagId = randomUUID();
    await insertTag(test.database.db, { id: tagId, datasetId, name: 'picked', description: null, createdAt: NOW, updatedAt: NOW });
    await appendTagMembers(
      test.database.db,
      tagId,
      tagged.map((row) => row.id),
    );
    const query = { sort: 'key', order: 'asc', limit: 2 } as const;
    const first = await querySamples(test.database.db, test.database.dialect, datasetId, { ...query, tag: 'picked' });
    const second = await querySamples(test.database.db, test.database.dialect, datasetId, { ...query, tag: 'picked', after: { key: first.at(-1)!.key } });
    expect([...first, ...second].map((row) => row.key)).toEqual(['#1.jpg', 'a b.jpg', 'é.jpg']);
    expect(await querySamples(test.database.db, test.database.dialect, datasetId, { ...query, tag: 'no-such-tag' })).toEqual([]);
  });

  it('inserts every column as given, nulls and quotes included, in one statement', async () => {
    const other = randomUUID();
    await insertTestDataset(test.database.db, { id: other, name: `other-${dialect}`, createdAt: NOW });
    const full: NewSample = {
      ...sample(other, 'q/"quoted" \\ back{slash},comma.jpg'),
      etag: null,
      lastModified: null,
      width: 4_000,
      height: 3_000,
      format: 'jpeg',
      status: 'error',
      error: 'line one\nline "two"',
      seenGeneration: 7,
      removedAt: NOW,
    };
    const rows = [full, ...Array.from({ length: 1_500 }, (_, index) => sample(other, `bulk/${String(index).padStart(4, '0')} 猫.jpg`))];
    await insertSamples(test.database.db, test.database.dialect, rows);
    const stored = await listSamplesAfter(test.database.db, other, undefined, 2_000, { includeRemoved: true });
    expect(stored).toHaveLength(rows.length);
    const { id: _id, ...first } = stored.find((row) => row.key === full.key)!;
    expect(first).toEqual(full);
    expect(
      stored.filter((row) => row.key.startsWith('bulk/')).every((row) => row.size === 5_000_000_000 && row.width === null && row.status === 'pending'),
    ).toBe(true);
  });

  it('finds the known samples of a key range, bounds included, in byte order', async () => {
    const found = await findSamplesInKeyRange(test.database.db, datasetId, 'a b.jpg', 'é.jpg');
    const expected = keys.filter((key) => compareKeys(key, 'a b.jpg') >= 0 && compareKeys(key, 'é.jpg') <= 0);
    expect(found.map((row) => row.key).sort(compareKeys)).toEqual(expected.sort(compareKeys));
    expect(expected).toContain('z%20.jpg');
    expect(expected).not.toContain('猫.jpg');
  });

  it('keeps sizes above 2^32 as numbers', async () => {
    const [row] = await findSamplesByKeys(test.database.db, datasetId, ['a b.jpg']);
    expect(row?.size).toBe(5_000_000_000);
  });

  it('records headers and errors and counts by status', async () => {
    const pending = await listPendingSamplesAfter(test.database.db, datasetId, 0, 100);
    expect(pending).toHaveLength(keys.length);
    await recordSampleHeader(test.database.db, pending[0]!.id, { width: 640, height: 480, format: 'jpeg' });
    await recordSampleError(test.database.db, pending[1]!.id, 'Corrupt');
    expect(await countSamples(test.database.db, datasetId)).toEqual({ total: keys.length, ok: 1, error: 1, pending: keys.length - 2, removed: 0 });
  });

  it('marks samples not seen by the latest generation as removed, and revives changed ones', async () => {
    const [kept] = await findSamplesByKeys(test.database.db, datasetId, ['猫.jpg']);
    await markSamplesChanged(test.database.db, [{ id: kept!.id, size: 10, etag: 'new', lastModified: NOW }], 2, NOW);
    expect(await markUnseenSamplesRemoved(test.database.db, datasetId, 2, NOW)).toBe(keys.length - 1);
    expect(await markUnseenSamplesRemoved(test.database.db, datasetId, 2, NOW)).toBe(0);
    const live = await listSamplesAfter(test.database.db, datasetId, undefined, 100);
    expect(live.map((row) => row.key)).toEqual(['猫.jpg']);
    expect(live[0]).toMatchObject({ status: 'pending', etag: 'new', size: 10 });
    expect(await countSamples(test.database.db, datasetId)).toEqual({ total: 1, pending: 1, ok: 0, error: 0, removed: keys.length - 1 });
  });

  it('moves the sync cursor and counters together', async () => {
    await startSyncGeneration(test.database.db, datasetId, 3, NOW);
    await advanceSyncCursor(test.database.db, datasetId, 'a/x.jpg', { listed: 10, added: 4, updated: 1 });
    await advanceSyncCursor(test.database.db, datasetId, 'b/y.jpg', { listed: 5, added: 5, updated: 0 });
    expect(await findSyncState(test.database.db, datasetId)).toMatchObject({
      generation: 3,
      cursorKey: 'b/y.jpg',
      listed: 15,
      added: 9,
      updated: 1,
      status: 'running',
    });
    await startSyncGeneration(test.database.db, datasetId, 4, NOW);
    expect(await findSyncState(test.database.db, datasetId)).toMatchObject({ generation: 4, cursorKey: null, listed: 0 });
  });
});
