import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.js';
import type { Dialect } from '../../src/db/dialect.js';

/** The PostgreSQL server tests use; CI starts it at this address. */
export const POSTGRES_ADMIN_URL = process.env.WINNOW_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  database: Database;
  /** What to put in WINNOW_DATABASE_URL / WINNOW_HOME for a CLI run against the same catalog. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A fresh, empty catalog of the given dialect: a SQLite file in a temp dir or a new PostgreSQL database. */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const home = mkdtempSync(join(tmpdir(), 'winnow-db-'));
  if (dialect === 'sqlite') {
    const database = await openDatabase({ home, databaseUrl: undefined });
    return {
      database,
      env: { WINNOW_HOME: home },
      drop: async () => {
        await database.close();
        rmSync(home, { recursive: true, force: true });
      },
    };
  }
  const name = `winnow_test_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  await withAdmin((client) => client.query(`create database ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ home, databaseUrl: url.toString() });
  return {
    database,
    env: { WINNOW_HOME: home, WINNOW_DATABASE_URL: url.toString() },
    drop: async () => {
      await database.close();
      await withAdmin(async (client) => {
        await waitForBackendsToExit(client, name);
        await client.query(`drop database if exists ${name} with (force)`);
      });
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * pg's pool.end() resolves once it has asked its clients to end, not once their backends are gone;
 * forcing the drop then would terminate a backend whose client still listens, and that client's
 * FATAL "terminating connection due to administrator command" surfaces as an uncaught error.
 */
async function waitForBackendsToExit(client: pg.Client, name: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const { rows } = await client.query<{ count: string }>('select count(*) from pg_stat_activity where datname = $1', [name]);
    if (Number(rows[0]?.count) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];
