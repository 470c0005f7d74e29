import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireDataset } from '../../catalog/dataset.service.js';
import { datasetMap } from '../../workflows/embedding-map.js';
import { listRegisteredModels } from '../../workflows/embedding-models.js';
import { describeDatasetEmbeddings } from '../../workflows/embedding-vectors.js';
import { findNeighbours } from '../../workflows/vector-index.js';
import type { ApiDeps } from '../api-deps.js';
import { BEARER, DATASET_ERRORS, errors, json } from '../openapi.js';
import {
  DatasetNameParam,
  EmbedJobSchema,
  EmbeddingMapQuery,
  EmbeddingMapSchema,
  EmbeddingStatusSchema,
  ModelNameParam,
  ModelSchema,
  NeighboursQuery,
  NeighboursSchema,
  StartEmbeddingQuery,
} from '../schemas.js';

const JobResponse = z.strictObject({ job: EmbedJobSchema.nullable() }).openapi('EmbedJobResponse');
const security = BEARER;

/** Embeddings: start and follow `embed` in the background, its status per model, the 2-D map, nearest neighbours, the models. */
export function embeddingRoutes(deps: ApiDeps) {
  const { context, embedJobs } = deps;
  return new OpenAPIHono({ defaultHook: deps.validationHook })
    .openapi(
      createRoute({
        method: 'post',
        path: '/datasets/{name}/embeddings',
        operationId: 'startEmbedding',
        security,
        tags: ['embeddings'],
        summary: 'Compute embeddings in the background (returns the running job if there is one)',
        request: { params: DatasetNameParam, query: StartEmbeddingQuery },
        responses: { 202: json(JobResponse, 'Started (or already running)'), ...errors(...DATASET_ERRORS, 409) },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        const { model, batchSize } = c.req.valid('query');
        await requireDataset(context, name);
        return c.json({ job: (await embedJobs.start(name, { model, batchSize })) as z.infer<typeof EmbedJobSchema> }, 202);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets/{name}/embeddings',
        operationId: 'getEmbeddingStatus',
        security,
        tags: ['embeddings'],
        summary: 'The running or last embedding job started by this server, and how many samples have vectors per model',
        request: { params: DatasetNameParam },
        responses: { 200: json(EmbeddingStatusSchema, 'The running or last job, and the vectors stored per model'), ...errors(...DATASET_ERRORS) },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        const status = await describeDatasetEmbeddings(context, name);
        return c.json({ job: ((await embedJobs.latest(name)) ?? null) as z.infer<typeof EmbedJobSchema> | null, ...status }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/datasets/{name}/embeddings',
        operationId: 'cancelEmbedding',
        security,
        tags: ['embeddings'],
        summary: 'Cancel the running embedding job; the next one continues where it stopped',
        request: { params: DatasetNameParam },
        responses: { 200: json(JobResponse, 'The cancelled job, or null'), ...errors(...DATASET_ERRORS) },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        await requireDataset(context, name);
        return c.json({ job: ((await embedJobs.cancel(name)) ?? null) as z.infer<typeof EmbedJobSchema> | null }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets/{name}/embeddings/{model}/map',
        operationId: 'getEmbeddingMap',
        security,
        tags: ['embeddings'],
        summary: 'The 2-D map of the vectors as packed arrays (keys, and x,y as base64 float32), cached until the vectors change',
        request: { params: ModelNameParam, query: EmbeddingMapQuery },
        responses: { 200: json(EmbeddingMapSchema, 'The 2-D map as packed arrays'), ...errors(...DATASET_ERRORS, 409) },
      }),
      async (c) => {
        const { name, model } = c.req.valid('param');
        const map = await datasetMap(context, name, { model, method: c.req.valid('query').method });
        const coordinates = Buffer.from(map.coordinates.buffer, map.coordinates.byteOffset, map.coordinates.byteLength).toString('base64');
        return c.json({ dataset: map.dataset, model: map.model, method: map.method, points: map.points, keys: map.keys, coordinates }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets/{name}/embeddings/{model}/neighbours',
        operationId: 'getNeighbours',
        security,
        tags: ['embeddings'],
        summary: 'The samples nearest to one sample (cosine distance)',
        request: { params: ModelNameParam, query: NeighboursQuery },
        responses: { 200: json(NeighboursSchema, 'Nearest first, the query left out'), ...errors(...DATASET_ERRORS, 409) },
      }),
      async (c) => {
        const { name, model } = c.req.valid('param');
        const { key, k } = c.req.valid('query');
        return c.json(await findNeighbours(context, name, key, { model, k }), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/models',
        operationId: 'listModels',
        security,
        tags: ['embeddings'],
        summary: 'Registered image models',
        responses: { 200: json(z.strictObject({ models: z.array(ModelSchema) }).openapi('ModelList'), 'Models'), ...errors(401) },
      }),
      async (c) => {
        const models = await listRegisteredModels(context);
        return c.json(
          {
            models: models.map(({ name, dimensions, inputSize, layout, output, source, sha256, createdAt }) => ({
              name,
              dimensions,
              inputSize,
              layout,
              output,
              source,
              sha256,
              createdAt,
            })),
          },
          200,
        );
      },
    );
}
