import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireDataset } from '../../catalog/dataset.service.js';
import type { EmbedJobs } from '../../jobs/embed-jobs.js';
import { datasetMap } from '../../workflows/embedding-map.js';
import { listRegisteredModels } from '../../workflows/embedding-models.js';
import { describeDatasetEmbeddings } from '../../workflows/embedding-vectors.js';
import { findNeighbours } from '../../workflows/vector-index.js';
import type { ApiDeps } from '../api-deps.js';
import { EmbedJobSchema, EmbeddingMapQuery, EmbeddingMapSchema, EmbeddingStatusSchema, ModelNameParam, ModelSchema, NeighboursQuery, NeighboursSchema, StartEmbeddingQuery } from '../embeddings.schemas.js';
import { DatasetNameParam, ErrorSchema } from '../schemas.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const errors = {
  400: json(ErrorSchema, 'Invalid request'),
  401: json(ErrorSchema, 'Not signed in'),
  404: json(ErrorSchema, 'No such dataset, model or vectors'),
  409: json(ErrorSchema, 'Another job holds the dataset, or the vectors changed meanwhile'),
  500: json(ErrorSchema, 'Unexpected failure'),
};
const security = [{ bearer: [] }];
const JobResponse = z.object({ job: EmbedJobSchema.nullable() });

/** Embeddings: start and follow `embed` in the background, its status per model, the 2-D map, nearest neighbours, the models. */
export function embeddingRoutes(deps: ApiDeps, embedJobs: EmbedJobs) {
  const { context } = deps;
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
        responses: { 202: json(JobResponse, 'Started'), ...errors },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        const { model, batchSize } = c.req.valid('query');
        await requireDataset(context, name);
        return c.json({ job: embedJobs.start(name, { model, batchSize }) as z.infer<typeof EmbedJobSchema> }, 202);
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
        responses: { 200: json(EmbeddingStatusSchema, 'Status'), 401: errors[401], 404: errors[404], 500: errors[500] },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        const status = await describeDatasetEmbeddings(context, name);
        return c.json({ job: (embedJobs.latest(name) ?? null) as z.infer<typeof EmbedJobSchema> | null, ...status }, 200);
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
        responses: { 200: json(JobResponse, 'Job or null'), 401: errors[401], 500: errors[500] },
      }),
      async (c) => c.json({ job: (embedJobs.cancel(c.req.valid('param').name) ?? null) as z.infer<typeof EmbedJobSchema> | null }, 200),
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
        responses: { 200: json(EmbeddingMapSchema, 'Map'), ...errors },
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
        responses: { 200: json(NeighboursSchema, 'Nearest first'), ...errors },
      }),
      async (c) => {
        const { name, model } = c.req.valid('param');
        const { key, k } = c.req.valid('query');
        return c.json(await findNeighbours(context, name, key, { model, k }), 200);
      },
    )
    .openapi(
      createRoute({ method: 'get', path: '/models', operationId: 'listModels', security, tags: ['embeddings'], summary: 'Registered image models', responses: { 200: json(z.object({ models: z.array(ModelSchema) }), 'Models'), 401: errors[401], 500: errors[500] } }),
      async (c) => {
        const models = await listRegisteredModels(context);
        return c.json({ models: models.map(({ name, dimensions, inputSize, layout, output, source, sha256, createdAt }) => ({ name, dimensions, inputSize, layout, output, source, sha256, createdAt })) }, 200);
      },
    );
}
