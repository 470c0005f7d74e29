import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import type { Dialect } from './dialect.js';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { AppError } from '../errors.js';
import { catalogMigration } from './migrations/0001-catalog.js';
import { thumbnailsMigration } from './migrations/0002-thumbnails.js';
import { apiAccessMigration } from './migrations/0003-api-access.js';
import { browseAtScaleMigration } from './migrations/0004-browse-at-scale.js';
import { datasetChangeNoticesMigration } from './migrations/0005-dataset-change-notices.js';
import { removedSamplesIndexMigration } from './migrations/0006-removed-samples-index.js';
import { embeddingsMigration } from './migrations/0007-embeddings.js';
import { curationMigration } from './migrations/0008-curation.js';
import { moreStorageKindsMigration } from './migrations/0009-more-storage-kinds.js';
import { duplicatesMigration } from './migrations/0010-duplicates.js';
import { jobsMigration } from './migrations/0011-jobs.js';
import { looseEndsMigration } from './migrations/0013-loose-ends.js';
import { syncShardsMigration } from './migrations/0014-sync-shards.js';
import { nameGramsMigration } from './migrations/0017-name-grams.js';
import { shardProbingMigration } from './migrations/0018-shard-probing.js';
import { listenForNotices, type NoticeHandlers, type NoticeListener } from './notice-listener.js';
import type { DB } from './schema.js';

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /** Where the catalog lives, without credentials (for messages). */
  location: string;
  /** PostgreSQL only: hears NOTIFY on `channel` over a connection of its own (see notice-listener.ts). */
  listen?(channel: string, handlers: NoticeHandlers): NoticeListener;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  home: string;
  databaseUrl: string | undefined;
}

/** Opens the catalog (SQLite in `home` unless a PostgreSQL URL is given) and brings its schema up to date. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const database = options.databaseUrl ? openPostgres(options.databaseUrl) : openSqlite(options.home);
  try {
    await migrateToLatest(database);
  } catch (error) {
    await database.close();
    throw new AppError('CatalogUnavailable', `Could not prepare the catalog at ${database.location}: ${(error as Error).message}`, {
      cause: error,
      hint: database.dialect === 'postgres' ? 'Check that PostgreSQL is running and WINNOW_DATABASE_URL is right.' : 'Check that WINNOW_HOME is writable.',
    });
  }
  return database;
}

function openSqlite(home: string): Database {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = join(home, 'catalog.sqlite');
  const connection = new SQLite(file);
  // The catalog holds sealed credentials and bucket layouts: owner-only, like the master key.
  chmodSync(file, 0o600);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
  return { db, dialect: 'sqlite', location: file, close: () => db.destroy() };
}

/** Prepared statements kept per connection; the catalog's queries come in a few dozen shapes. */
const STATEMENTS_KEPT = 256;

/**
 * Kysely prepares every query it runs; compiling the SQL again costs a grid page more than
 * reading its 200 rows does. A statement still held by an iterator (a stream nobody closed)
 * cannot run again, so that one case prepares a fresh statement.
 */
function withStatementCache(connection: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => connection.close(),
    prepare(sql) {
      const kept = statements.get(sql);
      if (kept !== undefined && !kept.busy) return kept;
      const statement = connection.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > STATEMENTS_KEPT) statements.delete(statements.keys().next().value!);
      return statement;
    },
  };
}

const INT8_OID = 20;

function openPostgres(url: string): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server closed (a restart, pg_terminate_backend, a pooler's timeout) is dropped
  // by the pool and the next query opens another; unheard, the pool's 'error' would end the process.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    location: redactUrl(url),
    listen: (channel, handlers) => listenForNotices(() => new pg.Client({ connectionString: url }), channel, handlers),
    close: () => db.destroy(),
  };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://<unparseable url>';
  }
}

/** Every migration of the catalog, by name, for a dialect. */
export function catalogMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-catalog': catalogMigration(dialect),
    '0002-thumbnails': thumbnailsMigration(dialect),
    '0003-api-access': apiAccessMigration(dialect),
    '0004-browse-at-scale': browseAtScaleMigration(dialect),
    '0005-dataset-change-notices': datasetChangeNoticesMigration(dialect),
    '0006-removed-samples-index': removedSamplesIndexMigration(dialect),
    '0007-embeddings': embeddingsMigration(dialect),
    '0008-curation': curationMigration(dialect),
    '0009-more-storage-kinds': moreStorageKindsMigration(dialect),
    '0010-duplicates': duplicatesMigration(dialect),
    '0011-jobs': jobsMigration(dialect),
    '0013-loose-ends': looseEndsMigration(dialect),
    '0014-sync-shards': syncShardsMigration(dialect),
    '0017-name-grams': nameGramsMigration(dialect),
    '0018-shard-probing': shardProbingMigration(dialect),
  };
}

async function migrateToLatest(database: Database): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => catalogMigrations(database.dialect) };
  const { error, results } = await new Migrator({ db: database.db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message}`, { cause: error });
  }
}
