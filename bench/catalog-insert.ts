import { randomUUID } from 'node:crypto';
import { insertDataset } from '../src/catalog/dataset.repository.js';
import { insertSamples } from '../src/catalog/sample.repository.js';
import { openDatabase } from '../src/db/database.js';
import type { NewSample } from '../src/catalog/sample.repository.js';
import { relativeKey } from './bucket-layout.js';
import { makeTempDir } from './cleanup.js';
import { createFreshPostgresDatabase } from './postgres-database.js';
import type { CatalogDialect } from './winnow-cli.js';

export interface CatalogInsertRate {
  dialect: CatalogDialect;
  rows: number;
  transactionSize: number;
  ms: number;
  rowsPerSecond: number;
}

/** Inserts `rows` new samples through the repository, one transaction per `transactionSize`, into an empty catalog. */
export async function measureCatalogInsertRate(dialect: CatalogDialect, rows: number, transactionSize: number): Promise<CatalogInsertRate> {
  const home = await makeTempDir('winnow-bench-catalog-');
  const postgres = dialect === 'postgres' ? await createFreshPostgresDatabase() : undefined;
  const database = await openDatabase({ home: home.path, databaseUrl: postgres?.url });
  try {
    const datasetId = randomUUID();
    const now = new Date().toISOString();
    await insertDataset(database.db, {
      id: datasetId,
      name: 'bench',
      includeGlobs: [],
      excludeGlobs: [],
      hasRelevantFilenames: false,
      thumbnailSize: null,
      createdAt: now,
      updatedAt: now,
    });
    const batches = [];
    for (let first = 0; first < rows; first += transactionSize) {
      batches.push(Array.from({ length: Math.min(transactionSize, rows - first) }, (_, offset) => newSample(datasetId, first + offset, now)));
    }
    const started = performance.now();
    for (const batch of batches) await database.db.transaction().execute((trx) => insertSamples(trx, database.dialect, batch));
    const ms = performance.now() - started;
    return { dialect, rows, transactionSize, ms, rowsPerSecond: rows / (ms / 1000) };
  } finally {
    await database.close();
    await postgres?.drop();
    await home.remove();
  }
}

/** A row as a first sync writes it for a listed key. */
function newSample(datasetId: string, index: number, now: string): NewSample {
  return {
    datasetId: datasetId,
    key: relativeKey(index),
    size: 2_217,
    etag: 'c88986798b8aa3841bc9a1b0bfe08052',
    lastModified: now,
    width: null,
    height: null,
    format: null,
    status: 'pending',
    error: null,
    firstSeenAt: now,
    lastSeenAt: now,
    seenGeneration: 1,
    removedAt: null,
  };
}
