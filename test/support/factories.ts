import { randomUUID } from 'node:crypto';
import { insertDataset, type NewDataset } from '../../src/catalog/dataset.repository.js';
import { findSamplesByKeys, insertSamples, type NewSample } from '../../src/catalog/sample.repository.js';
import type { Database } from '../../src/db/database.js';
import type { Executor } from '../../src/db/executor.js';

const CREATED_AT = '2026-01-01T00:00:00.000Z';

/** Inserts a dataset row through the real repository, with defaults for everything a test does not care about. */
export async function insertTestDataset(db: Executor, fields: Partial<NewDataset> = {}): Promise<NewDataset> {
  const now = fields.createdAt ?? CREATED_AT;
  const dataset: NewDataset = {
    id: randomUUID(),
    name: `dataset-${randomUUID().slice(0, 8)}`,
    includeGlobs: [],
    excludeGlobs: [],
    hasRelevantFilenames: false,
    thumbnailSize: null,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
  await insertDataset(db, dataset);
  return dataset;
}

/** A sample as a first sync lists it (pending, dimensions unknown, seen in generation 1), with `fields` on top. */
export function testSample(datasetId: string, key: string, fields: Partial<NewSample> = {}): NewSample {
  const now = fields.firstSeenAt ?? CREATED_AT;
  return {
    datasetId,
    key,
    size: 1_000,
    etag: `etag-${key}`,
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
    ...fields,
  };
}

/** Inserts samples (keys, or samples built with `testSample`) through the real repository; their ids by key. */
export async function insertTestSamples(
  database: Database,
  datasetId: string,
  samples: ReadonlyArray<string | NewSample>,
  fields: Partial<NewSample> = {},
): Promise<Record<string, number>> {
  const rows = samples.map((sample) => (typeof sample === 'string' ? testSample(datasetId, sample, fields) : sample));
  await insertSamples(database.db, database.dialect, rows);
  const stored = await findSamplesByKeys(
    database.db,
    datasetId,
    rows.map((row) => row.key),
  );
  return Object.fromEntries(stored.map((row) => [row.key, row.id]));
}
