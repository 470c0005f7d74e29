import type { Config } from '../config/config.js';
import type { AccessRules } from './access-rules.js';
import type { DatasourceRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { createLocalObjectStore } from './local.object-store.js';
import { formatLocation, winnowPrefix, type Location } from './location.js';
import { DEFAULT_REGION, DEFAULT_ROLE_SESSION_SECONDS } from './datasource-settings.js';
import type { ObjectStore } from './object-store.js';

/** A store bound to one configured location of a dataset. */
export interface BoundStore {
  store: ObjectStore;
  location: Location;
  /** Full-key prefix of the location ('' for local folders). */
  prefix: string;
  uri: string;
  accessKeyId: string | undefined;
  kind: DatasourceRow['kind'];
  sseKmsKeyId: string | undefined;
}

export interface DatasetStores {
  input: BoundStore;
  /** Only its `.winnow/` folder is writable. */
  output: BoundStore;
}

export interface StoredSecret {
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export function locationOfRow(row: DatasourceRow): Location {
  return row.kind === 's3' ? { kind: 's3', bucket: row.container, prefix: row.prefix } : { kind: 'local', root: row.container, prefix: '' };
}

export function secretContext(datasourceId: string): string {
  return `winnow:datasource:${datasourceId}`;
}

/** Builds the object stores of a dataset's datasources, decrypting their credentials. */
export type StoreDeps = { config: Config; secretBox: SecretBox; access: AccessRules };

export async function openDatasetStores(deps: StoreDeps, datasetName: string, rows: readonly DatasourceRow[]): Promise<DatasetStores> {
  const input = rows.find((row) => row.purpose === 'input');
  const output = rows.find((row) => row.purpose === 'output') ?? input;
  if (input === undefined || output === undefined) throw new AppError('DatasetNotFound', 'The dataset has no input datasource.');
  return { input: await bindStore(deps, datasetName, input, false), output: await bindStore(deps, datasetName, output, true) };
}

async function bindStore(deps: StoreDeps, datasetName: string, row: DatasourceRow, writable: boolean): Promise<BoundStore> {
  const location = locationOfRow(row);
  const writablePrefix = writable ? winnowPrefix(location) : undefined;
  const common = { location, prefix: location.prefix, uri: formatLocation(location), accessKeyId: row.access_key_id ?? undefined, kind: row.kind, sseKmsKeyId: row.sse_kms_key_id ?? undefined };
  if (location.kind === 'local') return { ...common, store: createLocalObjectStore({ root: location.root, writablePrefix, dataDir: deps.access.dataDir }) };
  // The AWS SDK takes a quarter of a second to load; commands on local folders never need it.
  const [{ createS3ObjectStore }, { assumeRoleCredentials, roleSessionName }] = await Promise.all([import('./s3.object-store.js'), import('./aws-credentials.js')]);
  const secret = row.secret_ciphertext === null ? undefined : (JSON.parse(deps.secretBox.open(row.secret_ciphertext, secretContext(row.id))) as StoredSecret);
  const region = row.region ?? DEFAULT_REGION;
  const staticCredentials =
    row.access_key_id === null || secret === undefined ? undefined : { accessKeyId: row.access_key_id, secretAccessKey: secret.secretAccessKey, sessionToken: secret.sessionToken };
  const credentials =
    row.role_arn === null
      ? staticCredentials
      : assumeRoleCredentials({
          roleArn: row.role_arn,
          externalId: row.external_id ?? undefined,
          sessionSeconds: row.role_session_seconds ?? DEFAULT_ROLE_SESSION_SECONDS,
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
    endpoint: row.endpoint ?? undefined,
    pathStyle: row.path_style === 1,
    credentials,
    identity: row.role_arn ?? row.access_key_id ?? undefined,
    sseKmsKeyId: row.sse_kms_key_id ?? undefined,
    writablePrefix,
    maxAttempts: deps.config.s3MaxAttempts,
    connectTimeoutMs: deps.config.s3ConnectTimeoutMs,
    requestTimeoutMs: deps.config.s3RequestTimeoutMs,
    callDeadlineMs: deps.config.s3CallDeadlineMs,
    endpointRules: deps.access.endpoints,
    maxSockets: Math.max(64, deps.config.probeConcurrency * 2),
  });
  return { ...common, store };
}
