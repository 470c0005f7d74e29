import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireDataset } from '../../catalog/dataset.service.js';
import type { ApiDeps } from '../api-deps.js';
import { BEARER, DATASET_ERRORS, errors, json } from '../openapi.js';
import { DatasetNameParam, SyncJobResponseSchema } from '../schemas.js';

export function syncRoutes(deps: ApiDeps) {
  const { context, syncJobs } = deps;
  return new OpenAPIHono({ defaultHook: deps.validationHook })
    .openapi(
      createRoute({
        method: 'post',
        path: '/datasets/{name}/sync',
        operationId: 'startSync',
        tags: ['sync'],
        summary: 'Start a sync in the background (returns the running one if there is one)',
        security: BEARER,
        request: {
          params: DatasetNameParam,
          query: z.object({
            skipVerify: z.enum(['true', 'false']).default('false').openapi({ description: 'Index keys without reading headers (a list-only policy).' }),
          }),
        },
        responses: { 202: json(SyncJobResponseSchema, 'Started (or already running)'), ...errors(...DATASET_ERRORS) },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        await requireDataset(context, name);
        return c.json({ job: await syncJobs.start(name, { skipVerify: c.req.valid('query').skipVerify === 'true' }) }, 202);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets/{name}/sync',
        operationId: 'getSync',
        tags: ['sync'],
        summary: 'Progress of the running or last sync (started by this server; on PostgreSQL, by any)',
        security: BEARER,
        request: { params: DatasetNameParam },
        responses: { 200: json(SyncJobResponseSchema, 'The job, or null when this server started none'), ...errors(...DATASET_ERRORS) },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        await requireDataset(context, name);
        return c.json({ job: (await syncJobs.latest(name)) ?? null }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/datasets/{name}/sync',
        operationId: 'cancelSync',
        tags: ['sync'],
        summary: 'Cancel the running sync; the next one resumes where it stopped',
        security: BEARER,
        request: { params: DatasetNameParam },
        responses: { 200: json(SyncJobResponseSchema, 'The cancelled job, or null'), ...errors(...DATASET_ERRORS) },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        await requireDataset(context, name);
        return c.json({ job: (await syncJobs.cancel(name)) ?? null }, 200);
      },
    );
}
