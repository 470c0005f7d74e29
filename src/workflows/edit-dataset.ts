import { acquireDatasetLease } from '../catalog/dataset-lease.js';
import { bumpDatasetRevision, findDatasetByName, updateDatasetSettings } from '../catalog/dataset.repository.js';
import { requireDataset, toDatasetView, type DatasetView } from '../catalog/dataset.service.js';
import { findDatasourcesOfDataset, replaceDatasource, type Datasource } from '../catalog/datasource.repository.js';
import { deleteRelevantKeys, insertRelevantKeys } from '../catalog/relevant-key.repository.js';
import { recordRelevantReport } from '../catalog/sync-state.repository.js';
import { forgetDatasetThumbnails } from '../catalog/thumbnail.repository.js';
import { checkLocalFolder } from '../datasources/access-rules.js';
import { validateConnection, type ConnectionSettings, type ValidatedConnection } from '../datasources/datasource-settings.js';
import { checkEndpoint } from '../datasources/endpoint-guard.js';
import { parseRelevantFilenames, validateGlobs } from '../datasources/key-filter.js';
import { AppError } from '../errors.js';
import { validateThumbnailSize } from '../media/image-processor.js';
import { formatLocation, parseLocation } from '../model/location.js';
import { inheritConnection, sealedDatasource, validateDatasetName } from './create-dataset.js';
import { secretContext, type StoredSecret } from './dataset-stores.js';
import type { WorkflowDeps } from './workflow-deps.js';

/** A connection patch: a field left out keeps its stored value, null clears it. Secrets are never read back, only replaced. */
export type ConnectionPatch = { [K in keyof ConnectionSettings]?: ConnectionSettings[K] | null };

/** What may change after creation; a field left out stays as it is. */
export interface EditDatasetInput {
  name?: string | undefined;
  /** The input's connection (keys, role, region, endpoint…). Its location cannot change: `uri`, if given, must be the stored one. */
  input?: ConnectionPatch | undefined;
  /** A new or changed output location; null writes under the input again. */
  output?: ConnectionPatch | null | undefined;
  include?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
  /** A new relevant-filenames list; null drops the list (every image is indexed again). */
  relevantFilenames?: { text: string; source: string } | null | undefined;
  /** null turns thumbnails off. */
  thumbnails?: { size: number } | null | undefined;
}

type EditDeps = Pick<WorkflowDeps, 'database' | 'secretBox' | 'clock' | 'log' | 'access'>;

const CREDENTIALS = ['accessKeyId', 'secretAccessKey', 'sessionToken', 'roleArn', 'externalId', 'roleSessionSeconds', 'sasToken', 'accountKey'] as const;

/**
 * Changes a dataset's settings with the same checks as `createDataset` (a connection's problems
 * all at once, endpoints and local folders against the access rules). The input location is the dataset's
 * identity and cannot move; everything else applies at the next sync. Refused while a sync or
 * another job holds the dataset. Nothing is sent to the bucket.
 */
