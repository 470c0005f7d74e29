import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** ISO-8601 timestamps stored as text on both dialects, so they sort and compare the same way. */
export type Timestamp = string;

export interface DatasetTable {
  id: string;
  name: string;
  include_globs: string;
  exclude_globs: string;
  has_relevant_filenames: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RelevantKeyTable {
  dataset_id: string;
  key: string;
}

export type DatasourcePurpose = 'input' | 'output';
export type DatasourceKind = 's3' | 'local';

export interface DatasourceTable {
  id: string;
  dataset_id: string;
  purpose: DatasourcePurpose;
  kind: DatasourceKind;
  /** s3: bucket name; local: absolute folder path. */
  container: string;
  /** Always empty or ending in '/'. */
  prefix: string;
  region: string | null;
  endpoint: string | null;
  path_style: number;
  access_key_id: string | null;
  /** AES-256-GCM sealed JSON of the secret access key and session token. */
  secret_ciphertext: string | null;
  sse_kms_key_id: string | null;
  /** Delegated access: Winnow assumes this role (with `external_id`) from its own base credentials. */
  role_arn: string | null;
  external_id: string | null;
  role_session_seconds: number | null;
  created_at: Timestamp;
}

export type SampleStatus = 'pending' | 'ok' | 'error';

export interface SampleTable {
  id: Generated<number>;
  dataset_id: string;
  /** Relative to the input prefix. */
  key: string;
  size: ColumnType<number, number, number>;
  etag: string | null;
  last_modified: Timestamp | null;
  width: number | null;
  height: number | null;
  format: string | null;
  status: SampleStatus;
  error: string | null;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  /** The sync generation that last listed this key; older rows vanished from the bucket. */
  seen_generation: number;
  removed_at: Timestamp | null;
}

export type SyncStatus = 'running' | 'completed' | 'failed';
export type SyncPhase = 'listing' | 'probing' | 'done';

export interface SyncStateTable {
  dataset_id: string;
  generation: number;
  status: SyncStatus;
  phase: SyncPhase;
  /** Last key committed by the listing; a resumed sync lists after it. */
  cursor_key: string | null;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  listed: number;
  added: number;
  updated: number;
  removed: number;
  failed: number;
  error_message: string | null;
  /** `host:pid:nonce` of the process running the sync, so two never run at once. */
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
}

export interface DB {
  datasets: DatasetTable;
  relevant_keys: RelevantKeyTable;
  datasources: DatasourceTable;
  samples: SampleTable;
  sync_states: SyncStateTable;
}

export type DatasetRow = Selectable<DatasetTable>;
export type DatasourceRow = Selectable<DatasourceTable>;
export type NewDatasourceRow = Insertable<DatasourceTable>;
export type SampleRow = Selectable<SampleTable>;
export type NewSampleRow = Insertable<SampleTable>;
export type SampleUpdate = Updateable<SampleTable>;
export type SyncStateRow = Selectable<SyncStateTable>;
