import { z } from '@hono/zod-openapi';
import { PRESET_IDS } from '../model/s3-presets.js';

/**
 * The REST API's contract: every request and response shape, declared once. The routes validate
 * requests with these and answer in them; the web app derives its types from them (type-only imports);
 * `/api/openapi.json` is generated from them. Responses are strict: a field the server adds without
 * declaring it here fails the contract tests.
 */

/** Caps that keep any request small to validate and any error small to write. */
const LIMITS = { uri: 2_048, secret: 1_024, sessionToken: 8_192, globs: 1_000, glob: 1_024, key: 4_096 } as const;
const text = (max: number) => z.string().min(1).max(max);
const byLight = <T extends z.ZodType>(schema: T) => z.strictObject({ list: schema, read: schema, write: schema, overwrite: schema, delete: schema });

export const ErrorSchema = z
  .strictObject({ error: z.strictObject({ code: z.string(), message: z.string(), hint: z.string().nullable() }) })
  .openapi('Error', { example: { error: { code: 'DatasetNotFound', message: 'No dataset named "farm".', hint: 'List the datasets on the Datasets page.' } } });

export const DatasetNameParam = z.object({
  name: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'name', in: 'path' }, example: 'farm-animals' }),
});

const ConnectionSchema = z.strictObject({
  uri: text(LIMITS.uri).openapi({
    example: 's3://datalake/projects/farm-animals/',
    description: 's3://bucket/prefix/, gs://bucket/prefix/, azure://account/container/prefix/ or a local folder.',
  }),
  region: text(64).optional(),
  endpoint: text(LIMITS.uri)
    .optional()
    .openapi({ description: 'Custom S3 endpoint (MinIO, Ceph, R2, Wasabi). Private and loopback addresses only when the operator allows them.' }),
  pathStyle: z.boolean().optional(),
  accessKeyId: text(128).optional(),
  secretAccessKey: text(LIMITS.secret).optional().openapi({ description: 'Write-only: stored encrypted, never returned.' }),
  sessionToken: text(LIMITS.sessionToken).optional().openapi({ description: 'Write-only.' }),
  roleArn: text(LIMITS.uri).optional(),
  externalId: text(1_224).optional(),
  roleSessionSeconds: z.number().int().optional(),
  sseKmsKeyId: text(LIMITS.uri).optional(),
  preset: z.enum(PRESET_IDS).optional().openapi({
    description: 'S3-compatible store: sets the endpoint (from its template), path-style addressing and the region rule. gs:// locations always use gcs.',
  }),
  accountId: text(64).optional().openapi({ description: "The account id a preset's endpoint template needs (Cloudflare R2)." }),
  sasToken: text(LIMITS.sessionToken)
    .optional()
    .openapi({ description: 'Azure: a SAS token for the container or directory. Write-only: stored encrypted, never returned.' }),
  accountKey: text(LIMITS.secret).optional().openapi({ description: 'Azure: the storage account key. Write-only: stored encrypted, never returned.' }),
});

export const CreateDatasetSchema = z
  .strictObject({
    name: text(128).openapi({ example: 'farm-animals' }),
    input: ConnectionSchema,
    output: ConnectionSchema.partial()
      .extend({ uri: text(LIMITS.uri) })
      .optional(),
    include: z.array(text(LIMITS.glob)).max(LIMITS.globs).optional(),
    exclude: z.array(text(LIMITS.glob)).max(LIMITS.globs).optional(),
    thumbnails: z
      .strictObject({ size: z.number().int().openapi({ example: 400 }) })
      .optional()
      .openapi({ description: 'Make thumbnails of this size (longest side, px) after every sync: JPEG, or WebP for images with an alpha channel.' }),
  })
  .openapi('CreateDataset');

/** A connection patch: a field left out keeps its stored value, null clears it. */
type ConnectionShape = typeof ConnectionSchema.shape;
type Unwrapped<T> = T extends z.ZodOptional<infer Inner> ? Inner : T;
const ConnectionPatchSchema = z.strictObject(
  Object.fromEntries(
    Object.entries(ConnectionSchema.shape).map(([field, schema]) => [
      field,
      (schema instanceof z.ZodOptional ? schema.unwrap() : schema).nullable().optional(),
    ]),
  ) as { [K in keyof ConnectionShape]: z.ZodOptional<z.ZodNullable<Unwrapped<ConnectionShape[K]>>> },
);

