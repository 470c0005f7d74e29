import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireDataset } from '../../catalog/dataset.service.js';
import type { ApiDeps } from '../api-deps.js';
import { DatasetNameParam, ErrorSchema, SyncJobResponseSchema } from '../schemas.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

export function syncRoutes(deps: ApiDeps) {
  const { context, syncJobs } = deps;
  return new OpenAPIHono({ defaultHook: deps.validationHook })
    .openapi(
      createRoute({
        method: 'post',
        path: '/datasets/{name}/sync',
        tags: ['sync'],
        summary: 'Start a sync in the background (returns the running one if there is one)',
        request: { params: DatasetNameParam, query: z.object({ skipVerify: z.enum(['true', 'false']).default('false') }) },
        responses: { 202: json(SyncJobResponseSchema, 'Started'), 404: json(ErrorSchema, 'No such dataset') },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        await requireDataset(context, name);
        return c.json({ job: syncJobs.start(name, { skipVerify: c.req.valid('query').skipVerify === 'true' }) }, 202);
      },
    )
    .openapi(createRoute({ method: 'get', path: '/datasets/{name}/sync', tags: ['sync'], summary: 'Progress of the running or last sync started by this server', request: { params: DatasetNameParam }, responses: { 200: json(SyncJobResponseSchema, 'Job or null') } }), async (c) =>
      c.json({ job: syncJobs.latest(c.req.valid('param').name) ?? null }, 200),
    )
    .openapi(createRoute({ method: 'delete', path: '/datasets/{name}/sync', tags: ['sync'], summary: 'Cancel the running sync; the next one resumes where it stopped', request: { params: DatasetNameParam }, responses: { 200: json(SyncJobResponseSchema, 'Job or null') } }), async (c) =>
      c.json({ job: syncJobs.cancel(c.req.valid('param').name) ?? null }, 200),
    );
}
