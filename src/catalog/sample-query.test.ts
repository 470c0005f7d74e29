import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import { insertTestDataset, testSample } from '../../test/support/factories.js';
import { compareKeys } from '../datasources/object-store.js';
import { insertSamples, querySamples, type SampleQuery } from './sample.repository.js';

/**
 * The grid's filters as they answered before their indexes (issue 21): a key matches "name contains"
 * when lower(key) contains the lower-cased text, lower() folding ASCII letters only (SQLite's lower(),
 * PostgreSQL's under the "C" collation keys use), and an extension when the key so lowered ends in ".ext".
 */
const lowerAscii = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());

// Fewer than the 5,000 rows under which SQLite reads a filter's matches from its index (name-gram.repository.test.ts has more).
const COMMON = Array.from({ length: 2_100 }, (_, i) => `common/IMG_${String(i).padStart(4, '0')}.jpg`);
const TRICKY = [
  'Kuh-Müller_1.JPG',
  'kuh-müller_2.png',
  'KUH-MÜLLER_3.jpg',
  '100%-crop+1.png',
  '100x-crop.png',
  'a_b.webp',
  'axb.webp',
  'shot #2 été.TIF',
  'ÉTÉ.tif',
  'noext',
  'archive.tar.gz',
  'x.jpg/notext',
  'ends with dot.',
  'rare/one-of-a-kind.Jpg',
  'folder/rare-two.png',
  '猫/ねこ.jpg',
];
const PAGE = 40;
const TEXTS = [
  'img_',
  'IMG',
  'mg_1',
  '0042',
  'kuh-müller',
  'MÜLLER',
  'müller',
  '100%',
  '100%-c',
  'a_b',
  'été',
  'é',
  '#2',
  'ü',
  'rare',
  'zq',
  'x',
  '.jpg/',
  'ねこ',
  'kind',
];
const EXTENSIONS = ['jpg', 'JPG', '.png', 'tif', 'gif', 'jpg/notext', 'tar.gz', 'gz', ''];

describe.each(DIALECTS)('grid filters on %s', (dialect) => {
  let test: TestDatabase;
  let datasetId: string;
  const live: Array<{ key: string; lastModified: string; status: string }> = [];

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    datasetId = (await insertTestDataset(test.database.db, { name: 'filters' })).id;
    const other = (await insertTestDataset(test.database.db, { name: 'other' })).id;
    const keys = [...COMMON, ...TRICKY];
    const samples = keys.map((key, i) =>
      testSample(datasetId, key, { lastModified: `2024-0${1 + (i % 9)}-01T00:00:00.000Z`, status: i % 7 === 3 ? 'error' : 'ok' }),
    );
    live.push(...samples.map((sample) => ({ key: sample.key, lastModified: sample.lastModified!, status: sample.status })));
    samples.push(testSample(datasetId, 'removed/rare-gone.jpg', { removedAt: '2025-01-01T00:00:00.000Z' }));
    await insertSamples(test.database.db, dialect, samples);
    await insertSamples(test.database.db, dialect, [testSample(other, 'rare/elsewhere.jpg'), testSample(other, 'zq.jpg')]);
  });
  afterAll(async () => test?.drop());

  /** Every page of a query, PAGE samples at a time, following the cursor as the grid does. */
  async function allPages(filter: Omit<SampleQuery, 'limit' | 'after'>): Promise<string[]> {
    const keys: string[] = [];
    let after: SampleQuery['after'];
    for (;;) {
      const page = await querySamples(test.database.db, dialect, datasetId, { ...filter, after, limit: PAGE });
      keys.push(...page.map((sample) => sample.key));
      const last = page.at(-1);
      if (page.length < PAGE || last === undefined) return keys;
      after = { key: last.key, date: last.lastModified ?? '' };
    }
  }

  function expected(filter: Omit<SampleQuery, 'limit' | 'after'>): string[] {
    const text = filter.nameContains?.toLowerCase();
    const extension = filter.extension?.toLowerCase();
    const rows = live.filter(
      ({ key, status }) =>
        (text === undefined || lowerAscii(key).includes(text)) &&
        (extension === undefined || lowerAscii(key).endsWith(`.${extension}`)) &&
        (filter.status === undefined || status === filter.status),
    );
    rows.sort((a, b) => (filter.sort === 'date' ? a.lastModified.localeCompare(b.lastModified) || compareKeys(a.key, b.key) : compareKeys(a.key, b.key)));
    if (filter.order === 'desc') rows.reverse();
    return rows.map((row) => row.key);
  }

  it.each(TEXTS)('finds the keys containing %j, in key order and in date order, both ways', async (nameContains) => {
    for (const sort of ['key', 'date'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const filter = { nameContains, sort, order };
        expect(await allPages(filter), JSON.stringify(filter)).toEqual(expected(filter));
      }
    }
  });

  it.each(EXTENSIONS)('finds the keys with the extension %j, in key order and in date order', async (extension) => {
    for (const sort of ['key', 'date'] as const) {
      const filter = { extension: extension.replace(/^\./, ''), sort, order: 'asc' as const };
      expect(await allPages(filter), JSON.stringify(filter)).toEqual(expected(filter));
    }
  });

  it('combines an extension with a text, rare and common', async () => {
    for (const [extension, nameContains] of [
      ['jpg', 'img_00'],
      ['png', 'rare'],
      ['jpg', 'kuh'],
      ['gif', 'img'],
      ['jpg', 'é'],
    ] as const) {
      const filter = { extension, nameContains, sort: 'key' as const, order: 'desc' as const };
      expect(await allPages(filter), JSON.stringify(filter)).toEqual(expected(filter));
    }
  });

  it('combines a status with a text or an extension', async () => {
    for (const extra of [{ nameContains: 'img_00' }, { nameContains: 'rare' }, { extension: 'jpg' }, { extension: 'tif', nameContains: 'été' }]) {
      for (const sort of ['key', 'date'] as const) {
        const filter = { ...extra, status: 'error' as const, sort, order: 'asc' as const };
        expect(await allPages(filter), JSON.stringify(filter)).toEqual(expected(filter));
      }
    }
  });

  it('never returns a removed sample or one of another dataset', async () => {
    const keys = await allPages({ nameContains: 'rare', sort: 'key', order: 'asc' });
    expect(keys).toEqual(['folder/rare-two.png', 'rare/one-of-a-kind.Jpg']);
    expect(await allPages({ nameContains: 'zq', sort: 'key', order: 'asc' })).toEqual([]);
  });
});
