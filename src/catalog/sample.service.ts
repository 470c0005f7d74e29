import type { SampleStatus } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { CatalogDeps } from './dataset.service.js';
import { requireDataset } from './dataset.service.js';
import { listSamplesAfter } from './sample.repository.js';

export interface SampleView {
  key: string;
  size: number;
  width: number | null;
  height: number | null;
  format: string | null;
  status: SampleStatus;
  error: string | null;
  etag: string | null;
  lastModified: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface ListSamplesQuery {
  limit?: string | number | undefined;
  after?: string | undefined;
  status?: SampleStatus | undefined;
}

export const MAX_PAGE_SIZE = 10_000;

/** One keyset page of a dataset's live samples, in key order. */
export async function listSamples(deps: Pick<CatalogDeps, 'database'>, datasetName: string, query: ListSamplesQuery): Promise<SampleView[]> {
  const limit = Number(query.limit ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new AppError('InputInvalid', `limit must be an integer between 1 and ${MAX_PAGE_SIZE}, got "${query.limit}".`);
  }
  const { dataset } = await requireDataset(deps, datasetName);
  const rows = await listSamplesAfter(deps.database.db, dataset.id, query.after, limit, { status: query.status });
  return rows.map((row) => ({
    key: row.key,
    size: row.size,
    width: row.width,
    height: row.height,
    format: row.format,
    status: row.status,
    error: row.error,
    etag: row.etag,
    lastModified: row.last_modified,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
  }));
}
