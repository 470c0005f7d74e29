import { requireDataset } from '../catalog/dataset.service.js';
import type { Context } from '../context.js';
import type { DatasetRow } from '../db/schema.js';
import { openDatasetStores, type DatasetStores } from './dataset-stores.js';

/** Keeps each dataset's object stores (S3 clients, decrypted credentials) for a long-running server. */
export interface DatasetStoreCache {
  get(datasetName: string): Promise<{ dataset: DatasetRow; stores: DatasetStores }>;
  forget(datasetName: string): void;
}

export function createDatasetStoreCache(deps: Pick<Context, 'config' | 'database' | 'secretBox' | 'access'>): DatasetStoreCache {
  const cache = new Map<string, Promise<{ dataset: DatasetRow; stores: DatasetStores }>>();
  return {
    get(datasetName) {
      let entry = cache.get(datasetName);
      if (!entry) {
        entry = requireDataset(deps, datasetName).then(async ({ dataset, datasources }) => ({ dataset, stores: await openDatasetStores(deps, dataset.name, datasources) }));
        entry.catch(() => cache.delete(datasetName));
        cache.set(datasetName, entry);
      }
      return entry;
    },
    forget: (datasetName) => {
      cache.delete(datasetName);
    },
  };
}
