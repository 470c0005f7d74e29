import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import { insertTestDataset, testSample } from '../../test/support/factories.js';
import { findNameGramCounts } from './name-gram.repository.js';
import { RARE_GRAM_HOLDERS } from './name-grams.js';
import { insertSamples, querySamples, type SampleQuery } from './sample.repository.js';

/** More holders than RARE_GRAM_HOLDERS, so common grams are walked rather than read from their ids. */
const BULK = Array.from({ length: RARE_GRAM_HOLDERS + 100 }, (_, i) => `bulk/IMG_${String(i).padStart(5, '0')}.jpg`);
const VARIED = [
  'Straße.JPG',
  'ÄRGER.png',
  'ärger.png',
  'Qx-scan 1.tif',
  'qX-scan 2.TIF',
  'ducks 🦆/egg.jpg',
  '猫/ねこ.jpg',
  'shot #2 été.jpg',
  'ÉTÉ.jpg',
  '100%_crop.png',
  'a',
];
const TEXTS = [
  'g',
  'img',
  'mg',
  '_0',
  'ß',
  'Straße',
  'ä',
  'Ä',
  'är',
  'ÄR',
  'qx',
  'QX',
  'q',
  '🦆',
  '猫',
  'ね',
  'é',
  'É',
  'ét',
  '#2',
  '%',
  '%_',
  '_c',
  'a',
  'zq',
  'z',
  'ж',
  'gone',
  'go',
  'elsewhere',
  'ls',
];
const PAGE = 50;

describe.each(DIALECTS)('short "name contains" texts on %s', (dialect) => {
  let test: TestDatabase;
  let datasetId: string;
  let otherId: string;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    datasetId = (await insertTestDataset(test.database.db, { name: 'grams' })).id;
    otherId = (await insertTestDataset(test.database.db, { name: 'other' })).id;
    const samples = [...BULK, ...VARIED].map((key, i) =>
      testSample(datasetId, key, { status: i % 5 === 1 ? 'error' : 'ok', lastModified: `2024-0${1 + (i % 9)}-01T00:00:00.000Z` }),
    );
    samples.push(testSample(datasetId, 'removed/gone.jpg', { removedAt: '2025-01-01T00:00:00.000Z' }));
    await insertSamples(test.database.db, dialect, samples);
    await insertSamples(test.database.db, dialect, [testSample(otherId, 'zq elsewhere.jpg'), testSample(otherId, 'ж.jpg')]);
  });
  afterAll(async () => test?.drop());

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

  /** The plain query: LIKE on the lower-cased key, no index to help. */
  async function plainQuery(filter: Omit<SampleQuery, 'limit' | 'after'>): Promise<string[]> {
    const pattern = `%${filter.nameContains!.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const order = filter.order === 'asc' ? sql`asc` : sql`desc`;
    const { rows } = await sql<{ key: string }>`select key from samples where dataset_id = ${datasetId} and removed_at is null
      and lower(key) like ${pattern} escape '\\' ${filter.status === undefined ? sql`` : sql`and status = ${filter.status}`}
      order by ${filter.sort === 'date' ? sql`last_modified ${order}, key ${order}` : sql`key ${order}`}`.execute(test.database.db);
    return rows.map((row) => row.key);
  }

  it.each(TEXTS)('finds what LIKE finds for %j, by key and by date, both ways, alone and with a status', async (nameContains) => {
    for (const status of [undefined, 'error' as const]) {
      for (const sort of ['key', 'date'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          const filter = { nameContains, status, sort, order };
          expect(await allPages(filter), JSON.stringify(filter)).toEqual(await plainQuery(filter));
        }
      }
    }
  });

  it('keeps the ids of rare grams only, per dataset', async () => {
    await allPages({ nameContains: 'ß', sort: 'key', order: 'asc' });
    const counts = await findNameGramCounts(test.database.db, datasetId, ['ß', 'g', 'zq', 'gone'.slice(0, 2)]);
    expect(counts.get('ß')?.holders).toBe(1);
    expect(counts.get('g')).toEqual({ holders: BULK.length + 9, ids: null });
    expect(counts.has('zq')).toBe(false);
    // A removed sample's grams stay counted: they only widen the candidates, which are tested exactly.
    expect(counts.get('go')?.holders).toBe(1);
  });

  it('counts samples inserted after the grams were counted, and a gram that becomes common', async () => {
    expect(await allPages({ nameContains: 'zq', sort: 'key', order: 'asc' })).toEqual([]);
    const rising = Array.from({ length: RARE_GRAM_HOLDERS }, (_, i) => testSample(datasetId, `later/zq-${String(i).padStart(5, '0')}.jpg`));
    await insertSamples(test.database.db, dialect, [testSample(datasetId, 'later/Zq first.jpg')]);
    expect(await allPages({ nameContains: 'zq', sort: 'key', order: 'asc' })).toEqual(['later/Zq first.jpg']);
    await insertSamples(test.database.db, dialect, rising);
    for (const filter of [
      { nameContains: 'zq', sort: 'key' as const, order: 'desc' as const },
      { nameContains: 'q f', sort: 'date' as const, order: 'asc' as const },
      { nameContains: 'zq', status: 'error' as const, sort: 'key' as const, order: 'asc' as const },
    ]) {
      expect(await allPages(filter), JSON.stringify(filter)).toEqual(await plainQuery(filter));
    }
    expect((await findNameGramCounts(test.database.db, datasetId, ['zq'])).get('zq')).toEqual({ holders: RARE_GRAM_HOLDERS + 1, ids: null });
  });
});
