import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** ISO-8601 timestamps stored as text on both dialects, so they sort and compare the same way. */
export type Timestamp = string;

export interface DatasetTable {
  id: string;
  name: string;
  include_globs: string;
  exclude_globs: string;
  has_relevant_filenames: number;
  /** Longest side of the thumbnails each sync makes; null when the dataset was created without `--thumbnails`. */
  thumbnail_size: ColumnType<number | null, number | null | undefined, number | null>;
  /** Raised by every change to the dataset's samples or thumbnails (see `bumpDatasetRevision`). */
  revision: ColumnType<number, number | undefined, number>;
  /** Samples not marked removed, kept in step by `bumpDatasetRevision`. */
  live_samples: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RelevantKeyTable {
  dataset_id: string;
  key: string;
  /** How many lines of the list named this key (more than 1: repeated). */
  lines: ColumnType<number, number | undefined, number>;
}

export type DatasourcePurpose = 'input' | 'output';
export type DatasourceKind = 's3' | 'gcs' | 'azure' | 'local';

export interface DatasourceTable {
  id: string;
  dataset_id: string;
  purpose: DatasourcePurpose;
  kind: DatasourceKind;
  /** s3, gcs: bucket name; azure: container name; local: absolute folder path. */
  container: string;
  /** azure: the storage account; null for the other kinds. */
  account: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** The S3-compatible preset the datasource was made with (r2, minio, gcs, …); null for plain S3 and other kinds. */
  preset: ColumnType<string | null, string | null | undefined, string | null>;
  /** The delete light of these keys on this location as last seen: 1 allowed, 0 denied, null unknown. */
  delete_allowed: ColumnType<number | null, number | null | undefined, number | null>;
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
  /** Lower-case text after the key's last dot (null without one), computed by the database; the extension filter's index. */
  extension: ColumnType<string | null, never, never>;
}

/**
 * `rejected`: the image itself cannot be made into a thumbnail (corrupt, empty, too large); not retried
 * until the object changes. `failed`: the storage failed (throttled, 5xx after retries); retried next run.
 */
export type ThumbnailStatus = 'ok' | 'rejected' | 'failed';

/** One row per sample that a thumbnail job has handled. */
export interface ThumbnailTable {
  sample_id: number;
  dataset_id: string;
  status: ThumbnailStatus;
  /** Full key in the output location; null unless status is `ok`. */
  key: string | null;
  /** Etag of the bytes the thumbnail was made from; a sample whose etag differs needs a new one. */
  source_etag: string | null;
  /** The box the thumbnail fits in (longest side, px). */
  box_size: number;
  width: number | null;
  height: number | null;
  bytes: number | null;
  error: string | null;
  updated_at: Timestamp;
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
  /** JSON of the last completed sync's RelevantFilenamesSummary; null without a list or before one. */
  relevant_report: ColumnType<string | null, string | null | undefined, string | null>;
  /** The first GetObject denial a stream of the running sync met; its other streams stop reading (migration 0018). */
  read_denied: ColumnType<string | null, string | null | undefined, string | null>;
}

/** `probing`: the shard's range is listed, its new and changed samples' headers are being read. */
export type SyncShardStatus = 'listing' | 'probing' | 'done';

/** One key range of a fanned-out sync: keys k with start_after < k <= through, relative to the input prefix. */
export interface SyncShardTable {
  dataset_id: string;
  generation: number;
  shard_index: number;
  start_after: string | null;
  through: string | null;
  /** Last key this shard committed; it lists after it when resumed. */
  cursor_key: string | null;
  status: SyncShardStatus;
  listed: number;
  added: number;
  updated: number;
  /** Headers this shard read, and how many of those failed (migration 0018). */
  probed: ColumnType<number, number | undefined, number>;
  failed: ColumnType<number, number | undefined, number>;
  error_message: string | null;
}

export interface ApiTokenTable {
  id: string;
  name: string;
  /** SHA-256 of the token; the token itself is shown once and never stored. */
  token_hash: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}

export interface SessionTable {
  /** SHA-256 of the browser's session cookie. */
  id_hash: string;
  /** The API token that signed in, or null for the one-time sign-in link `winnow serve` prints. */
  token_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/** A registered image model; its ONNX file is `<home>/models/<file_name>`. */
export interface EmbeddingModelTable {
  id: string;
  name: string;
  file_name: string;
  sha256: string;
  bytes: number;
  input_size: number;
  layout: 'nchw' | 'nhwc';
  /** JSON array of three numbers. */
  mean: string;
  std: string;
  output: string;
  dimensions: number;
  /** `default` (converted by Winnow) or `user` (`winnow model add`). */
  source: string;
  created_at: Timestamp;
}

/**
 * `rejected`: the image cannot be embedded (corrupt, empty, too large); not retried until it changes.
 * `failed`: the storage failed; retried next run.
 */
export type EmbeddingStatus = 'ok' | 'rejected' | 'failed';

/** One row per sample and model that an embed run (or an import) handled. */
export interface EmbeddingTable {
  model_id: string;
  sample_id: number;
  dataset_id: string;
  /** The model file the vector came from: vectors of another sha256 are stale. */
  model_sha256: string;
  /** Etag of the bytes embedded; a sample whose etag differs needs a new vector. */
  source_etag: string | null;
  status: EmbeddingStatus;
  /** Little-endian float32, unit length; null unless status is `ok`. */
  vector: Uint8Array | null;
  /** The image's thumbnail descriptor (int8, see thumbnail-descriptor.ts); null when embedded before 0010 or imported. */
  descriptor: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  error: string | null;
  updated_at: Timestamp;
}

/** A cached 2-D projection of a dataset's vectors of one model. */
export interface EmbeddingMapTable {
  dataset_id: string;
  model_id: string;
  method: 'pca' | 'umap';
  /** What the vectors were when the map was made (count and last update); another value means stale. */
  fingerprint: string;
  points: number;
  /** Little-endian float64 sample ids, in the order of `coordinates`. */
  sample_ids: Uint8Array;
  /** Little-endian float32 x, y pairs. */
  coordinates: Uint8Array;
  created_at: Timestamp;
}

export interface TagTable {
  id: string;
  dataset_id: string;
  name: string;
  description: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A sample in a tag; `position` keeps the order the samples were chosen in (a selection's order). */
export interface TagMemberTable {
  tag_id: string;
  sample_id: number;
  position: number;
}

/** One metadata field or label of a sample: a number or a text. */
export interface SampleFieldTable {
  dataset_id: string;
  sample_id: number;
  field: string;
  number_value: number | null;
  text_value: string | null;
}

/** A sample's sha256, valid while its size and etag are the ones recorded. */
export interface SampleContentHashTable {
  sample_id: number;
  size: ColumnType<number, number, number>;
  etag: string | null;
  sha256: string;
  computed_at: Timestamp;
}

/** A job of the embedded default's queue; the states are pg-boss's, so both queues read alike. */
export interface JobTable {
  id: string;
  name: string;
  /** The payload, as JSON. */
  data: string;
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  retry_limit: number;
  retry_count: number;
  retry_delay_seconds: number;
  /** 1 when each retry waits twice as long as the one before. */
  retry_backoff: number;
  /** An active job not finished by then belongs to a worker that is gone; it is retried. */
  expire_in_seconds: number;
  start_after: Timestamp;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  /** `host:pid` of the process working it. */
  worker: string | null;
  /** The result or the error, as JSON. */
  output: string | null;
}

export interface JobProgressTable {
  job_id: string;
  /** JSON; null until the job reports. */
  progress: string | null;
  /** The last report, or the enqueue: the heartbeat of a pg-boss job. */
  updated_at: Timestamp;
  /** pg-boss jobs: silence after which the attempt is taken for a dead worker's. */
  expire_in_seconds: number | null;
}

/** A 1- or 2-character gram of a dataset's lower-cased keys (see migration 0017). */
export interface SampleNameGramTable {
  dataset_id: string;
  gram: string;
  /** Samples indexed so far whose lower-cased key holds the gram, removed ones included. */
  holders: number;
  /** Their ids as a JSON array while fewer than RARE_GRAM_HOLDERS; null beyond. */
  ids: string | null;
}

/** SQLite: the highest sample id the grams count. */
export interface SampleNameGramMarkTable {
  dataset_id: string;
  indexed_to_id: number;
}

/** PostgreSQL: ids of samples inserted and not yet counted in the grams (the range may hold other datasets' ids too). */
export interface SampleNameGramBacklogTable {
  dataset_id: string;
  first_id: number;
  last_id: number;
}

export interface DB {
  datasets: DatasetTable;
  relevant_keys: RelevantKeyTable;
  datasources: DatasourceTable;
  samples: SampleTable;
  sync_states: SyncStateTable;
  sync_shards: SyncShardTable;
  thumbnails: ThumbnailTable;
  api_tokens: ApiTokenTable;
  sessions: SessionTable;
  embedding_models: EmbeddingModelTable;
  embeddings: EmbeddingTable;
  embedding_maps: EmbeddingMapTable;
  tags: TagTable;
  tag_members: TagMemberTable;
  sample_fields: SampleFieldTable;
  sample_content_hashes: SampleContentHashTable;
  jobs: JobTable;
  job_progress: JobProgressTable;
  sample_name_grams: SampleNameGramTable;
  sample_name_gram_marks: SampleNameGramMarkTable;
  sample_name_gram_backlog: SampleNameGramBacklogTable;
}

export type DatasetRow = Selectable<DatasetTable>;
export type DatasourceRow = Selectable<DatasourceTable>;
export type NewDatasourceRow = Insertable<DatasourceTable>;
export type SampleRow = Selectable<SampleTable>;
export type NewSampleRow = Insertable<SampleTable>;
export type SampleUpdate = Updateable<SampleTable>;
export type SyncStateRow = Selectable<SyncStateTable>;
export type ThumbnailRow = Selectable<ThumbnailTable>;
