import type { Executor } from '../db/executor.js';
import { createSingleFlight } from '../shared/concurrency.js';
import type { Dataset } from './dataset.repository.js';
import { countSamples, type SampleCounts } from './sample.repository.js';
import { countThumbnails, type ThumbnailCounts } from './thumbnail.repository.js';

/** What a dataset's page shows of its samples and their thumbnails. */
export interface DatasetCounts {
  samples: SampleCounts;
  thumbnails: ThumbnailCounts;
}

export type CountDatasetContents = (db: Executor, dataset: Pick<Dataset, 'id' | 'revision'>) => Promise<DatasetCounts>;

export const countDatasetContents: CountDatasetContents = async (db, dataset) => {
  const samples = await countSamples(db, dataset.id);
  return { samples, thumbnails: await countThumbnails(db, dataset.id, samples.total) };
};

/**
 * A server is asked for the same dataset's counts over and over, and at 10^6 samples with thumbnails
 * they take a second of catalog work — on SQLite a second in which the server answers nobody. Counts
 * are kept by the dataset's revision, which every change to its samples or thumbnails raises in the
 * change's own transaction: a revision read before the counts labels counts at least that new, so a
 * kept count is never older than the row it is served with. One count per dataset at a time.
 */
export function createDatasetCountsCache(): CountDatasetContents {
  const kept = new Map<string, { revision: number; counts: DatasetCounts }>();
  const counting = createSingleFlight<string, DatasetCounts>();
  return async (db, dataset) => {
    const hit = kept.get(dataset.id);
    if (hit !== undefined && hit.revision >= dataset.revision) return hit.counts;
    return counting.run(`${dataset.id}@${dataset.revision}`, async () => {
      const counts = await countDatasetContents(db, dataset);
      const newest = kept.get(dataset.id);
      if (newest === undefined || newest.revision <= dataset.revision) kept.set(dataset.id, { revision: dataset.revision, counts });
      return counts;
    });
  };
}
