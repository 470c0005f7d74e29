import { randomUUID } from 'node:crypto';
import type { Context } from '../context.js';
import type { DatasetRow, DatasourcePurpose, DatasourceRow, NewDatasourceRow } from '../db/schema.js';
import { AppError, quoteInput } from '../errors.js';
import { checkLocalFolder } from '../datasources/access-rules.js';
import { checkEndpoint } from '../datasources/endpoint-guard.js';
import { isAbandoned } from '../datasources/sync-lease.js';
import { secretContext, type StoredSecret } from '../datasources/dataset-stores.js';
import { validateConnection, type ConnectionSettings, type ValidatedConnection } from '../datasources/datasource-settings.js';
import { parseRelevantFilenames, validateGlobs } from '../datasources/key-filter.js';
import { formatLocation } from '../datasources/location.js';
import { validateThumbnailSize } from '../media/image-processor.js';
import { deleteDataset as deleteDatasetRow, findDatasetByName, insertDataset, insertRelevantKeys, listDatasetSummaries } from './dataset.repository.js';
import { findDatasourcesOfDataset, insertDatasource } from './datasource.repository.js';
import { countSamples, type SampleCounts } from './sample.repository.js';
import { findSyncState } from './sync-state.repository.js';
import { countThumbnails, type ThumbnailCounts } from './thumbnail.repository.js';

export type CatalogDeps = Pick<Context, 'database' | 'secretBox' | 'clock' | 'log' | 'access'>;

export interface CreateDatasetInput {
  name: string;
  input: ConnectionSettings;
  /** Defaults to the input location with the input's connection. */
  output?: (Partial<ConnectionSettings> & { uri: string }) | undefined;
  include?: readonly string[];
  exclude?: readonly string[];
  relevantFilenames?: { text: string; source: string } | undefined;
  /** Make thumbnails of this size (longest side, px) after every sync. */
  thumbnails?: { size: number } | undefined;
}

/** A datasource as shown to users: never carries a secret. */
export interface DatasourceView {
  purpose: DatasourcePurpose;
  uri: string;
  kind: DatasourceRow['kind'];
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
  lastSync: { generation: number; status: string; phase: string; startedAt: string; finishedAt: string | null; error: string | null } | null;
}

