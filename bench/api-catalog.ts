/**
 * A catalog holding one S3 dataset of N realistic samples, on SQLite or PostgreSQL, as a
 * finished sync would leave it; plus an API token to browse it with.
 */
import { sql } from 'kysely';
import { createApiToken } from '../src/auth/token.service.js';
import { createDataset } from '../src/workflows/create-dataset.js';
import { insertSamples } from '../src/catalog/sample.repository.js';
import { loadConfig } from '../src/config/config.js';
import { createContext } from '../src/context.js';
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

/** Rows per transaction while filling the catalog. */
const FILL_CHUNK = 20_000;

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
    const chunk = FILL_CHUNK;
    let liveRows = 0;
    let pngLiveRows = 0;
    const started = performance.now();
    for (let first = 0; first < keys.length; first += chunk) {
      const rows = keys.slice(first, first + chunk).map((sample, offset) => sampleRow(dataset.id, sample, first + offset, syncedAt));
      for (const row of rows) {
        if (row.removedAt !== null) continue;
        liveRows++;
        if (row.key.toLowerCase().endsWith('.png')) pngLiveRows++;
      }
      await context.database.db.transaction().execute((trx) => insertSamples(trx, dialect, rows));
    }
    const insertMs = performance.now() - started;
    // PostgreSQL's autovacuum analyses a table this size soon after the load; do it now so every run plans alike.
    // The checkpoint writes the load's dirty pages now, not while the first timed run is going on.
    const analyzeStarted = performance.now();
    if (dialect === 'postgres') {
      await sql`vacuum analyze samples`.execute(context.database.db);
      await sql`checkpoint`
        .execute(context.database.db)
        .catch((error: Error) => console.log(`  (no checkpoint: ${error.message}; needs superuser or pg_checkpoint)`));
    }
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
      insertMethod: `insertSamples, ${chunk.toLocaleString('en-US')} rows per transaction`,
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