export async function editDataset(deps: EditDeps, name: string, patch: EditDatasetInput): Promise<DatasetView> {
  const { dataset, datasources } = await requireDataset(deps, name);
  const storedInput = datasources.find((datasource) => datasource.purpose === 'input')!;
  const storedOutput = datasources.find((datasource) => datasource.purpose === 'output') ?? storedInput;

  const newName = patch.name ?? dataset.name;
  validateDatasetName(newName);
  const include = patch.include === undefined ? dataset.includeGlobs : [...patch.include];
  const exclude = patch.exclude === undefined ? dataset.excludeGlobs : [...patch.exclude];
  validateGlobs(include, '--include');
  validateGlobs(exclude, '--exclude');
  const thumbnailSize =
    patch.thumbnails === undefined
      ? dataset.thumbnailSize
      : patch.thumbnails === null
        ? null
        : validateThumbnailSize(patch.thumbnails.size, '--thumbnail-size');

  refuseInputMove(storedInput, patch.input?.uri);
  const currentInput = storedSettings(deps, storedInput);
  const patchedInput = patch.input === undefined ? currentInput : applyPatch(currentInput, { ...patch.input, uri: undefined });
  // A patch that changes nothing keeps the datasource (and what was learnt of its keys, such as the delete light).
  const inputSettings = sameSettings(patchedInput, currentInput) ? currentInput : patchedInput;
  const input = inputSettings === currentInput ? undefined : validateConnection(inputSettings, 'input', deps.access.endpoints);
  const outputSettings = nextOutput(deps, { storedInput, storedOutput, currentInput, inputSettings, patch: patch.output });
  const output =
    outputSettings === undefined || sameSettings(outputSettings, storedSettings(deps, storedOutput))
      ? undefined
      : validateConnection(outputSettings, 'output', deps.access.endpoints);
  for (const connection of [input, output]) if (connection?.endpoint !== undefined) await checkEndpoint(connection.endpoint, deps.access.endpoints);
  if (output?.location.kind === 'local' && !sameLocation(output, storedInput)) await checkLocalFolder(output.location.root, deps.access, 'output');
  const relevantKeys =
    patch.relevantFilenames === undefined || patch.relevantFilenames === null
      ? undefined
      : parseRelevantFilenames(patch.relevantFilenames.text, patch.relevantFilenames.source, storedInput.location);

  const db = deps.database.db;
  if (newName !== dataset.name && (await findDatasetByName(db, newName))) {
    throw new AppError('DatasetExists', `A dataset named "${newName}" already exists.`, { hint: 'Pick another name.' });
  }
  const lease = await acquireDatasetLease(db, dataset.id, dataset.name, 'edit', deps.clock);
  try {
    const now = deps.clock().toISOString();
    const outputMoved = output !== undefined && formatLocation(output.location) !== formatLocation(storedOutput.location);
    await db.transaction().execute(async (trx) => {
      await updateDatasetSettings(trx, dataset.id, {
        name: newName,
        includeGlobs: include,
        excludeGlobs: exclude,
        hasRelevantFilenames: patch.relevantFilenames === undefined ? dataset.hasRelevantFilenames : patch.relevantFilenames !== null,
        thumbnailSize,
        updatedAt: now,
      });
      if (input) await replaceDatasource(trx, sealedDatasource(deps, dataset.id, 'input', input, now));
      if (output) await replaceDatasource(trx, sealedDatasource(deps, dataset.id, 'output', output, now));
      if (patch.relevantFilenames !== undefined) {
        await deleteRelevantKeys(trx, dataset.id);
        if (relevantKeys) await insertRelevantKeys(trx, dataset.id, relevantKeys);
        // The last sync's report was about the old list.
        await recordRelevantReport(trx, dataset.id, null);
      }
      if (outputMoved) {
        // Their keys name the old output; the next sync writes them again under the new one.
        await forgetDatasetThumbnails(trx, dataset.id);
        await bumpDatasetRevision(trx, dataset.id);
      }
    });
    deps.log.info({ dataset: newName, renamedFrom: newName === dataset.name ? undefined : dataset.name }, 'dataset settings changed');
  } finally {
    await lease.release().catch(() => undefined);
  }
  return toDatasetView((await findDatasetByName(db, newName))!, await findDatasourcesOfDataset(db, dataset.id));
}

function refuseInputMove(storedInput: Datasource, uri: string | null | undefined): void {
  if (uri === undefined || uri === null) return;
  const stored = formatLocation(storedInput.location);
  let given: string;
  try {
    given = formatLocation(parseLocation(uri));
  } catch {
    given = uri;
  }
  if (given !== stored) {
    throw new AppError('InputInvalid', `The input location of a dataset cannot change (it is ${stored}).`, {
      hint: 'Its samples, tags and vectors belong to that location: create a new dataset for the other folder instead.',
    });
  }
}

