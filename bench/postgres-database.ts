import pg from 'pg';
import { onCleanup } from './cleanup.js';

const ADMIN_URL = process.env.WINNOW_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface FreshPostgresDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new, empty PostgreSQL database, dropped at cleanup even when the bench fails. */
export async function createFreshPostgresDatabase(): Promise<FreshPostgresDatabase> {
  const name = `winnow_bench_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  await withAdmin((client) => client.query(`create database ${name}`));
  const drop = onCleanup(`drop database ${name}`, () => withAdmin((client) => client.query(`drop database if exists ${name} with (force)`)));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop };
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
