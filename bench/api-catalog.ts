/**
 * A catalog holding one S3 dataset of N realistic samples, on SQLite or PostgreSQL, as a
 * finished sync would leave it; plus an API token to browse it with.
 */
import { sql } from 'kysely';
import { createApiToken } from '../src/auth/token.service.js';
import { createDataset } from '../src/catalog/dataset.service.js';
import { insertSamples } from '../src/catalog/sample.repository.js';
import { loadConfig } from '../src/config/config.js';
import { createContext, type Context } from '../src/context.js';
import type { NewSampleRow } from '../src/db/schema.js';
import { BENCH_BUCKET, BENCH_CREDENTIALS, BENCH_ENDPOINT, BENCH_PREFIX } from './api-presign.js';
import { generateKeys, sampleRow } from './api-samples.js';
import { makeTempDir } from './cleanup.js';
import { createFreshPostgresDatabase } from './postgres-database.js';
import type { CatalogDialect } from './winnow-cli.js';

export const DATASET_NAME = 'farm-animals';

export interface FilledCatalog {
  dialect: CatalogDialect;
  /** WINNOW_* variables that open this catalog (the server process uses them). */
  env: Record<string, string>;
  token: string;
  rows: number;
  liveRows: number;
  pngLiveRows: number;
  insertMs: number;
  rowsPerSecond: number;
  insertMethod: string;
  analyzeMs: number;
  remove(): Promise<void>;
}

const SQLITE_TRANSACTION = 50_000;
const POSTGRES_STATEMENT = 20_000;

const COLUMNS = [
  'dataset_id',
  'key',
  'size',
  'etag',
  'last_modified',
  'width',
  'height',
  'format',
  'status',
  'error',
  'first_seen_at',
  'last_seen_at',
  'seen_generation',
  'removed_at',
] as const satisfies ReadonlyArray<keyof NewSampleRow>;
const PG_TYPES: Record<(typeof COLUMNS)[number], string> = {
  dataset_id: 'text',
  key: 'text',
  size: 'int8',
  etag: 'text',
  last_modified: 'text',
  width: 'int4',
  height: 'int4',
  format: 'text',
  status: 'text',
  error: 'text',
  first_seen_at: 'text',
  last_seen_at: 'text',
  seen_generation: 'int4',
  removed_at: 'text',
};

/** PostgreSQL: one `insert ... select from unnest(arrays)` per chunk, 14 parameters whatever the row count. */
async function insertWithUnnest(context: Context, rows: readonly NewSampleRow[]): Promise<void> {
  const arrays = COLUMNS.map((column) => sql`${rows.map((row) => row[column] ?? null)}::${sql.raw(PG_TYPES[column])}[]`);
  await sql`insert into samples (${sql.join(COLUMNS.map((column) => sql.ref(column)))}) select * from unnest(${sql.join(arrays)})`.execute(context.database.db);
}

export async function fillCatalog(dialect: CatalogDialect, rowCount: number): Promise<FilledCatalog> {
  const home = await makeTempDir(`winnow-bench-api-${dialect}-`);
  const postgres = dialect === 'postgres' ? await createFreshPostgresDatabase() : undefined;
  const env: Record<string, string> = { WINNOW_HOME: home.path, WINNOW_LOG_LEVEL: 'warn', ...(postgres ? { WINNOW_DATABASE_URL: postgres.url } : {}) };
  const context = await createContext(loadConfig({}, env));
  try {
    const dataset = await createDataset(context, {
      name: DATASET_NAME,
      input: {
        uri: `s3://${BENCH_BUCKET}/${BENCH_PREFIX}`,
        endpoint: BENCH_ENDPOINT,
        pathStyle: true,
        region: 'us-east-1',
        accessKeyId: BENCH_CREDENTIALS.accessKeyId,
        secretAccessKey: BENCH_CREDENTIALS.secretAccessKey,
      },
    });
    const keys = generateKeys(rowCount);
    const syncedAt = new Date('2025-01-02T03:04:05.000Z').toISOString();
    const chunk = dialect === 'sqlite' ? SQLITE_TRANSACTION : POSTGRES_STATEMENT;
    let liveRows = 0;
    let pngLiveRows = 0;
    const started = performance.now();
    for (let first = 0; first < keys.length; first += chunk) {
      const rows = keys.slice(first, first + chunk).map((sample, offset) => sampleRow(dataset.id, sample, first + offset, syncedAt));
      for (const row of rows) {
        if (row.removed_at !== null) continue;
        liveRows++;
        if (row.key.toLowerCase().endsWith('.png')) pngLiveRows++;
      }
      if (dialect === 'sqlite') await context.database.db.transaction().execute((trx) => insertSamples(trx, rows));
      else await insertWithUnnest(context, rows);
    }
    const insertMs = performance.now() - started;
    // PostgreSQL's autovacuum analyses a table this size soon after the load; do it now so every run plans alike.
    const analyzeStarted = performance.now();
    if (dialect === 'postgres') await sql`vacuum analyze samples`.execute(context.database.db);
    const analyzeMs = dialect === 'postgres' ? performance.now() - analyzeStarted : 0;
    const { token } = await createApiToken(context, 'bench');
    return {
      dialect,
      env,
      token,
      rows: rowCount,
      liveRows,
      pngLiveRows,
      insertMs,
      rowsPerSecond: rowCount / (insertMs / 1000),
      insertMethod: dialect === 'sqlite' ? `insertSamples, ${SQLITE_TRANSACTION.toLocaleString('en-US')} rows per transaction` : `insert ... select from unnest(), ${POSTGRES_STATEMENT.toLocaleString('en-US')} rows per statement`,
      analyzeMs,
      remove: async () => {
        await postgres?.drop();
        await home.remove();
      },
    };
  } finally {
    await context.close();
  }
}