export const EditDatasetSchema = z
  .strictObject({
    name: text(128).optional().openapi({ description: 'A new name (same rules as at creation).' }),
    input: ConnectionPatchSchema.optional().openapi({
      description:
        "Changes to the input's connection: keys, role, region, endpoint, SSE-KMS key. A field left out keeps its value, null clears it; secrets left out keep the stored ones (a new access key id needs its secret). `uri`, if given, must be the dataset's input: the input location cannot change.",
    }),
    output: ConnectionPatchSchema.nullable().optional().openapi({
      description:
        "A new or changed output location (its own keys optional, else the input's); null writes under the input again. Moving the output forgets the thumbnails made under the old one (the next sync makes them again; the old objects stay).",
    }),
    include: z.array(text(LIMITS.glob)).max(LIMITS.globs).optional(),
    exclude: z.array(text(LIMITS.glob)).max(LIMITS.globs).optional(),
    relevantFilenames: z
      .strictObject({ text: z.string().max(64 * 1024 * 1024), source: text(LIMITS.uri).optional() })
      .nullable()
      .optional()
      .openapi({ description: 'A new relevant-filenames list (one key per line, # comments); null drops the list.' }),
    thumbnails: z
      .strictObject({ size: z.number().int() })
      .nullable()
      .optional()
      .openapi({ description: 'Thumbnail size (longest side, px); null turns thumbnails off.' }),
  })
  .openapi('EditDataset', { description: 'Only the fields given change; each applies from the next sync.' });

const DatasourceViewSchema = z.strictObject({
  purpose: z.enum(['input', 'output']),
  uri: z.string(),
  kind: z.enum(['s3', 'gcs', 'azure', 'local']),
  region: z.string().nullable(),
  endpoint: z.string().nullable(),
  pathStyle: z.boolean(),
  accessKeyId: z.string().nullable(),
  hasSecret: z.boolean(),
  sseKmsKeyId: z.string().nullable(),
  roleArn: z.string().nullable(),
  externalId: z.string().nullable(),
  roleSessionSeconds: z.number().nullable(),
  preset: z.string().nullable().openapi({ description: 'The S3-compatible preset the datasource was made with (r2, minio, gcs, …).' }),
});

const datasetFields = {
  id: z.string(),
  name: z.string(),
  input: DatasourceViewSchema,
  output: DatasourceViewSchema,
  include: z.array(z.string()),
  exclude: z.array(z.string()),
  hasRelevantFilenames: z.boolean(),
  thumbnailSize: z.number().nullable().openapi({ description: 'Longest side of the thumbnails each sync makes; null when thumbnails are off.' }),
  createdAt: z.string(),
};

export const DatasetSchema = z.strictObject(datasetFields).openapi('Dataset');

const KeyGroupSchema = z.strictObject({
  count: z.number(),
  first: z.array(z.string()).openapi({ description: 'The first keys of the group, in key order (up to 20).' }),
});

const RelevantFilenamesSummarySchema = z
  .strictObject({
    listed: z.number().openapi({ description: 'Distinct keys in the list.' }),
    missing: KeyGroupSchema.openapi({ description: 'Not found in the bucket (a typo, or deleted since the list was made).' }),
    outside: KeyGroupSchema.openapi({ description: 'Naming another location than the input (another bucket, a sibling folder).' }),
    repeated: KeyGroupSchema.openapi({ description: 'Named by more than one line.' }),
    skipped: KeyGroupSchema.openapi({ description: "Dropped by the dataset's own filters: not an image, excluded by a glob, or under .winnow/." }),
  })
  .openapi('RelevantFilenamesSummary');

