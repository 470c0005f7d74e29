import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { datasetPolicy } from '../../workflows/dataset-policy.js';
import type { ApiDeps } from '../api-deps.js';
import { BEARER, DATASET_ERRORS, errors, json } from '../openapi.js';
import { DatasetNameParam, DatasetPolicySchema } from '../schemas.js';

export function policyRoutes(deps: ApiDeps) {
  const { context } = deps;
  return new OpenAPIHono({ defaultHook: deps.validationHook }).openapi(
    createRoute({
      method: 'get',
      path: '/datasets/{name}/policy',
      operationId: 'getDatasetPolicy',
      tags: ['datasources'],
      summary: 'The minimal IAM policy for this dataset: list and read the input folder, write and delete only under <output>/.winnow/',
      security: BEARER,
      request: { params: DatasetNameParam },
      responses: { 200: json(DatasetPolicySchema, 'The policy and the lights it grants'), ...errors(...DATASET_ERRORS) },
    }),
    async (c) => {
      const { policy, lights } = await datasetPolicy(context, c.req.valid('param').name);
      return c.json({ policy: policy as unknown as Record<string, unknown>, lights }, 200);
    },
  );
}