export interface DatasetSummary {
  name: string;
  input: string;
  samples: number;
  lastSyncedAt: string | null;
  syncStatus: string | null;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export async function createDataset(deps: CatalogDeps, request: CreateDatasetInput): Promise<DatasetView> {
  if (!NAME_PATTERN.test(request.name)) {
    throw new AppError('InputInvalid', `${quoteInput(request.name)} is not a valid dataset name.`, { hint: 'Use 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit.' });
  }
  const include = [...(request.include ?? [])];
  const exclude = [...(request.exclude ?? [])];
  validateGlobs(include, '--include');
  validateGlobs(exclude, '--exclude');
  const input = validateConnection(request.input, 'input', deps.access.endpoints);
  const output = request.output === undefined ? input : validateConnection(inheritConnection(request.input, request.output), 'output', deps.access.endpoints);
  for (const connection of new Set([input, output])) if (connection.endpoint !== undefined) await checkEndpoint(connection.endpoint, deps.access.endpoints);
  if (input.location.kind === 'local') await checkLocalFolder(input.location.root, deps.access, 'input');
  if (output.location.kind === 'local' && output !== input) await checkLocalFolder(output.location.root, deps.access, 'output');
  const thumbnailSize = request.thumbnails === undefined ? null : validateThumbnailSize(request.thumbnails.size, '--thumbnail-size');
  const relevantKeys = request.relevantFilenames
    ? parseRelevantFilenames(request.relevantFilenames.text, request.relevantFilenames.source, input.location.prefix)
    : undefined;

  const db = deps.database.db;
  if (await findDatasetByName(db, request.name)) {
    throw new AppError('DatasetExists', `A dataset named "${request.name}" already exists.`, { hint: 'Pick another name or delete the old dataset first.' });
  }
  const now = deps.clock().toISOString();
  const dataset: DatasetRow = {
    id: randomUUID(),
    name: request.name,
    include_globs: JSON.stringify(include),
    exclude_globs: JSON.stringify(exclude),
    has_relevant_filenames: relevantKeys ? 1 : 0,
    thumbnail_size: thumbnailSize,
    revision: 0,
    live_samples: 0,
    created_at: now,
    updated_at: now,
  };
  await db.transaction().execute(async (trx) => {
    await insertDataset(trx, dataset);
    await insertDatasource(trx, datasourceRow(deps, dataset.id, 'input', input, now));
    await insertDatasource(trx, datasourceRow(deps, dataset.id, 'output', output, now));
    if (relevantKeys) await insertRelevantKeys(trx, dataset.id, relevantKeys);
  });
  deps.log.info({ dataset: dataset.name, input: formatLocation(input.location) }, 'dataset created');
  return toDatasetView(dataset, await findDatasourcesOfDataset(db, dataset.id));
}

/** The output reuses the input's endpoint, region and keys unless it was given its own. */
function inheritConnection(input: ConnectionSettings, output: Partial<ConnectionSettings> & { uri: string }): ConnectionSettings {
  const ownKeys = output.accessKeyId !== undefined;
  return {
    uri: output.uri,
    region: output.region ?? input.region,
    endpoint: output.endpoint ?? input.endpoint,
    pathStyle: output.pathStyle ?? input.pathStyle,
    accessKeyId: ownKeys ? output.accessKeyId : input.accessKeyId,
    secretAccessKey: ownKeys ? output.secretAccessKey : input.secretAccessKey,
    sessionToken: ownKeys ? output.sessionToken : input.sessionToken,
    sseKmsKeyId: output.sseKmsKeyId ?? input.sseKmsKeyId,
    roleArn: ownKeys ? output.roleArn : input.roleArn,
    externalId: ownKeys ? output.externalId : input.externalId,
    roleSessionSeconds: ownKeys ? output.roleSessionSeconds : input.roleSessionSeconds,
  };
}

function datasourceRow(deps: CatalogDeps, datasetId: string, purpose: DatasourcePurpose, connection: ValidatedConnection, now: string): NewDatasourceRow {
  const id = randomUUID();
  const { location } = connection;
  const secret: StoredSecret | undefined =
    connection.secretAccessKey === undefined ? undefined : { secretAccessKey: connection.secretAccessKey, sessionToken: connection.sessionToken };
  const isS3 = location.kind === 's3';
  return {
    id,
    dataset_id: datasetId,
    purpose,
    kind: location.kind,
    container: isS3 ? location.bucket : location.root,
    prefix: location.prefix,
    region: isS3 ? connection.region : null,
    endpoint: isS3 ? (connection.endpoint ?? null) : null,
    path_style: isS3 && connection.pathStyle ? 1 : 0,
    access_key_id: isS3 ? (connection.accessKeyId ?? null) : null,
    secret_ciphertext: isS3 && secret ? deps.secretBox.seal(JSON.stringify(secret), secretContext(id)) : null,
    sse_kms_key_id: isS3 ? (connection.sseKmsKeyId ?? null) : null,
    role_arn: connection.role?.roleArn ?? null,
    external_id: connection.role?.externalId ?? null,
    role_session_seconds: connection.role?.sessionSeconds ?? null,
    created_at: now,
  };
}

export async function requireDataset(deps: Pick<CatalogDeps, 'database'>, name: string): Promise<{ dataset: DatasetRow; datasources: DatasourceRow[] }> {
  const dataset = await requireDatasetRow(deps, name);
  return { dataset, datasources: await findDatasourcesOfDataset(deps.database.db, dataset.id) };
}

/** The dataset's own row, without its datasources. */
export async function requireDatasetRow(deps: Pick<CatalogDeps, 'database'>, name: string): Promise<DatasetRow> {
  const dataset = await findDatasetByName(deps.database.db, name);
  if (!dataset) {
    throw new AppError('DatasetNotFound', `No dataset named "${name}".`, { hint: 'List datasets with `winnow dataset list`.' });
  }
  return dataset;
}

export async function listDatasets(deps: Pick<CatalogDeps, 'database'>): Promise<DatasetSummary[]> {
  const db = deps.database.db;
  const summaries = await listDatasetSummaries(db);
  const inputs = await db.selectFrom('datasources').selectAll().where('purpose', '=', 'input').execute();
  const inputByDataset = new Map(inputs.map((row) => [row.dataset_id, row]));
  return summaries.map((row) => {
    const input = inputByDataset.get(row.id);
    return {
      name: row.name,
      input: input ? toDatasourceView(input).uri : '',
      samples: row.live_samples,
      lastSyncedAt: row.last_synced_at,
      syncStatus: row.sync_status,
    };
  });
}

export async function showDataset(deps: Pick<CatalogDeps, 'database' | 'clock'>, name: string): Promise<DatasetDetails> {
  const { dataset, datasources } = await requireDataset(deps, name);
  const db = deps.database.db;
  const [samples, sync, thumbnails] = await Promise.all([countSamples(db, dataset.id), findSyncState(db, dataset.id), countThumbnails(db, dataset.id)]);
  return {
    ...toDatasetView(dataset, datasources),
    samples,
    thumbnails,
    lastSync: sync
      ? {
          generation: sync.generation,
          // A sync whose process was killed still says "running"; its lease tells that nobody runs it.
          status: sync.status === 'running' && (sync.lease_owner === null || isAbandoned(sync.lease_owner, sync.lease_expires_at, deps.clock())) ? 'interrupted' : sync.status,
          phase: sync.phase,
          startedAt: sync.started_at,
          finishedAt: sync.finished_at,
          error: sync.error_message,
        }
      : null,
  };
}

/** Removes the dataset from the catalog only; the bucket is never touched. */
export async function deleteDataset(deps: Pick<CatalogDeps, 'database' | 'log'>, name: string): Promise<void> {
  const { dataset } = await requireDataset(deps, name);
  await deleteDatasetRow(deps.database.db, dataset.id);
  deps.log.info({ dataset: name }, 'dataset deleted from catalog');
}

export function toDatasetView(dataset: DatasetRow, datasources: readonly DatasourceRow[]): DatasetView {
  const input = datasources.find((row) => row.purpose === 'input');
  const output = datasources.find((row) => row.purpose === 'output') ?? input;
  if (!input || !output) throw new AppError('DatasetNotFound', `Dataset "${dataset.name}" has no input datasource.`);
  return {
    id: dataset.id,
    name: dataset.name,
    input: toDatasourceView(input),
    output: toDatasourceView(output),
    include: JSON.parse(dataset.include_globs) as string[],
    exclude: JSON.parse(dataset.exclude_globs) as string[],
    hasRelevantFilenames: dataset.has_relevant_filenames === 1,
    thumbnailSize: dataset.thumbnail_size,
    createdAt: dataset.created_at,
  };
}

function toDatasourceView(row: DatasourceRow): DatasourceView {
  return {
    purpose: row.purpose,
    uri: formatLocation(row.kind === 's3' ? { kind: 's3', bucket: row.container, prefix: row.prefix } : { kind: 'local', root: row.container, prefix: '' }),
    kind: row.kind,
    region: row.region,
    endpoint: row.endpoint,
    pathStyle: row.path_style === 1,
    accessKeyId: row.access_key_id,
    hasSecret: row.secret_ciphertext !== null,
    sseKmsKeyId: row.sse_kms_key_id,
    roleArn: row.role_arn,
    externalId: row.external_id,
    roleSessionSeconds: row.role_session_seconds,
  };
}
