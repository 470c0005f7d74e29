import { requireDataset } from '../catalog/dataset.service.js';
import type { Light } from '../model/lights.js';
import { generatePolicy, promisedLights, type PolicyRequest } from '../policy/generate-policy.js';
import type { PolicyDocument } from '../policy/policy-document.js';
import type { WorkflowDeps } from './workflow-deps.js';

/**
 * The least-privilege identity policy for a dataset's locations, as `winnow policy generate --write
 * --delete` prints it: list and read the input folder, write and delete only under <output>/.winnow/.
 */
export async function datasetPolicy(
  deps: Pick<WorkflowDeps, 'database'>,
  datasetName: string,
): Promise<{ policy: PolicyDocument; lights: Record<Light, boolean> }> {
  const { datasources } = await requireDataset(deps, datasetName);
  const input = datasources.find((datasource) => datasource.purpose === 'input')!;
  const output = datasources.find((datasource) => datasource.purpose === 'output') ?? input;
  const request: PolicyRequest = { input: input.location, output: output.location, write: true, delete: true, sseKmsKeyId: output.sseKmsKeyId ?? undefined };
  return { policy: generatePolicy(request), lights: promisedLights(request) };
}
