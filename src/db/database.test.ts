import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';

describe('SQLite catalog statements', () => {
  let catalog: TestDatabase;
  beforeEach(async () => {
    catalog = await createTestDatabase('sqlite');
  });
  afterEach(() => catalog.drop());

  const tokens = () => catalog.database.db.selectFrom('api_tokens').select('name').orderBy('name');
  const addToken = (name: string) =>
    catalog.database.db
      .insertInto('api_tokens')
      .values({ id: name, name, token_hash: `hash-${name}`, created_at: '2026-12-02T00:00:00.000Z', last_used_at: null })
      .execute();

  it('answer a query run again with what the catalog holds now, not what it held when first run', async () => {
    await addToken('a');
    expect(await tokens().execute()).toEqual([{ name: 'a' }]);
    await addToken('b');
    expect(await tokens().execute()).toEqual([{ name: 'a' }, { name: 'b' }]);
  });

  it('run a query again after a stream of it was left halfway', async () => {
    for (const name of ['a', 'b', 'c']) await addToken(name);
    for await (const row of tokens().stream()) {
      expect(row.name).toBe('a');
      break;
    }
    const streamed: string[] = [];
    for await (const row of tokens().stream()) streamed.push(row.name);
    expect(streamed).toEqual(['a', 'b', 'c']);
    expect(await tokens().execute()).toHaveLength(3);
  });
});

describe('PostgreSQL catalog connections', () => {
  it('survive the server closing an idle connection: the next query opens another', async () => {
    const catalog = await createTestDatabase('postgres');
    const admin = await createTestDatabase('postgres');
    try {
      await sql`select 1`.execute(catalog.database.db);
      const { rows } = await sql<{
        pid: number;
      }>`select pid from pg_stat_activity where datname = ${catalog.env.WINNOW_DATABASE_URL!.split('/').at(-1)!} and state = 'idle'`.execute(admin.database.db);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) await sql`select pg_terminate_backend(${row.pid})`.execute(admin.database.db);
      // The pool hears the idle client die; unheard, that 'error' would end the process (and fail this file).
      await expect
        .poll(
          async () =>
            (
              await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where pid = any(${rows.map((row) => row.pid)})`.execute(
                admin.database.db,
              )
            ).rows[0]!.n,
          { timeout: 5_000 },
        )
        .toBe(0);
      // A query sent before the pool has heard of a death may fail once; the catalog works again right after.
      const answer = async () => (await sql<{ one: number }>`select 1 as one`.execute(catalog.database.db).catch(() => ({ rows: [] }))).rows;
      await expect.poll(answer, { timeout: 5_000 }).toEqual([{ one: 1 }]);
    } finally {
      await admin.drop();
      await catalog.drop();
    }
  });
});
