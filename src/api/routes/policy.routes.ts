import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireDataset, toDatasetView } from '../../catalog/dataset.service.js';
import { parseLocation } from '../../model/location.js';
import { generatePolicy, promisedLights, type PolicyRequest } from '../../policy/generate-policy.js';
import type { ApiDeps } from '../api-deps.js';
import { DatasetNameParam, DatasetPolicySchema, ErrorSchema } from '../schemas.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });


/** The least-privilege policy for a dataset, as `winnow policy generate --write --delete` prints it for the same locations. */
export function policyRoutes(deps: ApiDeps) {
  const { context } = deps;
  return new OpenAPIHono({ defaultHook: deps.validationHook }).openapi(
    createRoute({
      method: 'get',
      path: '/datasets/{name}/policy',
      tags: ['datasources'],
      summary: 'The minimal IAM policy for this dataset: list and read the input folder, write and delete only under <output>/.winnow/',
      request: { params: DatasetNameParam },
      responses: { 200: json(DatasetPolicySchema, 'The policy and the lights it grants'), 400: json(ErrorSchema, 'A local folder (no IAM policy) or an SSE-KMS key not given as an ARN'), 404: json(ErrorSchema, 'No such dataset') },
    }),
    async (c) => {
      const { dataset, datasources } = await requireDataset(context, c.req.valid('param').name);
      const view = toDatasetView(dataset, datasources);
      const request: PolicyRequest = {
        input: parseLocation(view.input.uri),
        output: parseLocation(view.output.uri),
        write: true,
        delete: true,
        sseKmsKeyId: view.output.sseKmsKeyId ?? undefined,
      };
      return c.json({ policy: generatePolicy(request) as unknown as Record<string, unknown>, lights: promisedLights(request) }, 200);
    },
  );
}
