import { randomUUID } from 'node:crypto';
import { toDatasetView, type DatasetView } from '../catalog/dataset.service.js';
import { findDatasetByName, insertDataset } from '../catalog/dataset.repository.js';
import { insertRelevantKeys } from '../catalog/relevant-key.repository.js';
import { findDatasourcesOfDataset, insertDatasource, type Datasource, type DatasourcePurpose } from '../catalog/datasource.repository.js';
import { checkLocalFolder } from '../datasources/access-rules.js';
import { secretContext, type StoredSecret } from './dataset-stores.js';
import { validateConnection, type ConnectionSettings, type ValidatedConnection } from '../datasources/datasource-settings.js';
import { checkEndpoint } from '../datasources/endpoint-guard.js';
import { parseRelevantFilenames, validateGlobs } from '../datasources/key-filter.js';
import { AppError, quoteInput } from '../errors.js';
import { validateThumbnailSize } from '../media/image-processor.js';
import { formatLocation, parseLocation } from '../model/location.js';
import type { WorkflowDeps } from './workflow-deps.js';

export interface CreateDatasetInput {
  name: string;
  input: ConnectionSettings;
  /** Defaults to the input location with the input's connection. */
  output?: (Partial<ConnectionSettings> & { uri: string }) | undefined;
  include?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
  relevantFilenames?: { text: string; source: string } | undefined;
  /** Make thumbnails of this size (longest side, px) after every sync. */
  thumbnails?: { size: number } | undefined;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Refuses a name the CLI and the web app's routes could not carry. */
export function validateDatasetName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new AppError('InputInvalid', `${quoteInput(name)} is not a valid dataset name.`, {
      hint: 'Use 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit.',
    });
  }
}

/**
 * Registers a dataset: checks every setting (all problems at once), the endpoints and local folders
 * against the caller's access rules, seals the secrets, and stores it. Nothing is sent to the bucket.
 */
export async function createDataset(
  deps: Pick<WorkflowDeps, 'database' | 'secretBox' | 'clock' | 'log' | 'access'>,
  request: CreateDatasetInput,
): Promise<DatasetView> {
  validateDatasetName(request.name);
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
    ? parseRelevantFilenames(request.relevantFilenames.text, request.relevantFilenames.source, input.location)
    : undefined;

  const db = deps.database.db;
  if (await findDatasetByName(db, request.name)) {
    throw new AppError('DatasetExists', `A dataset named "${request.name}" already exists.`, { hint: 'Pick another name or delete the old dataset first.' });
  }
  const now = deps.clock().toISOString();
  const dataset = {
    id: randomUUID(),
    name: request.name,
    includeGlobs: include,
    excludeGlobs: exclude,
    hasRelevantFilenames: relevantKeys !== undefined,
    thumbnailSize,
    createdAt: now,
    updatedAt: now,
  };
  await db.transaction().execute(async (trx) => {
    await insertDataset(trx, dataset);
    await insertDatasource(trx, sealedDatasource(deps, dataset.id, 'input', input, now));
    await insertDatasource(trx, sealedDatasource(deps, dataset.id, 'output', output, now));
    if (relevantKeys) await insertRelevantKeys(trx, dataset.id, relevantKeys);
  });
  deps.log.info({ dataset: dataset.name, input: formatLocation(input.location) }, 'dataset created');
  return toDatasetView({ ...dataset, revision: 0, liveSamples: 0 }, await findDatasourcesOfDataset(db, dataset.id));
}

/**
 * The output reuses the input's connection (endpoint, region, preset, keys or SAS token) unless it was
 * given its own credentials, or lies in another kind of store, where the input's settings mean nothing.
 */
export function inheritConnection(input: ConnectionSettings, output: Partial<ConnectionSettings> & { uri: string }): ConnectionSettings {
  if (!sameKind(input.uri, output.uri)) return output;
  const ownKeys = output.accessKeyId !== undefined || output.sasToken !== undefined || output.accountKey !== undefined;
  return {
    uri: output.uri,
    region: output.region ?? input.region,
    endpoint: output.endpoint ?? input.endpoint,
    pathStyle: output.pathStyle ?? input.pathStyle,
    preset: output.preset ?? input.preset,
    accountId: output.accountId ?? input.accountId,
    accessKeyId: ownKeys ? output.accessKeyId : input.accessKeyId,
    secretAccessKey: ownKeys ? output.secretAccessKey : input.secretAccessKey,
    sessionToken: ownKeys ? output.sessionToken : input.sessionToken,
    sasToken: ownKeys ? output.sasToken : input.sasToken,
    accountKey: ownKeys ? output.accountKey : input.accountKey,
    sseKmsKeyId: output.sseKmsKeyId ?? input.sseKmsKeyId,
    roleArn: ownKeys ? output.roleArn : input.roleArn,
    externalId: ownKeys ? output.externalId : input.externalId,
    roleSessionSeconds: ownKeys ? output.roleSessionSeconds : input.roleSessionSeconds,
  };
}

/** Whether two URIs name the same kind of store (an unparsable one counts as the same: validation reports it). */
function sameKind(a: string, b: string): boolean {
  try {
    return parseLocation(a).kind === parseLocation(b).kind;
  } catch {
    return true;
  }
}

/** A datasource with its secret sealed to its own id, so a ciphertext copied to another row does not open. */
export function sealedDatasource(
  deps: Pick<WorkflowDeps, 'secretBox'>,
  datasetId: string,
  purpose: DatasourcePurpose,
  connection: ValidatedConnection,
  now: string,
): Datasource {
  const id = randomUUID();
  const { location } = connection;
  const isS3 = location.kind === 's3' || location.kind === 'gcs';
  const secret = storedSecret(connection);
  return {
    id,
    datasetId,
    purpose,
    location,
    region: isS3 ? connection.region : null,
    endpoint: location.kind === 'local' ? null : (connection.endpoint ?? null),
    pathStyle: isS3 && connection.pathStyle,
    accessKeyId: isS3 ? (connection.accessKeyId ?? null) : null,
    sealedSecret: secret ? deps.secretBox.seal(JSON.stringify(secret), secretContext(id)) : null,
    sseKmsKeyId: isS3 ? (connection.sseKmsKeyId ?? null) : null,
    role: connection.role
      ? { roleArn: connection.role.roleArn, externalId: connection.role.externalId ?? null, sessionSeconds: connection.role.sessionSeconds }
      : null,
    preset: connection.preset ?? null,
    deleteAllowed: null,
    createdAt: now,
  };
}

function storedSecret(connection: ValidatedConnection): StoredSecret | undefined {
  if (connection.location.kind === 'azure') {
    return connection.azure?.kind === 'sas'
      ? { sasToken: connection.azure.token }
      : connection.azure?.kind === 'shared-key'
        ? { accountKey: connection.azure.accountKey }
        : undefined;
  }
  if (connection.location.kind === 'local' || connection.secretAccessKey === undefined) return undefined;
  return { secretAccessKey: connection.secretAccessKey, sessionToken: connection.sessionToken };
}
