import type { Database } from '../db/database.js';
import { AppError, quoteInput } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { formatLocation } from '../model/location.js';
import { isAbandoned } from './dataset-lease.js';
import { deleteDataset as deleteDatasetRow, findDatasetByName, listDatasetsWithLastSync, type Dataset } from './dataset.repository.js';
import { findDatasourcesOfDataset, findInputDatasources, type Datasource, type DatasourcePurpose } from './datasource.repository.js';
import type { SampleCounts } from './sample.repository.js';
import { findSyncState, type RelevantFilenamesSummary, type SyncState } from './sync-state.repository.js';
import { countOrphanedThumbnails, type ThumbnailCounts } from './thumbnail.repository.js';
import { countDatasetContents, type CountDatasetContents } from './dataset-counts.js';

/** What the catalog's services use. */
export interface CatalogDeps {
  database: Database;
  clock: () => Date;
  log: Logger;
}

/** A datasource as shown to users: never carries a secret. */
export interface DatasourceView {
  purpose: DatasourcePurpose;
  uri: string;
  kind: Datasource['location']['kind'];
  region: string | null;
  endpoint: string | null;
  pathStyle: boolean;
  accessKeyId: string | null;
  hasSecret: boolean;
  sseKmsKeyId: string | null;
  /** Delegated access; the external ID is an identifier shared with the bucket owner, not a secret. */
  roleArn: string | null;
  externalId: string | null;
  roleSessionSeconds: number | null;
  /** The S3-compatible preset (r2, minio, gcs, …) the datasource was made with. */
  preset: string | null;
}

export interface DatasetView {
  id: string;
  name: string;
  input: DatasourceView;
  output: DatasourceView;
  include: string[];
  exclude: string[];
  hasRelevantFilenames: boolean;
  /** Longest side of the thumbnails each sync makes; null when thumbnails are off. */
  thumbnailSize: number | null;
  createdAt: string;
}

export interface DatasetDetails extends DatasetView {
  samples: SampleCounts;
  thumbnails: ThumbnailCounts;
  lastSync: {
    generation: number;
    status: SyncState['status'] | 'interrupted';
    phase: SyncState['phase'];
    startedAt: string;
    finishedAt: string | null;
    error: string | null;
  } | null;
  /** The relevant-filenames list against the bucket at the last completed sync; null without a list or before one. */
  relevantFilenames: RelevantFilenamesSummary | null;
  /** Thumbnails Winnow wrote for samples since removed that are still in the bucket (the keys could not delete them). */
  orphanedOutputs: {
    count: number;
    /** The first of their full keys in the output location, in key order. */
    first: string[];
    /** Whether the output's keys may delete, as last seen (verify, or a sync's delete); null: not known yet. */
    deleteAllowed: boolean | null;
  };
}

export interface DatasetSummary {
  name: string;
  input: string;
  samples: number;
  lastSyncedAt: string | null;
  syncStatus: string | null;
}

export async function requireDataset(deps: Pick<CatalogDeps, 'database'>, name: string): Promise<{ dataset: Dataset; datasources: Datasource[] }> {
  const dataset = await requireDatasetRow(deps, name);
  return { dataset, datasources: await findDatasourcesOfDataset(deps.database.db, dataset.id) };
}

/** The dataset itself, without its datasources. */
export async function requireDatasetRow(deps: Pick<CatalogDeps, 'database'>, name: string): Promise<Dataset> {
  const dataset = await findDatasetByName(deps.database.db, name);
  if (!dataset) {
    throw new AppError('DatasetNotFound', `No dataset named ${quoteInput(name)}.`, {
      hint: 'List datasets with `winnow dataset list`.',
      webHint: 'The Datasets page lists every dataset; it may have been deleted or renamed.',
    });
  }
  return dataset;
}

