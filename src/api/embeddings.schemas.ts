import { z } from '@hono/zod-openapi';

/** The OpenAPI contract of the embedding routes (kept apart from schemas.ts while that file is reworked). */

export const ModelNameParam = z.object({
  name: z.string().min(1).max(128).openapi({ param: { name: 'name', in: 'path' }, example: 'farm-animals' }),
  model: z.string().min(1).max(64).openapi({ param: { name: 'model', in: 'path' }, example: 'default' }),
});

export const StartEmbeddingQuery = z.object({
  model: z.string().min(1).max(64).optional().openapi({ description: 'A registered model; default: the bundled one.' }),
  batchSize: z.coerce.number().int().min(1).max(1024).optional(),
});

const EmbedProgressSchema = z.object({ model: z.string(), total: z.number(), toEmbed: z.number(), done: z.number(), embedded: z.number(), failed: z.number() });
const EmbedReportSchema = z.object({
  dataset: z.string(),
  model: z.string(),
  dimensions: z.number(),
  embedded: z.number(),
  skipped: z.number(),
  failed: z.number(),
  retryable: z.number(),
  removed: z.number(),
  total: z.number(),
  imagesPerSecond: z.number(),
  durationMs: z.number(),
});

export const EmbedJobSchema = z
  .object({
    id: z.string(),
    dataset: z.string(),
    model: z.string(),
    status: z.enum(['running', 'completed', 'failed', 'cancelled']),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    progress: EmbedProgressSchema.nullable(),
    report: EmbedReportSchema.nullable(),
    error: z.object({ code: z.string(), message: z.string(), hint: z.string().nullable() }).nullable(),
  })
  .openapi('EmbedJob');

export const EmbeddingStatusSchema = z
  .object({
    job: EmbedJobSchema.nullable(),
    /** Live samples. */
    samples: z.number(),
    models: z.array(z.object({ name: z.string(), dimensions: z.number(), source: z.string(), embedded: z.number(), rejected: z.number() })),
  })
  .openapi('EmbeddingStatus');

export const EmbeddingMapQuery = z.object({ method: z.enum(['pca', 'umap']).default('pca') });

export const EmbeddingMapSchema = z
  .object({
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
  .object({ dataset: z.string(), model: z.string(), key: z.string(), neighbours: z.array(z.object({ key: z.string(), distance: z.number() })), queryMs: z.number() })
  .openapi('Neighbours');

export const ModelSchema = z
  .object({ name: z.string(), dimensions: z.number(), inputSize: z.number(), layout: z.enum(['nchw', 'nhwc']), output: z.string(), source: z.enum(['default', 'user', 'imported']), sha256: z.string(), createdAt: z.string() })
  .openapi('Model');
