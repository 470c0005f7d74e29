import { randomUUID } from 'node:crypto';
import { insertDataset, type NewDataset } from '../../src/catalog/dataset.repository.js';
import type { Executor } from '../../src/db/executor.js';

/** Inserts a dataset row through the real repository, with defaults for everything a test does not care about. */
export async function insertTestDataset(db: Executor, fields: Partial<NewDataset> = {}): Promise<NewDataset> {
  const now = fields.createdAt ?? '2026-01-01T00:00:00.000Z';
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
