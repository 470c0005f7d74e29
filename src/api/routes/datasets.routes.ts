import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { deleteDataset, listDatasets, showDataset } from '../../catalog/dataset.service.js';
import { createDataset } from '../../workflows/create-dataset.js';
import { verifyDatasource } from '../../workflows/verify-datasource.js';
import type { ApiDeps } from '../api-deps.js';
import { CreateDatasetSchema, DatasetDetailsSchema, DatasetNameParam, DatasetSchema, DatasetSummarySchema, ErrorSchema, VerifyReportSchema } from '../schemas.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const errors = { 400: json(ErrorSchema, 'Invalid request'), 401: json(ErrorSchema, 'Not signed in'), 404: json(ErrorSchema, 'No such dataset') };

export function datasetRoutes(deps: ApiDeps) {
  const { context } = deps;
  return new OpenAPIHono({ defaultHook: deps.validationHook })
    .openapi(createRoute({ method: 'get', path: '/datasets', tags: ['datasets'], summary: 'List datasets with sample counts and last sync', responses: { 200: json(z.object({ datasets: z.array(DatasetSummarySchema) }), 'Datasets'), 401: errors[401] } }), async (c) =>
      c.json({ datasets: await listDatasets(context) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/datasets',
        tags: ['datasets'],
        summary: 'Create a dataset from an S3 folder or a local folder (nothing is copied)',
        request: { body: { content: { 'application/json': { schema: CreateDatasetSchema } }, required: true } },
        responses: { 201: json(DatasetSchema, 'Created'), 400: errors[400], 401: errors[401], 409: json(ErrorSchema, 'Name taken') },
      }),
      async (c) => c.json(await createDataset(context, c.req.valid('json')), 201),
    )
    .openapi(createRoute({ method: 'get', path: '/datasets/{name}', tags: ['datasets'], summary: 'A dataset with its locations, sample counts and last sync', request: { params: DatasetNameParam }, responses: { 200: json(DatasetDetailsSchema, 'Dataset with sample and thumbnail counts and its last sync'), ...errors } }), async (c) =>
      c.json(await showDataset(context, c.req.valid('param').name), 200),
    )
    .openapi(
      createRoute({ method: 'delete', path: '/datasets/{name}', tags: ['datasets'], summary: 'Delete a dataset from the catalog (the bucket is never touched)', request: { params: DatasetNameParam }, responses: { 204: { description: 'Deleted' }, ...errors } }),
      async (c) => {
        const { name } = c.req.valid('param');
        await deleteDataset(context, name);
        deps.stores.forget(name);
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/datasets/{name}/verify',
        tags: ['datasources'],
        summary: 'Probe list, read, write, overwrite and delete with real calls; check the bucket answers CORS preflights from this origin',
        request: { params: DatasetNameParam },
        responses: { 200: json(VerifyReportSchema, 'The five lights, each with its reason and fix'), ...errors },
      }),
      async (c) => c.json(await verifyDatasource(context, c.req.valid('param').name, { appOrigin: deps.publicOrigin(c.req.header('origin')) }), 200),
    );
}
