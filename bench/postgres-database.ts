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

/** A copy of `template` (which must have no open connections): each round starts from the same synced catalog without syncing again. */
export async function copyPostgresDatabase(template: FreshPostgresDatabase): Promise<FreshPostgresDatabase> {
  const templateName = new URL(template.url).pathname.slice(1);
  const name = `${templateName}_copy_${Math.random().toString(36).slice(2, 8)}`;
  await withAdmin((client) => client.query(`create database ${name} template ${templateName}`));
  const drop = onCleanup(`drop database ${name}`, () => withAdmin((client) => client.query(`drop database if exists ${name} with (force)`)));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop };
}

export interface DatabaseSize {
  /** The whole database on disk (pg_database_size): catalog, job queue, and PostgreSQL's own ~7 MiB. */
  databaseBytes: number;
  /** Tables and indexes of the catalog (schema public), without the job queue's schema. */
  catalogBytes: number;
}

export async function databaseSize(url: string): Promise<DatabaseSize> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ database: string; catalog: string }>(
      `select pg_database_size(current_database()) as database,
              coalesce((select sum(pg_total_relation_size(c.oid)) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                        where n.nspname = 'public' and c.relkind in ('r', 'm')), 0) as catalog`,
    );
    return { databaseBytes: Number(rows[0]!.database), catalogBytes: Number(rows[0]!.catalog) };
  } finally {
    await client.end();
  }
}