export const DatasetDetailsSchema = z
  .strictObject({
    ...datasetFields,
    samples: z.strictObject({ total: z.number(), pending: z.number(), ok: z.number(), error: z.number(), removed: z.number() }),
    thumbnails: z.strictObject({ ok: z.number(), rejected: z.number(), missing: z.number() }),
    lastSync: z
      .strictObject({
        generation: z.number(),
        status: z.enum(['running', 'completed', 'failed', 'interrupted']),
        phase: z.enum(['listing', 'probing', 'done']),
        startedAt: z.string(),
        finishedAt: z.string().nullable(),
        error: z.string().nullable(),
      })
      .nullable(),
    orphanedOutputs: z
      .strictObject({
        count: z.number(),
        first: z.array(z.string()).openapi({ description: 'The first of their full keys in the output location (up to 20).' }),
        deleteAllowed: z
          .boolean()
          .nullable()
          .openapi({ description: "Whether the output's keys may delete, as last seen (verify, or a sync); null: not known yet." }),
      })
      .openapi({
        description:
          'Thumbnails Winnow wrote for samples since removed that are still in the bucket, because the keys could not delete them; `winnow dataset clean-outputs` deletes them once delete is granted.',
      }),
    relevantFilenames: RelevantFilenamesSummarySchema.nullable().openapi({
      description: 'The relevant-filenames list against the bucket at the last completed sync; null without a list or before the first sync.',
    }),
  })
  .openapi('DatasetDetails');

export const DatasetSummarySchema = z
  .strictObject({ name: z.string(), input: z.string(), samples: z.number(), lastSyncedAt: z.string().nullable(), syncStatus: z.string().nullable() })
  .openapi('DatasetSummary');

const VerifyCheckSchema = z.strictObject({
  ok: z.boolean(),
  skipped: z.boolean(),
  operation: z.string(),
  action: z.string(),
  resource: z.string(),
  errorCode: z.string().optional(),
  s3Code: z.string().optional().openapi({ description: "The storage service's own error code (S3 or GCS error code, or Azure's x-ms-error-code)." }),
  message: z.string().optional(),
  fix: z.string().optional(),
});

const CorsCheckSchema = z.strictObject({
  ok: z.boolean(),
  origin: z.string(),
  message: z.string(),
  configuration: z.array(z.record(z.string(), z.unknown())).nullable(),
});

export const VerifyReportSchema = z
  .strictObject({
    dataset: z.string(),
    input: z.string(),
    output: z.string(),
    mode: z.enum(['full', 'read-write', 'read-only', 'list-only', 'no-access']),
    summary: z.string(),
    checks: byLight(VerifyCheckSchema),
    leftBehind: z.string().optional(),
    cors: CorsCheckSchema.nullable().openapi({
      description: 'Whether the bucket answers a browser CORS preflight from the app (S3 inputs whose read probe passed).',
    }),
  })
  .openapi('VerifyReport');

export const DatasetPolicySchema = z
  .strictObject({
    policy: z.record(z.string(), z.unknown()).openapi({ description: 'IAM identity policy document to attach to the dataset’s user or role.' }),
    lights: byLight(z.boolean()),
  })
  .openapi('DatasetPolicy');

const StorageRetrySchema = z
  .strictObject({
    attempt: z.number().openapi({ description: 'The attempt going out now (2 for the first retry).' }),
    maxAttempts: z.number(),
    reason: z.string().openapi({ example: '503 SlowDown' }),
    at: z.string(),
    operation: z.string().optional().openapi({ description: 'The storage call being retried.', example: 'GetObject' }),
    delayMs: z.number().optional().openapi({ description: 'The backoff before this attempt went out, in milliseconds.' }),
    code: z.string().optional().openapi({ description: "The last error's code.", example: 'SlowDown' }),
  })
  .openapi('StorageRetry', { description: 'A storage call being retried after a backoff: the job is waiting on the storage, not stuck.' });

const SyncProgressSchema = z.strictObject({
  phase: z.enum(['listing', 'probing']),
  listed: z.number(),
  added: z.number(),
  updated: z.number(),
  probed: z.number(),
  toProbe: z.number(),
  failed: z.number(),
  shards: z
    .strictObject({ done: z.number(), total: z.number() })
    .optional()
    .openapi({ description: "A fanned-out listing's shards: how many are done, of how many." }),
});

const ThumbnailReportSchema = z.strictObject({
  dataset: z.string(),
  size: z.number(),
  location: z.string(),
  total: z.number(),
  generated: z.number(),
  skipped: z.number(),
  failed: z.number(),
  retryable: z.number(),
  durationMs: z.number(),
});