/** The settings a datasource was made with, its secret opened. */
function storedSettings(deps: Pick<WorkflowDeps, 'secretBox'>, datasource: Datasource): ConnectionSettings {
  const secret =
    datasource.sealedSecret === null ? {} : (JSON.parse(deps.secretBox.open(datasource.sealedSecret, secretContext(datasource.id))) as StoredSecret);
  return withoutUndefined({
    uri: formatLocation(datasource.location),
    region: datasource.region ?? undefined,
    endpoint: datasource.endpoint ?? undefined,
    pathStyle: datasource.pathStyle || undefined,
    accessKeyId: datasource.accessKeyId ?? undefined,
    secretAccessKey: secret.secretAccessKey,
    sessionToken: secret.sessionToken,
    sseKmsKeyId: datasource.sseKmsKeyId ?? undefined,
    roleArn: datasource.role?.roleArn,
    externalId: datasource.role?.externalId ?? undefined,
    roleSessionSeconds: datasource.role?.sessionSeconds ?? undefined,
    preset: datasource.preset ?? undefined,
    sasToken: secret.sasToken,
    accountKey: secret.accountKey,
  });
}

/**
 * Applies a patch field by field. A secret belongs to its key: a new access key id without a new
 * secret drops the old secret (validation then asks for one), and a new SAS token replaces an
 * account key and the other way round.
 */
function applyPatch(current: ConnectionSettings, patch: ConnectionPatch): ConnectionSettings {
  const next: Record<string, unknown> = { ...current };
  if (patch.accessKeyId !== undefined && patch.accessKeyId !== current.accessKeyId) {
    delete next.secretAccessKey;
    delete next.sessionToken;
  }
  if (patch.sasToken != null) delete next.accountKey;
  if (patch.accountKey != null) delete next.sasToken;
  if (patch.roleArn === null) {
    delete next.externalId;
    delete next.roleSessionSeconds;
  }
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next as unknown as ConnectionSettings;
}

/**
 * The output's new settings, or undefined to keep the stored one. An output that is the input's
 * location, or that reached its own location with the input's keys, follows the input's changes.
 */
function nextOutput(
  deps: Pick<WorkflowDeps, 'secretBox'>,
  state: {
    storedInput: Datasource;
    storedOutput: Datasource;
    currentInput: ConnectionSettings;
    inputSettings: ConnectionSettings;
    patch: EditDatasetInput['output'];
  },
): ConnectionSettings | undefined {
  const { storedInput, storedOutput, currentInput, inputSettings, patch } = state;
  const separate = formatLocation(storedOutput.location) !== formatLocation(storedInput.location);
  const currentOutput = separate ? storedSettings(deps, storedOutput) : currentInput;
  const inherits = !separate || CREDENTIALS.every((field) => currentOutput[field] === currentInput[field]);
  if (patch === null) return inputSettings;
  if (patch === undefined) {
    if (inputSettings === currentInput) return undefined;
    return inherits ? inheritConnection(inputSettings, { uri: currentOutput.uri }) : undefined;
  }
  const uri = patch.uri ?? currentOutput.uri;
  const movesOrStarts = !separate || !sameUri(uri, currentOutput.uri);
  const ownCredentials = CREDENTIALS.some((field) => patch[field] != null);
  if ((movesOrStarts || inherits) && !ownCredentials) return inheritConnection(inputSettings, definedFields({ ...patch, uri }));
  return applyPatch(currentOutput, { ...patch, uri });
}

function sameSettings(a: ConnectionSettings, b: ConnectionSettings): boolean {
  const canonical = (settings: ConnectionSettings) => JSON.stringify(Object.entries(withoutUndefined(settings)).sort(([x], [y]) => x.localeCompare(y)));
  return canonical(a) === canonical(b);
}

function sameUri(a: string, b: string): boolean {
  try {
    return formatLocation(parseLocation(a)) === formatLocation(parseLocation(b));
  } catch {
    return a === b;
  }
}

function sameLocation(connection: ValidatedConnection, datasource: Datasource): boolean {
  return formatLocation(connection.location) === formatLocation(datasource.location);
}

function definedFields(patch: ConnectionPatch & { uri: string }): Partial<ConnectionSettings> & { uri: string } {
  return withoutUndefined(Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== null)) as Partial<ConnectionSettings> & { uri: string });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
