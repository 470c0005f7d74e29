import { expandIamActions, type InvalidActionBehavior } from '@cloud-copilot/iam-expand';
import { validateIdentityPolicy } from '@cloud-copilot/iam-policy';
import { getDenialReasons, getGrantReasons, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { Decision, Evaluation, PolicyEvaluator, SimulatedRequest } from './policy-evaluator.js';
import { withCollapsedWildcardRuns } from './wildcard-runs.js';

// Placeholders: an identity policy is evaluated the same for any principal of its own account.
const ACCOUNT_ID = '123456789012';
const PRINCIPAL = `arn:aws:iam::${ACCOUNT_ID}:user/winnow`;
const POLICY_NAME = 'checked-policy';
// iam-expand exports the enum as a type only.
const DROP_UNKNOWN_ACTIONS = 'Remove' as InvalidActionBehavior;
const expansions = new Map<string, Promise<string[]>>();

/** @cloud-copilot/iam-simulate (Strict mode) and iam-expand behind the narrow PolicyEvaluator interface. */
export const iamSimulatePolicyEvaluator: PolicyEvaluator = {
  // Limitation: iam-simulate reads a "*" in a requested key as a pattern; keys with a literal "*" are rare.
  async evaluate(policy, request) {
    const response = await runSimulation(simulationOf(policy, request), { simulationMode: 'Strict' });
    if (response.resultType === 'error') {
      throw new Error(`iam-simulate could not evaluate ${request.action} on ${request.resource}: ${response.errors.message}`);
    }
    const analysis = response.resultType === 'single' ? response.result.analysis : response.results[0]?.analysis;
    const identityStatements = (reasons: Array<{ policyType: string; statementIndex: number }>) =>
      reasons.filter((reason) => reason.policyType === 'identity').map((reason) => reason.statementIndex - 1);
    return {
      decision: response.overallResult as Decision,
      allowedBy: analysis ? identityStatements(getGrantReasons(analysis)) : [],
      deniedBy: analysis
        ? identityStatements(
            getDenialReasons(analysis).filter((reason) => reason.denialType === 'Explicit') as Array<{ policyType: string; statementIndex: number }>,
          )
        : [],
    } satisfies Evaluation;
  },

  validate(policy) {
    return validateIdentityPolicy(policy).map((problem) => ({ path: problem.path, message: problem.message }));
  },

  expandAction(pattern) {
    // A policy names the same patterns over and over (and `*` is 20,000+ actions): expand each once.
    const key = pattern.toLowerCase();
    let expanded = expansions.get(key);
    if (expanded === undefined) {
      expanded = expandIamActions(pattern, { expandAsterisk: true, invalidActionBehavior: DROP_UNKNOWN_ACTIONS });
      expansions.set(key, expanded);
    }
    return expanded;
  },

  async actionsOfService(service) {
    return expandIamActions(`${service}:*`, { invalidActionBehavior: DROP_UNKNOWN_ACTIONS });
  },

  async canApplyTo(action, resourcePattern) {
    // iam-simulate matches the pattern against the ARN formats of the action's resource types (from iam-data).
    const request: SimulatedRequest = { action, resource: resourcePattern, context: {} };
    const response = await runSimulation(simulationOf({ Version: '2012-10-17', Statement: [] }, request), { simulationMode: 'Strict' });
    return !(response.resultType === 'error' && ['no.resource.types', 'must.use.wildcard'].includes(response.errors.message));
  },
};

function simulationOf(policy: object, request: SimulatedRequest): Simulation {
  return {
    request: {
      principal: PRINCIPAL,
      action: request.action,
      resource: { resource: request.resource, accountId: ACCOUNT_ID },
      contextVariables: request.context,
    },
    identityPolicies: [{ name: POLICY_NAME, policy: withCollapsedWildcardRuns(policy) }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
}
