import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from './databases.js';
import { dropOldTestDatabases, KEPT_DATABASE_MAX_AGE_MS, TEST_DATABASE_PREFIX, testDatabaseUrl, withAdmin } from './postgres-admin.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('PostgreSQL test databases', () => {
  it('keeps the database of a failed test, names it with its URL, and drops the others', async () => {
    const run = await runVitest(['run', '--config', 'test/fixtures/kept-databases/vitest.config.ts']);
    const announced = Object.fromEntries([...run.output.matchAll(/DATABASE (\S+) (\S+)/g)].map((match) => [match[1]!, match[2]!]));
    expect(Object.keys(announced).sort()).toEqual(['failed-suite', 'failed-test', 'passed-suite', 'passed-test']);
    const kept = [announced['failed-suite']!, announced['failed-test']!];
    try {
      expect(run.code).toBe(1);
      expect(await existing(Object.values(announced))).toEqual(
        new Map([
          [kept[0], expect.stringContaining('a suite whose test fails > fails on purpose')],
          [kept[1], expect.stringContaining('fails on purpose with a database of its own')],
        ]),
      );
      for (const name of kept) expect(run.output).toContain(`psql ${testDatabaseUrl(name)}`);
    } finally {
      await withAdmin(async (client) => {
        for (const name of kept) await client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
      });
    }
  });

  it('drops test databases older than a day when a run starts, and only those', async () => {
    const old = `${TEST_DATABASE_PREFIX}${Date.now() - KEPT_DATABASE_MAX_AGE_MS - 60_000}_agedxx`;
    await withAdmin((client) => client.query(`create database ${old}`));
    const fresh = await createTestDatabase('postgres');
    const freshName = new URL(fresh.env.WINNOW_DATABASE_URL!).pathname.slice(1);
    try {
      expect(await dropOldTestDatabases()).toContain(old);
      expect([...(await existing([old, freshName])).keys()]).toEqual([freshName]);
    } finally {
      await withAdmin((client) => client.query(`drop database if exists ${old}`));
      await fresh.drop();
    }
  });
});

/** Which of `names` exist, with their comments. */
async function existing(names: readonly string[]): Promise<Map<string, string | null>> {
  const { rows } = await withAdmin((client) =>
    client.query<{ datname: string; comment: string | null }>(
      `select datname, shobj_description(oid, 'pg_database') as comment from pg_database where datname = any($1) order by datname`,
      [names],
    ),
  );
  return new Map(rows.map((row) => [row.datname, row.comment]));
}

async function runVitest(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [resolve(ROOT, 'node_modules/vitest/vitest.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise<number | null>((resolveExit) => child.on('close', resolveExit));
  return { code, output };
}
