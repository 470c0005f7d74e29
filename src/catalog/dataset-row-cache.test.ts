import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import { insertTestDataset } from '../../test/support/factories.js';
import { createLogger } from '../log/logger.js';
import { openDatabase, type Database } from '../db/database.js';
import { bumpDatasetRevision } from './dataset.repository.js';
import { createDatasetRowCache, KEPT_AT_MOST_MS, type DatasetRowCache } from './dataset-row-cache.js';

describe.each(DIALECTS)('dataset row cache on %s', (dialect) => {
  let test: TestDatabase;
  // Another process's handle on the same catalog.
  let other: Database;
  let cache: DatasetRowCache;
  const datasetId = randomUUID();
  let now = Date.parse('2026-12-02T10:00:00.000Z');

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    other = await openDatabase({ home: test.env.WINNOW_HOME!, databaseUrl: test.env.WINNOW_DATABASE_URL });
    await insertTestDataset(test.database.db, { id: datasetId, name: 'cows' });
    cache = createDatasetRowCache({ database: test.database, log: createLogger('silent'), clock: () => new Date(now) });
  });

  afterAll(async () => {
    await cache?.close();
    await other?.close();
    await test?.drop();
  });

  const revisionInCache = async () => (await cache.get('cows')).revision;

  it('names an unknown dataset', async () => {
    await expect(cache.get('sheep')).rejects.toMatchObject({ code: 'DatasetNotFound' });
  });

  it("sees another process's writes", async () => {
    const before = await revisionInCache();
    await bumpDatasetRevision(other.db, datasetId);
    await expect.poll(revisionInCache, { timeout: 5_000 }).toBe(before + 1);
  });

  it('asks the catalog once for requests that arrive together', async () => {
    let reads = 0;
    const counted = {
      ...test.database,
      db: test.database.db.withPlugin({ transformQuery: (args) => ((reads += 1), args.node), transformResult: async (args) => args.result }),
    };
    const together = createDatasetRowCache({ database: counted, log: createLogger('silent'), clock: () => new Date(now) });
    try {
      const rows = await Promise.all(Array.from({ length: 20 }, () => together.get('cows')));
      expect(new Set(rows.map((row) => row.revision)).size).toBe(1);
      expect(reads).toBe(1);
    } finally {
      await together.close();
    }
  });

  if (dialect === 'sqlite') {
    it('keeps nothing: a read costs microseconds', () => {
      expect(cache.keepsRows).toBe(false);
    });
    return;
  }

  /** A write PostgreSQL's notice trigger does not see, so only a cache that kept the row misses it. */
  const writeUnnoticed = async (revision: number) => {
    await other.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await trx.updateTable('datasets').set({ revision }).where('id', '=', datasetId).execute();
    });
  };

  it('keeps a row until a change notice, from any process, drops it', async () => {
    await expect.poll(() => cache.keepsRows, { timeout: 5_000 }).toBe(true);
    const kept = await revisionInCache();
    await writeUnnoticed(kept + 100);
    expect(await revisionInCache()).toBe(kept);
    await bumpDatasetRevision(other.db, datasetId);
    await expect.poll(revisionInCache, { timeout: 5_000 }).toBe(kept + 101);
  });

  it('reads a kept row again within KEPT_AT_MOST_MS even without a notice (a pooler may drop them)', async () => {
    await expect.poll(() => cache.keepsRows, { timeout: 5_000 }).toBe(true);
    const kept = await revisionInCache();
    await writeUnnoticed(kept + 1);
    now += KEPT_AT_MOST_MS / 2 - 1;
    expect(await revisionInCache()).toBe(kept);
    // Halfway: the kept row is still answered, and read again in the background.
    now += 1;
    expect(await revisionInCache()).toBe(kept);
    await expect.poll(revisionInCache, { timeout: 5_000 }).toBe(kept + 1);
    await writeUnnoticed(kept + 2);
    now += KEPT_AT_MOST_MS;
    expect(await revisionInCache()).toBe(kept + 2);
  });

  it('reads the catalog while its notice connection is down, and keeps rows again once it is back', async () => {
    await expect.poll(() => cache.keepsRows, { timeout: 5_000 }).toBe(true);
    const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database() and query like 'listen %'`.execute(
      other.db,
    );
    expect(rows).toHaveLength(1);
    await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(other.db);
    await expect.poll(() => cache.keepsRows, { timeout: 5_000 }).toBe(false);
    const before = await revisionInCache();
    await writeUnnoticed(before + 1);
    expect(await revisionInCache()).toBe(before + 1);

    await expect.poll(() => cache.keepsRows, { timeout: 5_000 }).toBe(true);
    const kept = await revisionInCache();
    await writeUnnoticed(kept + 1);
    expect(await revisionInCache()).toBe(kept);
  });
});
