import { requireDataset } from '../catalog/dataset.service.js';
import type { WorkflowDeps } from './workflow-deps.js';
import type { Dataset } from '../catalog/dataset.repository.js';
import { openDatasetStores, type DatasetStores } from './dataset-stores.js';

/** Keeps each dataset's object stores (S3 clients, decrypted credentials) for a long-running server. */
export interface DatasetStoreCache {
  get(datasetName: string): Promise<{ dataset: Dataset; stores: DatasetStores }>;
  forget(datasetName: string): void;
}

export function createDatasetStoreCache(deps: Pick<WorkflowDeps, 'config' | 'database' | 'secretBox' | 'access'>): DatasetStoreCache {
  const cache = new Map<string, Promise<{ dataset: Dataset; stores: DatasetStores }>>();
  return {
    get(datasetName) {
      let entry = cache.get(datasetName);
      if (!entry) {
        entry = requireDataset(deps, datasetName).then(async ({ dataset, datasources }) => ({
          dataset,
          stores: await openDatasetStores(deps, dataset.name, datasources),
        }));
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
