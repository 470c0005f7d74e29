import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { onTestFinished, TestRunner } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import type { Dialect } from '../../src/db/dialect.js';
import { failedSince, failureMark } from './failed-tests.js';
import { TEST_DATABASE_PREFIX, testDatabaseUrl, withAdmin } from './postgres-admin.js';

export interface TestDatabase {
  database: Database;
  /** What to put in WINNOW_DATABASE_URL / WINNOW_HOME for a CLI run against the same catalog. */
  env: Record<string, string>;
  /**
   * Closes the catalog and removes it, unless a test failed while it was in use: then a PostgreSQL
   * database is kept, and its name and URL printed, for `psql` (a day at most: global setup drops
   * older ones). Called inside a test, the decision waits until that test has finished.
   */
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
  const name = `${TEST_DATABASE_PREFIX}${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  await withAdmin((client) => client.query(`create database ${name}`));
  const url = testDatabaseUrl(name);
  const database = await openDatabase({ home, databaseUrl: url });
  const mark = failureMark();
  const settle = async (failed: readonly string[]) => {
    rmSync(home, { recursive: true, force: true });
    await withAdmin(async (client) => {
      await waitForBackendsToExit(client, name);
      if (failed.length > 0) await keep(client, name, url, failed);
      else await client.query(`drop database if exists ${name} with (force)`);
    });
  };
  return {
    database,
    env: { WINNOW_HOME: home, WINNOW_DATABASE_URL: url },
    drop: async () => {
      await database.close();
      if (TestRunner.getCurrentTest() === undefined) return settle(failedSince(mark));
      // Inside a test (a try/finally around its body), its own outcome is not known yet.
      onTestFinished(({ task }) => settle(task.result?.state === 'fail' ? [...new Set([...failedSince(mark), task.fullName])] : failedSince(mark)));
    },
  };
}

async function keep(client: pg.Client, name: string, url: string, failed: readonly string[]): Promise<void> {
  const note = `kept by the Winnow tests on ${new Date().toISOString()} after: ${failed.join('; ')}`;
  await client.query(`comment on database ${name} is ${client.escapeLiteral(note)}`);
  console.warn(
    `Kept the PostgreSQL database of a failed test for inspection (dropped after a day): ${name}\n  psql ${url}\n  failed: ${failed.join('\n          ')}`,
  );
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

export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];