export async function listDatasets(deps: Pick<CatalogDeps, 'database'>): Promise<DatasetSummary[]> {
  const db = deps.database.db;
  const [datasets, inputs] = await Promise.all([listDatasetsWithLastSync(db), findInputDatasources(db)]);
  return datasets.map((dataset) => {
    const input = inputs.get(dataset.id);
    return {
      name: dataset.name,
      input: input ? formatLocation(input.location) : '',
      samples: dataset.liveSamples,
      lastSyncedAt: dataset.lastSyncedAt,
      syncStatus: dataset.syncStatus,
    };
  });
}

/** `countContents`: a server passes its cache (createDatasetCountsCache); a one-off read counts afresh. */
export async function showDataset(
  deps: Pick<CatalogDeps, 'database' | 'clock'>,
  name: string,
  countContents: CountDatasetContents = countDatasetContents,
): Promise<DatasetDetails> {
  const { dataset, datasources } = await requireDataset(deps, name);
  const db = deps.database.db;
  const [{ samples, thumbnails }, sync, orphans] = await Promise.all([
    countContents(db, dataset),
    findSyncState(db, dataset.id),
    countOrphanedThumbnails(db, dataset.id, 20),
  ]);
  const output = datasources.find((datasource) => datasource.purpose === 'output') ?? datasources.find((datasource) => datasource.purpose === 'input');
  return {
    ...toDatasetView(dataset, datasources),
    samples,
    thumbnails,
    lastSync: sync
      ? {
          generation: sync.generation,
          // A sync whose process was killed still says "running"; its lease tells that nobody runs it.
          status:
            sync.status === 'running' && (sync.leaseOwner === null || isAbandoned(sync.leaseOwner, sync.leaseExpiresAt, deps.clock()))
              ? 'interrupted'
              : sync.status,
          phase: sync.phase,
          startedAt: sync.startedAt,
          finishedAt: sync.finishedAt,
          error: sync.errorMessage,
        }
      : null,
    relevantFilenames: dataset.hasRelevantFilenames ? (sync?.relevantReport ?? null) : null,
    orphanedOutputs: { ...orphans, deleteAllowed: output?.deleteAllowed ?? null },
  };
}

/** Removes the dataset from the catalog only; the bucket is never touched. */
export async function deleteDataset(deps: Pick<CatalogDeps, 'database' | 'log'>, name: string): Promise<void> {
  const { dataset } = await requireDataset(deps, name);
  await deleteDatasetRow(deps.database.db, dataset.id);
  deps.log.info({ dataset: name }, 'dataset deleted from catalog');
}

export function toDatasetView(dataset: Dataset, datasources: readonly Datasource[]): DatasetView {
  const input = datasources.find((datasource) => datasource.purpose === 'input');
  const output = datasources.find((datasource) => datasource.purpose === 'output') ?? input;
  if (!input || !output) throw new AppError('DatasetNotFound', `Dataset "${dataset.name}" has no input datasource.`);
  return {
    id: dataset.id,
    name: dataset.name,
    input: toDatasourceView(input),
    output: toDatasourceView(output),
    include: dataset.includeGlobs,
    exclude: dataset.excludeGlobs,
    hasRelevantFilenames: dataset.hasRelevantFilenames,
    thumbnailSize: dataset.thumbnailSize,
    createdAt: dataset.createdAt,
  };
}

function toDatasourceView(datasource: Datasource): DatasourceView {
  return {
    purpose: datasource.purpose,
    uri: formatLocation(datasource.location),
    kind: datasource.location.kind,
    region: datasource.region,
    endpoint: datasource.endpoint,
    pathStyle: datasource.pathStyle,
    accessKeyId: datasource.accessKeyId,
    hasSecret: datasource.sealedSecret !== null,
    sseKmsKeyId: datasource.sseKmsKeyId,
    roleArn: datasource.role?.roleArn ?? null,
    externalId: datasource.role?.externalId ?? null,
    roleSessionSeconds: datasource.role?.sessionSeconds ?? null,
    preset: datasource.preset,
  };
}
