import type { Executor } from '../db/executor.js';
import type { DatasourcePurpose, DatasourceRow } from '../db/schema.js';
import type { Location } from '../model/location.js';

export type { DatasourcePurpose };

/** Delegated access: Winnow assumes this role from its own base credentials. */
export interface RoleAccess {
  roleArn: string;
  /** An identifier shared with the bucket owner, not a secret. */
  externalId: string | null;
  sessionSeconds: number | null;
}

/** Where one side (input or output) of a dataset lives and how to reach it. */
export interface Datasource {
  id: string;
  datasetId: string;
  purpose: DatasourcePurpose;
  location: Location;
  region: string | null;
  endpoint: string | null;
  pathStyle: boolean;
  accessKeyId: string | null;
  /** AES-256-GCM sealed JSON of the secret access key and session token, bound to this datasource's id. */
  sealedSecret: string | null;
  sseKmsKeyId: string | null;
  role: RoleAccess | null;
  /** The S3-compatible preset the datasource was made with (see datasources/s3-presets.ts). */
  preset: string | null;
  /** Whether its keys may delete Winnow's own objects here, as last seen (verify, or a delete of an output); null: not known yet. */
  deleteAllowed: boolean | null;
  createdAt: string;
}

export function toDatasource(row: DatasourceRow): Datasource {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    purpose: row.purpose,
    location: toLocation(row),
    region: row.region,
    endpoint: row.endpoint,
    pathStyle: row.path_style === 1,
    accessKeyId: row.access_key_id,
    sealedSecret: row.secret_ciphertext,
    sseKmsKeyId: row.sse_kms_key_id,
    role: row.role_arn === null ? null : { roleArn: row.role_arn, externalId: row.external_id, sessionSeconds: row.role_session_seconds },
    preset: row.preset,
    deleteAllowed: row.delete_allowed === null ? null : row.delete_allowed === 1,
    createdAt: row.created_at,
  };
}

function toLocation(row: DatasourceRow): Location {
  switch (row.kind) {
    case 's3':
    case 'gcs':
      return { kind: row.kind, bucket: row.container, prefix: row.prefix };
    case 'azure':
      return { kind: 'azure', account: row.account ?? '', container: row.container, prefix: row.prefix };
    case 'local':
      return { kind: 'local', root: row.container, prefix: '' };
  }
}

/** The row columns that say where a location is. */
function locationColumns(location: Location): { kind: DatasourceRow['kind']; container: string; account: string | null; prefix: string } {
  switch (location.kind) {
    case 's3':
    case 'gcs':
      return { kind: location.kind, container: location.bucket, account: null, prefix: location.prefix };
    case 'azure':
      return { kind: 'azure', container: location.container, account: location.account, prefix: location.prefix };
    case 'local':
      return { kind: 'local', container: location.root, account: null, prefix: '' };
  }
}

export async function insertDatasource(db: Executor, datasource: Datasource): Promise<void> {
  const { location } = datasource;
  await db
    .insertInto('datasources')
    .values({
      id: datasource.id,
      dataset_id: datasource.datasetId,
      purpose: datasource.purpose,
      ...locationColumns(location),
      region: datasource.region,
      endpoint: datasource.endpoint,
      path_style: datasource.pathStyle ? 1 : 0,
      access_key_id: datasource.accessKeyId,
      secret_ciphertext: datasource.sealedSecret,
      sse_kms_key_id: datasource.sseKmsKeyId,
      role_arn: datasource.role?.roleArn ?? null,
      external_id: datasource.role?.externalId ?? null,
      role_session_seconds: datasource.role?.sessionSeconds ?? null,
      preset: datasource.preset,
      created_at: datasource.createdAt,
    })
    .execute();
}

export async function findDatasourcesOfDataset(db: Executor, datasetId: string): Promise<Datasource[]> {
  const rows = await db.selectFrom('datasources').selectAll().where('dataset_id', '=', datasetId).execute();
  return rows.map(toDatasource);
}

/** The input datasources of every dataset, by dataset id. */
export async function findInputDatasources(db: Executor): Promise<Map<string, Datasource>> {
  const rows = await db.selectFrom('datasources').selectAll().where('purpose', '=', 'input').execute();
  return new Map(rows.map((row) => [row.dataset_id, toDatasource(row)]));
}

/** Remembers whether the datasource's keys may delete (verify's delete light, or the outcome of a real delete). */
export async function recordDeleteAllowed(db: Executor, datasourceId: string, allowed: boolean): Promise<void> {
  await db
    .updateTable('datasources')
    .set({ delete_allowed: allowed ? 1 : 0 })
    .where('id', '=', datasourceId)
    .execute();
}

/** Other datasets whose output is the same location (their thumbnails may have the same keys). */
export async function findDatasetsSharingOutput(db: Executor, datasetId: string, output: Location): Promise<string[]> {
  const { kind, container, account, prefix } = locationColumns(output);
  const rows = await db
    .selectFrom('datasources')
    .select('dataset_id')
    .where('purpose', '=', 'output')
    .where('kind', '=', kind)
    .where('container', '=', container)
    .where((eb) => (account === null ? eb('account', 'is', null) : eb('account', '=', account)))
    .where('prefix', '=', prefix)
    .where('dataset_id', '!=', datasetId)
    .execute();
  return rows.map((row) => row.dataset_id);
}

/** Puts `datasource` in the place of the dataset's datasource of the same purpose (new settings or keys: what was learnt of the old ones goes). */
export async function replaceDatasource(db: Executor, datasource: Datasource): Promise<void> {
  await db.deleteFrom('datasources').where('dataset_id', '=', datasource.datasetId).where('purpose', '=', datasource.purpose).execute();
  await insertDatasource(db, datasource);
}