const OutputCleanupSchema = z
  .strictObject({
    deleted: z.number().openapi({ description: 'Thumbnails of removed samples deleted from <output>/.winnow/.' }),
    left: z.number().openapi({ description: 'Thumbnails of removed samples still in the bucket.' }),
    reason: z.string().nullable().openapi({ description: 'Why some were left (delete denied, or a delete failed).' }),
    command: z.string().nullable().openapi({ description: 'The command that deletes the ones left once delete is granted.' }),
  })
  .openapi('OutputCleanup');

export const DatasetOutputCleanupSchema = z.strictObject({ dataset: z.string(), ...OutputCleanupSchema.shape }).openapi('DatasetOutputCleanup');

const SyncReportSchema = z.strictObject({
  dataset: z.string(),
  generation: z.number(),
  resumed: z.boolean(),
  listed: z.number(),
  added: z.number(),
  updated: z.number(),
  removed: z.number(),
  failed: z.number(),
  total: z.number(),
  withoutDimensions: z.number(),
  readDenied: z.boolean(),
  warnings: z.array(z.string()),
  thumbnails: ThumbnailReportSchema.nullable(),
  relevantMissing: z.array(z.string()).openapi({ description: 'Every key of the relevant-filenames list not found in the bucket, in key order.' }),
  relevantOutside: z.array(z.string()).openapi({ description: 'Every line of the list naming another location than the input.' }),
  relevantRepeated: z.array(z.string()).openapi({ description: 'Every key named by more than one line of the list.' }),
  relevantSkipped: z.array(z.string()).openapi({ description: "Every listed key the dataset's own filters drop (not an image, excluded, .winnow/)." }),
  orphanedOutputs: OutputCleanupSchema,
  shards: z.number().openapi({ description: "How many shards this run's listing was split into (0: it was listed in one stream)." }),
  durationMs: z.number(),
  timings: z.strictObject({ listingMs: z.number(), probingMs: z.number() }),
});

export const SyncJobSchema = z
  .strictObject({
    id: z.string(),
    dataset: z.string(),
    status: z.enum(['running', 'completed', 'failed', 'cancelled']),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    progress: SyncProgressSchema.nullable(),
    retrying: StorageRetrySchema.nullable(),
    retries: z.number(),
    report: SyncReportSchema.nullable(),
    error: ErrorSchema.shape.error.nullable(),
  })
  .openapi('SyncJob');

export const SyncJobResponseSchema = z.strictObject({ job: SyncJobSchema.nullable() });

export const SampleSchema = z
  .strictObject({
    key: z.string(),
    size: z.number(),
    width: z.number().nullable(),
    height: z.number().nullable(),
    format: z.string().nullable(),
    status: z.enum(['pending', 'ok', 'error']),
    error: z.string().nullable(),
    etag: z.string().nullable(),
    lastModified: z.string().nullable(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    url: z.string().nullable().openapi({ description: 'Presigned GET URL (S3) or Winnow file route (local); null with urls=false.' }),
    thumbnail: z.strictObject({ key: z.string(), width: z.number(), height: z.number() }).nullable(),
    thumbnailUrl: z
      .string()
      .nullable()
      .openapi({ description: 'The thumbnail (JPEG, or WebP for images with an alpha channel) when one exists for the present content; otherwise show url.' }),
    thumbnailError: z.string().nullable(),
  })
  .openapi('Sample');

export const SampleQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: z
    .string()
    .max(LIMITS.key * 2)
    .optional()
    .openapi({ description: 'nextCursor of the previous page.' }),
  status: z.enum(['pending', 'ok', 'error']).optional(),
  extension: z
    .string()
    .regex(/^\.?[A-Za-z0-9]{1,10}$/)
    .optional()
    .openapi({ example: 'jpg' }),
  folder: z.string().max(LIMITS.key).optional().openapi({ example: 'cows/' }),
  q: z.string().max(200).optional().openapi({ description: 'Case-insensitive substring of the key.' }),
  tag: z.string().max(128).optional().openapi({ description: 'Only samples in this tag (none when there is no such tag).' }),
  sort: z.enum(['key', 'date']).default('key'),
  order: z.enum(['asc', 'desc']).default('asc'),
  urls: z.enum(['true', 'false']).default('true').openapi({ description: 'false skips presigning.' }),
});

