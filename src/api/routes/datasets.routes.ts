import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { createDatasetCountsCache } from '../../catalog/dataset-counts.js';
import { deleteDataset, listDatasets, showDataset } from '../../catalog/dataset.service.js';
import { cleanDatasetOutputs } from '../../workflows/clean-outputs.js';
import { createDataset } from '../../workflows/create-dataset.js';
import { editDataset } from '../../workflows/edit-dataset.js';
import { verifyDatasource } from '../../workflows/verify-datasource.js';
import type { ApiDeps } from '../api-deps.js';
import { BEARER, BODY_ERRORS, DATASET_ERRORS, errors, json, STORAGE_ERRORS } from '../openapi.js';
import {
  CreateDatasetSchema,
  DatasetDetailsSchema,
  DatasetNameParam,
  DatasetOutputCleanupSchema,
  DatasetSchema,
  DatasetSummarySchema,
  EditDatasetSchema,
  VerifyReportSchema,
} from '../schemas.js';

export function datasetRoutes(deps: ApiDeps) {
  const { context } = deps;
  const countContents = createDatasetCountsCache();
  return new OpenAPIHono({ defaultHook: deps.validationHook })
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets',
        operationId: 'listDatasets',
        tags: ['datasets'],
        summary: 'List datasets with sample counts and last sync',
        security: BEARER,
        responses: { 200: json(z.strictObject({ datasets: z.array(DatasetSummarySchema) }).openapi('DatasetList'), 'Datasets, by name'), ...errors(401) },
      }),
      async (c) => c.json({ datasets: await listDatasets(context) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/datasets',
        operationId: 'createDataset',
        tags: ['datasets'],
        summary: 'Create a dataset from an S3 folder or a local folder (nothing is copied, nothing is sent to the bucket)',
        security: BEARER,
        request: { body: { content: { 'application/json': { schema: CreateDatasetSchema } }, required: true } },
        responses: { 201: json(DatasetSchema, 'Created'), ...errors(...BODY_ERRORS, 401, 403, 409) },
      }),
      async (c) => c.json(await createDataset(context, c.req.valid('json')), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets/{name}',
        operationId: 'getDataset',
        tags: ['datasets'],
        summary: 'A dataset with its locations, sample and thumbnail counts and its last sync',
        security: BEARER,
        request: { params: DatasetNameParam },
        responses: { 200: json(DatasetDetailsSchema, 'The dataset'), ...errors(...DATASET_ERRORS) },
      }),
      async (c) => c.json(await showDataset(context, c.req.valid('param').name, countContents), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/datasets/{name}',
        operationId: 'updateDataset',
        tags: ['datasets'],
        summary: 'Change a dataset: name, keys, output, filters, relevant filenames, thumbnails (not its input location; secrets are never returned)',
        security: BEARER,
        request: { params: DatasetNameParam, body: { content: { 'application/json': { schema: EditDatasetSchema } }, required: true } },
        responses: { 200: json(DatasetSchema, 'The dataset as changed'), ...errors(...DATASET_ERRORS, ...BODY_ERRORS, 403, 409) },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        const body = c.req.valid('json');
        const view = await editDataset(context, name, {
          ...body,
          relevantFilenames:
            body.relevantFilenames == null
              ? body.relevantFilenames
              : { text: body.relevantFilenames.text, source: body.relevantFilenames.source ?? 'the request' },
        });
        // Its stores were opened with the old keys (and under the old name).
        deps.stores.forget(name);
        return c.json(view, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/datasets/{name}/clean-outputs',
        operationId: 'cleanDatasetOutputs',
        tags: ['datasets'],
        summary: "Delete the thumbnails of removed samples left in the output's .winnow/ folder (as `winnow dataset clean-outputs`)",
        security: BEARER,
        request: { params: DatasetNameParam },
        responses: {
          200: json(DatasetOutputCleanupSchema, 'What was deleted, and what was left and why'),
          ...errors(...DATASET_ERRORS, 409, ...STORAGE_ERRORS),
        },
      }),
      async (c) => c.json(await cleanDatasetOutputs(context, c.req.valid('param').name), 200),
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/datasets/{name}',
        operationId: 'deleteDataset',
        tags: ['datasets'],
        summary: 'Delete a dataset from the catalog (the bucket is never touched)',
        security: BEARER,
        request: { params: DatasetNameParam },
        responses: { 204: { description: 'Deleted' }, ...errors(...DATASET_ERRORS) },
      }),
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
        operationId: 'verifyDataset',
        tags: ['datasources'],
        summary: 'Probe list, read, write, overwrite and delete with real calls; check the bucket answers CORS preflights from this origin',
        security: BEARER,
        request: { params: DatasetNameParam },
        responses: { 200: json(VerifyReportSchema, 'The five lights, each with its reason and fix'), ...errors(...DATASET_ERRORS, ...STORAGE_ERRORS) },
      }),
      async (c) => c.json(await verifyDatasource(context, c.req.valid('param').name, { appOrigin: deps.publicOrigin(c.req.header('origin')) }), 200),
    );
}
