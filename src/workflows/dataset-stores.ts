import type { Datasource } from '../catalog/datasource.repository.js';
import type { BoundStore, DatasetStores } from '../datasources/bound-store.js';
import { DEFAULT_REGION, DEFAULT_ROLE_SESSION_SECONDS } from '../datasources/datasource-settings.js';
import { createLocalObjectStore } from '../datasources/local.object-store.js';
import type { StorageRetry } from '../datasources/object-store.js';
import { AppError } from '../errors.js';
import { formatLocation, winnowPrefix } from '../model/location.js';
import type { WorkflowDeps } from './workflow-deps.js';

export type { BoundStore, DatasetStores };

/** What a datasource's sealed secret holds: S3 (and GCS HMAC) keys, or an Azure SAS token or account key. */
export interface StoredSecret {
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
  sasToken?: string | undefined;
  accountKey?: string | undefined;
}

/** The context a datasource's secret is sealed to: its own id. */
export function secretContext(datasourceId: string): string {
  return `winnow:datasource:${datasourceId}`;
}

export type StoreDeps = Pick<WorkflowDeps, 'config' | 'secretBox' | 'access'>;

export interface OpenStoreOptions {
  /** Told before each retry of a storage call (S3 stores), so a long job can show that it is retrying. */
  onRetry?: ((retry: StorageRetry) => void) | undefined;
}

/** The datasource Winnow writes to: the output, or the input when the dataset has no separate output. */
export function outputDatasourceOf(datasources: readonly Datasource[]): Datasource | undefined {
  return datasources.find((datasource) => datasource.purpose === 'output') ?? datasources.find((datasource) => datasource.purpose === 'input');
}

/** Builds the object stores of a dataset's datasources, opening their sealed credentials. */
export async function openDatasetStores(
  deps: StoreDeps,
  datasetName: string,
  datasources: readonly Datasource[],
  options: OpenStoreOptions = {},
): Promise<DatasetStores> {
  const input = datasources.find((datasource) => datasource.purpose === 'input');
  const output = outputDatasourceOf(datasources);
  if (input === undefined || output === undefined) throw new AppError('DatasetNotFound', 'The dataset has no input datasource.');
  return { input: await bindStore(deps, datasetName, input, false, options), output: await bindStore(deps, datasetName, output, true, options) };
}

async function bindStore(deps: StoreDeps, datasetName: string, datasource: Datasource, writable: boolean, options: OpenStoreOptions): Promise<BoundStore> {
  const { location } = datasource;
  const writablePrefix = writable ? winnowPrefix(location) : undefined;
  const common = {
    location,
    prefix: location.prefix,
    uri: formatLocation(location),
    accessKeyId: datasource.accessKeyId ?? undefined,
    kind: location.kind,
    sseKmsKeyId: datasource.sseKmsKeyId ?? undefined,
    browserUrls: 'presigned' as const,
  };
  if (location.kind === 'local')
    return { ...common, browserUrls: 'served', store: createLocalObjectStore({ root: location.root, writablePrefix, dataDir: deps.access.dataDir }) };
  const secret =
    datasource.sealedSecret === null ? undefined : (JSON.parse(deps.secretBox.open(datasource.sealedSecret, secretContext(datasource.id))) as StoredSecret);
  if (location.kind === 'azure') return bindAzureStore(deps, { ...common, location }, secret, datasource.endpoint ?? undefined, writablePrefix);
  // The AWS SDK takes a quarter of a second to load; commands on local folders never need it.
  const [{ createS3ObjectStore }, { assumeRoleCredentials, roleSessionName }] = await Promise.all([
    import('../datasources/s3.object-store.js'),
    import('../datasources/aws-credentials.js'),
  ]);
  const region = datasource.region ?? DEFAULT_REGION;
  const staticCredentials =
    datasource.accessKeyId === null || secret?.secretAccessKey === undefined
      ? undefined
      : { accessKeyId: datasource.accessKeyId, secretAccessKey: secret.secretAccessKey, sessionToken: secret.sessionToken };
  const credentials =
    datasource.role === null
      ? staticCredentials
      : assumeRoleCredentials({
          roleArn: datasource.role.roleArn,
          externalId: datasource.role.externalId ?? undefined,
          sessionSeconds: datasource.role.sessionSeconds ?? DEFAULT_ROLE_SESSION_SECONDS,
          sessionName: roleSessionName(datasetName),
          region,
          stsEndpoint: deps.config.stsEndpoint,
          connectTimeoutMs: deps.config.s3ConnectTimeoutMs,
          requestTimeoutMs: deps.config.s3RequestTimeoutMs,
          baseCredentials: staticCredentials,
        });
  const store = createS3ObjectStore({
    bucket: location.bucket,
    region,
    endpoint: datasource.endpoint ?? undefined,
    pathStyle: datasource.pathStyle,
    credentials,
    identity: datasource.role?.roleArn ?? datasource.accessKeyId ?? undefined,
    sseKmsKeyId: datasource.sseKmsKeyId ?? undefined,
    writablePrefix,
    maxAttempts: deps.config.s3MaxAttempts,
    connectTimeoutMs: deps.config.s3ConnectTimeoutMs,
    requestTimeoutMs: deps.config.s3RequestTimeoutMs,
    callDeadlineMs: deps.config.s3CallDeadlineMs,
    endpointRules: deps.access.endpoints,
    maxSockets: Math.max(64, deps.config.probeConcurrency * 2),
    flavor: location.kind === 'gcs' ? 'gcs' : 'aws',
    onRetry: options.onRetry,
  });
  return { ...common, store };
}

async function bindAzureStore(
  deps: StoreDeps,
  common: Omit<BoundStore, 'store' | 'location'> & { location: Extract<BoundStore['location'], { kind: 'azure' }> },
  secret: StoredSecret | undefined,
  endpoint: string | undefined,
  writablePrefix: string | undefined,
): Promise<BoundStore> {
  const { location } = common;
  const credential =
    secret?.sasToken !== undefined
      ? { kind: 'sas' as const, token: secret.sasToken }
      : secret?.accountKey !== undefined
        ? { kind: 'shared-key' as const, accountKey: secret.accountKey }
        : undefined;
  if (credential === undefined) {
    throw new AppError('SecretMissing', `The datasource ${formatLocation(location)} has no SAS token or account key.`, {
      hint: 'Create the dataset again with a SAS token or the account key.',
    });
  }
  // The Azure SDK loads only for Azure datasets, as the AWS SDK does for S3 ones.
  const { createAzureObjectStore } = await import('../datasources/azure.object-store.js');
  const store = createAzureObjectStore({
    account: location.account,
    container: location.container,
    endpoint,
    credential,
    writablePrefix,
    maxAttempts: deps.config.s3MaxAttempts,
    requestTimeoutMs: deps.config.s3RequestTimeoutMs,
    callDeadlineMs: deps.config.s3CallDeadlineMs,
    endpointRules: deps.access.endpoints,
    maxSockets: Math.max(64, deps.config.probeConcurrency * 2),
  });
  // A SAS token cannot sign another SAS and is never handed to browsers, so Winnow serves those bytes itself.
  return { ...common, store, browserUrls: credential.kind === 'sas' ? 'served' : 'presigned' };
}