export const SamplePageSchema = z.strictObject({ samples: z.array(SampleSchema), nextCursor: z.string().nullable() }).openapi('SamplePage');

export const SessionSchema = z.strictObject({ signedIn: z.boolean() }).openapi('Session');
export const SignInSchema = z.strictObject({ token: z.string().min(1).max(256) });

// Embeddings: computing vectors, their map and nearest neighbours.

export const ModelNameParam = z.object({
  name: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'name', in: 'path' }, example: 'farm-animals' }),
  model: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'model', in: 'path' }, example: 'default' }),
});

export const StartEmbeddingQuery = z.object({
  model: z.string().min(1).max(64).optional().openapi({ description: 'A registered model; default: the bundled one.' }),
  batchSize: z.coerce.number().int().min(1).max(1024).optional(),
});

const EmbedProgressSchema = z.strictObject({
  model: z.string(),
  total: z.number(),
  toEmbed: z.number(),
  done: z.number(),
  embedded: z.number(),
  failed: z.number(),
});
const EmbedReportSchema = z.strictObject({
  dataset: z.string(),
  model: z.string(),
  dimensions: z.number(),
  embedded: z.number(),
  // Optional: reports of runs recorded before thumbnails could be read have none.
  fromThumbnails: z.number().optional(),
  skipped: z.number(),
  failed: z.number(),
  retryable: z.number(),
  removed: z.number(),
  total: z.number(),
  imagesPerSecond: z.number(),
  durationMs: z.number(),
});

export const EmbedJobSchema = z
  .strictObject({
    id: z.string(),
    dataset: z.string(),
    model: z.string(),
    status: z.enum(['running', 'completed', 'failed', 'cancelled']),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    progress: EmbedProgressSchema.nullable(),
    retrying: StorageRetrySchema.nullable(),
    retries: z.number(),
    report: EmbedReportSchema.nullable(),
    error: ErrorSchema.shape.error.nullable(),
  })
  .openapi('EmbedJob');

export const EmbeddingStatusSchema = z
  .strictObject({
    job: EmbedJobSchema.nullable(),
    /** Live samples. */
    samples: z.number(),
    models: z.array(z.strictObject({ name: z.string(), dimensions: z.number(), source: z.string(), embedded: z.number(), rejected: z.number() })),
  })
  .openapi('EmbeddingStatus');

export const EmbeddingMapQuery = z.object({ method: z.enum(['pca', 'umap']).default('pca') });

export const EmbeddingMapSchema = z
  .strictObject({
    dataset: z.string(),
    model: z.string(),
    method: z.enum(['pca', 'umap']),
    points: z.number(),
    keys: z.array(z.string()).openapi({ description: 'Sample keys, one per point.' }),
    coordinates: z.string().openapi({ description: 'Base64 of little-endian float32 x, y pairs, one pair per point in the order of keys (8 bytes a point).' }),
  })
  .openapi('EmbeddingMap');

export const NeighboursQuery = z.object({ key: z.string().min(1).max(4096), k: z.coerce.number().int().min(1).max(1000).default(10) });

export const NeighboursSchema = z
  .strictObject({
    dataset: z.string(),
    model: z.string(),
    key: z.string(),
    neighbours: z.array(z.strictObject({ key: z.string(), distance: z.number() })),
    queryMs: z.number(),
  })
  .openapi('Neighbours');

export const ModelSchema = z
  .strictObject({
    name: z.string(),
    dimensions: z.number(),
    inputSize: z.number(),
    layout: z.enum(['nchw', 'nhwc']),
    output: z.string(),
    source: z.enum(['default', 'user', 'imported']),
    sha256: z.string(),
    createdAt: z.string(),
  })
  .openapi('Model');

// Curation: selections, tags, metadata, similar images.

const StrategySchema = z.strictObject({
  name: z.enum(['diversity', 'typicality', 'balance', 'similarity', 'weights', 'random']),
  strength: z.number().min(0).max(1_000).optional(),
  field: text(256).optional().openapi({ description: 'balance: a text field (e.g. label); weights: a numeric field.' }),
  target: z
    .union([z.literal('uniform'), z.record(z.string().max(256), z.number().min(0))])
    .optional()
    .openapi({ description: "balance: uniform, or each category's share." }),
  queryTag: text(128).optional().openapi({ description: 'similarity: the tag whose samples to be similar to.' }),
  queryKeys: z.array(text(LIMITS.key)).max(1_000).optional().openapi({ description: 'similarity: keys to be similar to.' }),
});

