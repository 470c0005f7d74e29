import pg from 'pg';

/** The PostgreSQL server tests use; CI starts it at this address. */
export const POSTGRES_ADMIN_URL = process.env.WINNOW_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Every test database's name starts so, followed by its creation time in ms: `winnow_test_<ms>_<random>`. */
export const TEST_DATABASE_PREFIX = 'winnow_test_';

/** A kept database (or one a killed run left behind) older than this is dropped when a test run starts. */
export const KEPT_DATABASE_MAX_AGE_MS = 24 * 60 * 60_000;

export function testDatabaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * Drops test databases created more than `maxAgeMs` ago: the ones kept after failures, once they have
 * had a day to be looked at, and any a killed run never dropped. Younger ones may belong to a run
 * going on right now (another worktree's), so they stay.
 */
export async function dropOldTestDatabases(now = Date.now(), maxAgeMs = KEPT_DATABASE_MAX_AGE_MS): Promise<string[]> {
  return withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [
      `${TEST_DATABASE_PREFIX.replaceAll('_', '\\_')}%`,
    ]);
    const old = rows
      .map((row) => row.datname)
      .filter((name) => {
        const createdAt = Number(/^winnow_test_(\d+)_/.exec(name)?.[1]);
        return Number.isFinite(createdAt) && now - createdAt > maxAgeMs;
      });
    for (const name of old) await client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
    return old;
  });
}
