import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), hint: z.string().nullable() }) })
  .openapi('Error', { example: { error: { code: 'DatasetNotFound', message: 'No dataset named "farm".', hint: 'List datasets with `winnow dataset list`.' } } });

/** Caps that keep any request small to validate and any error small to write. */
const LIMITS = { uri: 2_048, shortText: 256, secret: 1_024, sessionToken: 8_192, globs: 1_000, glob: 1_024, key: 4_096 } as const;
const text = (max: number) => z.string().min(1).max(max);

export const DatasetNameParam = z.object({
  name: z.string().min(1).max(128).openapi({ param: { name: 'name', in: 'path' }, example: 'farm-animals' }),
});

const ConnectionSchema = z.object({
  uri: text(LIMITS.uri).openapi({ example: 's3://datalake/projects/farm-animals/' }),
  region: text(64).optional(),
  endpoint: text(LIMITS.uri).optional().openapi({ description: 'Custom S3 endpoint (MinIO, Ceph, R2, Wasabi). Private and loopback addresses only when the operator allows them.' }),
  pathStyle: z.boolean().optional(),
  accessKeyId: text(128).optional(),
  secretAccessKey: text(LIMITS.secret).optional().openapi({ description: 'Write-only: stored encrypted, never returned.' }),
  sessionToken: text(LIMITS.sessionToken).optional().openapi({ description: 'Write-only.' }),
  roleArn: text(LIMITS.uri).optional(),
  externalId: text(1_224).optional(),
  roleSessionSeconds: z.number().int().optional(),
  sseKmsKeyId: text(LIMITS.uri).optional(),
});

export const CreateDatasetSchema = z
  .object({
    name: text(128).openapi({ example: 'farm-animals' }),
    input: ConnectionSchema,
    output: ConnectionSchema.partial().extend({ uri: text(LIMITS.uri) }).optional(),
    include: z.array(text(LIMITS.glob)).max(LIMITS.globs).optional(),
    exclude: z.array(text(LIMITS.glob)).max(LIMITS.globs).optional(),
  })
  .openapi('CreateDataset');

const DatasourceViewSchema = z.object({
  purpose: z.enum(['input', 'output']),
  uri: z.string(),
  kind: z.enum(['s3', 'local']),
  region: z.string().nullable(),
  endpoint: z.string().nullable(),
  pathStyle: z.boolean(),
  accessKeyId: z.string().nullable(),
  hasSecret: z.boolean(),
  sseKmsKeyId: z.string().nullable(),
  roleArn: z.string().nullable(),
  externalId: z.string().nullable(),
  roleSessionSeconds: z.number().nullable(),
});

export const DatasetSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    input: DatasourceViewSchema,
    output: DatasourceViewSchema,
    include: z.array(z.string()),
    exclude: z.array(z.string()),
    hasRelevantFilenames: z.boolean(),
    createdAt: z.string(),
  })
  .passthrough()
  .openapi('Dataset');

export const DatasetSummarySchema = z
  .object({ name: z.string(), input: z.string(), samples: z.number(), lastSyncedAt: z.string().nullable(), syncStatus: z.string().nullable() })
  .openapi('DatasetSummary');

const CheckSchema = z.object({
  ok: z.boolean(),
  skipped: z.boolean(),
  operation: z.string(),
  action: z.string(),
  resource: z.string(),
  s3Code: z.string().optional(),
  message: z.string().optional(),
  fix: z.string().optional(),
});

export const VerifyReportSchema = z
  .object({
    dataset: z.string(),
    input: z.string(),
    output: z.string(),
    mode: z.string(),
    summary: z.string(),
    checks: z.object({ list: CheckSchema, read: CheckSchema, write: CheckSchema, overwrite: CheckSchema, delete: CheckSchema }),
    cors: z
      .object({ ok: z.boolean(), origin: z.string(), message: z.string(), configuration: z.array(z.record(z.string(), z.unknown())).nullable() })
      .nullable()
      .optional(),
  })
  .passthrough()
  .openapi('VerifyReport');

export const SyncJobSchema = z
  .object({
    id: z.string(),
    dataset: z.string(),
    status: z.enum(['running', 'completed', 'failed', 'cancelled']),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    progress: z.record(z.string(), z.unknown()).nullable(),
    report: z.record(z.string(), z.unknown()).nullable(),
    error: z.object({ code: z.string(), message: z.string(), hint: z.string().nullable() }).nullable(),
  })
  .openapi('SyncJob');

export const SampleSchema = z
  .object({
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
    thumbnail: z.object({ key: z.string(), width: z.number(), height: z.number() }).nullable(),
    thumbnailUrl: z.string().nullable().openapi({ description: 'The WebP thumbnail when one exists for the present content; otherwise show url.' }),
    thumbnailError: z.string().nullable(),
  })
  .passthrough()
  .openapi('Sample');

export const SampleQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: z.string().max(LIMITS.key * 2).optional().openapi({ description: 'nextCursor of the previous page.' }),
  status: z.enum(['pending', 'ok', 'error']).optional(),
  extension: z.string().regex(/^\.?[A-Za-z0-9]{1,10}$/).optional().openapi({ example: 'jpg' }),
  folder: z.string().max(LIMITS.key).optional().openapi({ example: 'cows/' }),
  q: z.string().max(200).optional().openapi({ description: 'Case-insensitive substring of the key.' }),
  sort: z.enum(['key', 'date']).default('key'),
  order: z.enum(['asc', 'desc']).default('asc'),
  urls: z.enum(['true', 'false']).default('true').openapi({ description: 'false skips presigning.' }),
});

export const SamplePageSchema = z.object({ samples: z.array(SampleSchema), nextCursor: z.string().nullable() }).openapi('SamplePage');