export const SelectRequestSchema = z
  .strictObject({
    strategies: z.array(StrategySchema).min(1).max(6),
    thresholds: z
      .array(z.strictObject({ field: text(256), operator: z.enum(['>', '>=', '<', '<=', '==', '!=']), value: z.number() }))
      .max(20)
      .optional(),
    count: z.number().int().min(0).max(10_000_000).optional().openapi({ description: 'How many to add; give this or proportion.' }),
    proportion: z.number().gt(0).max(1).optional().openapi({ description: 'The share of the pool the selection should reach.' }),
    fromTag: text(128).optional().openapi({ description: 'Its samples count as already selected and join the result.' }),
    tag: text(128).optional().openapi({ description: 'The tag the picks go into; its samples count as already selected. Without it nothing is stored.' }),
    seed: z.number().int().optional(),
    model: text(64).optional(),
    minDistance: z.number().min(0).max(2).optional(),
    dryRun: z.boolean().optional().openapi({ description: 'Pick, but store nothing (a preview).' }),
    description: z.string().max(1_000).optional(),
  })
  .openapi('SelectRequest');

export const SelectionReportSchema = z
  .strictObject({
    dataset: z.string(),
    tag: z.string().nullable(),
    keys: z.array(z.string()).openapi({ description: 'The new picks, relative to the input, in the order they were picked.' }),
    picks: z.array(
      z.strictObject({ key: z.string(), score: z.number(), contributions: z.record(z.string(), z.number()), distanceToSelected: z.number().optional() }),
    ),
    pool: z.number(),
    preselected: z.number(),
    tagSize: z.number().nullable(),
    model: z.string().nullable(),
    vectors: z.enum(['full', 'none']),
    seed: z.number(),
    stoppedBecause: z.enum(['count', 'min-distance', 'no-candidates']),
    coverageRadius: z.number().nullable(),
    durationMs: z.number(),
  })
  .openapi('SelectionReport');

export const DuplicatesRequestSchema = z
  .strictObject({
    threshold: z
      .number()
      .min(0)
      .max(2)
      .optional()
      .openapi({ description: 'Cosine distance for near-duplicate candidates; default calibrated for the bundled model (0.2).' }),
    model: text(64).optional(),
    tag: text(128).optional().openapi({ description: 'Tag every sample but the kept one of each group. Without it nothing is stored.' }),
    tagMode: z
      .enum(['create', 'replace', 'append'])
      .default('create')
      .openapi({ description: 'create: refuse a tag name in use (409); replace: empty it first; append: add to it.' }),
    description: z.string().max(1_000).optional(),
  })
  .openapi('DuplicatesRequest');

export const DuplicatesReportSchema = z
  .strictObject({
    dataset: z.string(),
    model: z.string(),
    threshold: z.number(),
    descriptorThreshold: z.number().openapi({ description: 'Thumbnail-descriptor distance a near-duplicate candidate must also be under.' }),
    groups: z.array(
      z.strictObject({
        keys: z.array(z.string()).openapi({ description: 'Relative to the input, the kept one first.' }),
        keep: z.string(),
        maxDistance: z.number().openapi({ description: 'The largest cosine distance of a pair that joined the group; 0 for byte-identical copies.' }),
      }),
    ),
    duplicates: z.number().openapi({ description: 'Samples in a group that are not its kept one.' }),
    samples: z.number(),
    embedded: z.number(),
    hashed: z.number().openapi({ description: 'Samples read to hash their content in this run (kept for later runs).' }),
    pairsWithoutDescriptor: z.number(),
    tag: z.string().nullable(),
    tagSize: z.number().nullable(),
    durationMs: z.number(),
  })
  .openapi('DuplicatesReport');

export const TagNameParam = z.object({
  name: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'name', in: 'path' }, example: 'farm-animals' }),
  tag: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'tag', in: 'path' }, example: 'to-label' }),
});

export const TagSchema = z
  .strictObject({ name: z.string(), description: z.string().nullable(), size: z.number(), createdAt: z.string(), updatedAt: z.string() })
  .openapi('Tag');

export const TagDetailsSchema = z
  .strictObject({
    name: z.string(),
    description: z.string().nullable(),
    size: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
    keys: z.array(z.string()),
  })
  .openapi('TagDetails');

export const CreateTagSchema = z
  .strictObject({
    name: text(128),
    description: z.string().max(1_000).optional(),
    keys: z.array(text(LIMITS.key)).max(100_000).optional().openapi({ description: 'Keys relative to the input.' }),
    combine: z.strictObject({ operation: z.enum(['union', 'intersection', 'difference']), of: z.array(text(128)).min(2).max(20) }).optional(),
    mode: z
      .enum(['create', 'replace', 'append'])
      .default('create')
      .openapi({ description: 'create: refuse a name in use (409); replace: empty an existing tag first; append: add to it.' }),
  })
  .openapi('CreateTag');

export const UpdateTagSchema = z.strictObject({ name: text(128).optional(), description: z.string().max(1_000).nullable().optional() }).openapi('UpdateTag');

export const TagExportQuerySchema = z.object({
  format: z.enum(['txt', 'json', 'csv']).default('txt'),
  urls: z.enum(['true', 'false']).default('false').openapi({ description: "json/csv: add each image's URL (presigned for S3)." }),
  toOutput: z.enum(['true', 'false']).default('false').openapi({ description: 'Write the file under <output>/.winnow/exports/ instead of returning it.' }),
});

export const TagExportLocationSchema = z.strictObject({ location: z.string(), count: z.number() }).openapi('TagExportLocation');

export const MetadataImportSchema = z
  .strictObject({
    format: z.enum(['csv', 'json']),
    text: z.string().min(1).openapi({ description: 'The file\'s contents: CSV (key column, then fields) or JSON ({ "<key>": { field: value } }).' }),
  })
  .openapi('MetadataImport');

const FieldSummarySchema = z.strictObject({ field: z.string(), numbers: z.number(), texts: z.number() });
export const MetadataFieldsSchema = z.strictObject({ fields: z.array(FieldSummarySchema) }).openapi('MetadataFields');
export const MetadataFieldParam = z.object({
  name: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'name', in: 'path' }, example: 'farm-animals' }),
  field: z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name: 'field', in: 'path' }, example: 'label' }),
});
export const FieldValuesSchema = z
  .strictObject({
    field: z.string(),
    keys: z.array(z.string()).openapi({ description: 'Samples holding the field, in key order.' }),
    values: z.array(z.union([z.number(), z.string()])).openapi({ description: "Each key's value: a number or a text." }),
  })
  .openapi('FieldValues');
export const MetadataImportReportSchema = z
  .strictObject({ dataset: z.string(), samples: z.number(), values: z.number(), fields: z.array(FieldSummarySchema) })
  .openapi('MetadataImportReport');

export const SimilarQuerySchema = z.object({
  k: z.coerce.number().int().min(1).max(1_000).default(20),
  model: z.string().min(1).max(64).optional(),
});

export const SimilarImageSchema = z
  .strictObject({ dataset: z.string(), model: z.string(), neighbours: z.array(z.strictObject({ key: z.string(), distance: z.number() })), queryMs: z.number() })
  .openapi('SimilarToImage');

export type { Light } from '../model/lights.js';
export type ApiErrorBody = z.infer<typeof ErrorSchema>['error'];
export type DatasetSummary = z.infer<typeof DatasetSummarySchema>;
export type DatasourceView = z.infer<typeof DatasourceViewSchema>;
export type Dataset = z.infer<typeof DatasetSchema>;
export type DatasetDetails = z.infer<typeof DatasetDetailsSchema>;
export type CreateDatasetRequest = z.input<typeof CreateDatasetSchema>;
export type EditDatasetRequest = z.input<typeof EditDatasetSchema>;
export type DatasetOutputCleanup = z.infer<typeof DatasetOutputCleanupSchema>;
export type ConnectionSettings = z.input<typeof ConnectionSchema>;
export type VerifyCheck = z.infer<typeof VerifyCheckSchema>;
export type CorsCheck = z.infer<typeof CorsCheckSchema>;
export type VerifyReport = z.infer<typeof VerifyReportSchema>;
export type DatasetPolicy = z.infer<typeof DatasetPolicySchema>;
export type SyncProgress = z.infer<typeof SyncProgressSchema>;
export type SyncReport = z.infer<typeof SyncReportSchema>;
export type SyncJob = z.infer<typeof SyncJobSchema>;
export type SyncStatus = SyncJob['status'];
export type Sample = z.infer<typeof SampleSchema>;
export type SampleStatus = Sample['status'];
export type SamplePage = z.infer<typeof SamplePageSchema>;
export type EmbedJob = z.infer<typeof EmbedJobSchema>;
export type EmbeddingStatus = z.infer<typeof EmbeddingStatusSchema>;
export type EmbeddingMap = z.infer<typeof EmbeddingMapSchema>;
export type Neighbours = z.infer<typeof NeighboursSchema>;
export type Model = z.infer<typeof ModelSchema>;
export type SelectRequest = z.input<typeof SelectRequestSchema>;
export type SelectionReport = z.infer<typeof SelectionReportSchema>;
export type DuplicatesReport = z.infer<typeof DuplicatesReportSchema>;
export type Tag = z.infer<typeof TagSchema>;
export type TagDetails = z.infer<typeof TagDetailsSchema>;
export type FieldValues = z.infer<typeof FieldValuesSchema>;
export type CreateTagRequest = z.input<typeof CreateTagSchema>;
/** The grid's filters and sort: the sample query without its paging and URL switches. */
export type SampleFilters = Omit<z.infer<typeof SampleQuerySchema>, 'limit' | 'cursor' | 'urls'>;

export const JobIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' }, example: '7a1c4f8e-2b9d-4c3e-9f10-5d6e7a8b9c0d' }),
});

export const JobListQuery = z.object({
  state: z
    .string()
    .regex(/^(created|retry|active|completed|cancelled|failed)(,(created|retry|active|completed|cancelled|failed))*$/, 'must be job states, ,-separated')
    .optional()
    .openapi({ description: 'Only these states, comma-separated: created, retry, active, completed, cancelled, failed.' }),
  name: z
    .string()
    .regex(
      /^(sync|sync-shard|thumbnails|thumbnails-batch|embed|embed-batch)(,(sync|sync-shard|thumbnails|thumbnails-batch|embed|embed-batch))*$/,
      'must be job names (sync, sync-shard, thumbnails, thumbnails-batch, embed, embed-batch), ,-separated',
    )
    .optional()
    .openapi({
      description:
        'Only these jobs, comma-separated: sync, sync-shard (one key range of a big sync), thumbnails, thumbnails-batch, embed, embed-batch (a range of samples of a run on PostgreSQL).',
    }),
  dataset: z.string().min(1).max(128).optional().openapi({ description: 'Only jobs of this dataset.' }),
  limit: z.coerce.number().int().min(1).max(1000).default(50).openapi({ description: 'At most this many, newest first.' }),
});

export const JobSchema = z
  .strictObject({
    id: z.string(),
    name: z.enum(['sync', 'sync-shard', 'thumbnails', 'thumbnails-batch', 'embed', 'embed-batch']),
    data: z.record(z.string(), z.unknown()).openapi({ description: 'The payload: the dataset and the options the job was started with.' }),
    state: z.enum(['created', 'retry', 'active', 'completed', 'cancelled', 'failed']),
    retryCount: z.number().int().openapi({ description: 'Attempts that failed (or whose worker died) and were tried again.' }),
    retryLimit: z.number().int(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    startAfter: z.string().openapi({ description: 'When the job, or its next retry, may start.' }),
    progress: z.record(z.string(), z.unknown()).nullable().openapi({
      description:
        "What the job last reported: `phase` and that phase's counters; `retrying` (a StorageRetry, or null) and `storageRetries` (storage calls retried in this attempt), as the worker running it wrote them.",
    }),
    result: z.record(z.string(), z.unknown()).nullable().openapi({ description: "The workflow's report, once completed." }),
    error: ErrorSchema.shape.error.nullable(),
  })
  .openapi('Job');

export const JobListSchema = z.strictObject({ jobs: z.array(JobSchema) }).openapi('JobList');
export type Job = z.infer<typeof JobSchema>;
export type JobState = Job['state'];
export type StorageRetry = z.infer<typeof StorageRetrySchema>;
