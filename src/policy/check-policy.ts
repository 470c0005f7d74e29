import type { Location } from '../model/location.js';
import type { Light } from '../model/lights.js';
import { describeError } from '../errors.js';
import { accessFindings } from './access-findings.js';
import { iamSimulatePolicyEvaluator } from './iam-simulate.policy-evaluator.js';
import { networkScenarios } from './network-scenarios.js';
import type { PolicyDocument } from './policy-document.js';
import type { Evaluation, PolicyEvaluator, SimulatedRequest } from './policy-evaluator.js';
import { makesPolicyUnreadable, sortFindings, type PolicyFinding } from './policy-findings.js';
import { toPolicyScope } from './policy-scope.js';
import { readPolicy, type ReadStatement } from './read-policy.js';
import { statementFindings } from './statement-findings.js';
import { tightenPolicy } from './tighten-policy.js';
import { verifyRequests, type LightRequest } from './verify-requests.js';

/** One light as the policy grants it, next to the request `winnow datasource verify` would make. */
export interface PolicyLightCheck {
  ok: boolean;
  operation: string;
  action: string;
  resource: string;
  /** The request context evaluated, including the network the policy was assumed to be used from. */
  context: Record<string, string>;
  /** Statements (Sid or `Statement[i]`) that allow the request. */
  grantedBy: string[];
  /** Statements that explicitly deny it. */
  deniedBy: string[];
  /** Why the light was not evaluated. */
  message?: string;
}

export interface PolicyCheck {
  checks: Record<Light, PolicyLightCheck>;
  findings: PolicyFinding[];
  /** The generated policy for the lights granted, or null when the policy could not be read. */
  tightenedPolicy: PolicyDocument | null;
}

/** The dataset a policy is checked for. */
export interface PolicyTarget {
  input: Location;
  /** Default: the input. */
  output?: Location | undefined;
  /** The dataset's SSE-KMS key, sent with every write. */
  sseKmsKeyId?: string | undefined;
}

/**
 * Evaluates an identity policy offline (JSON text or an already parsed value) for a dataset:
 * the lights it grants, what it grants beyond them, and a tightened policy that fixes every finding.
 */
export async function checkPolicy(policyJson: unknown, target: PolicyTarget, evaluator: PolicyEvaluator = iamSimulatePolicyEvaluator): Promise<PolicyCheck> {
  const scope = toPolicyScope(target);
  const requests = verifyRequests(scope, { sseKmsKeyId: target.sseKmsKeyId });
  const read = readPolicy(policyJson, (policy) => evaluator.validate(policy));
  if (read.policy === undefined || read.findings.some(makesPolicyUnreadable)) {
    return { checks: notEvaluated(requests, 'not evaluated: the policy is invalid'), findings: sortFindings(read.findings), tightenedPolicy: null };
  }
  const { document, statements } = read.policy;
  const evaluate = evaluateFromAllowedNetworks(document, statements, evaluator);
  try {
    const checks = await lightChecks(requests, statements, evaluate);
    const findings = [...read.findings, ...(await statementFindings(statements, evaluator)), ...(await accessFindings(statements, scope, evaluate))];
    const lights = Object.fromEntries(Object.entries(checks).map(([light, check]) => [light, check.ok])) as Record<Light, boolean>;
    return { checks, findings: sortFindings(findings), tightenedPolicy: tightenPolicy(statements, lights, scope) };
  } catch (error) {
    const finding: PolicyFinding = { code: 'invalid-policy', severity: 'error', message: `The policy could not be evaluated: ${describeError(error)}` };
    return {
      checks: notEvaluated(requests, 'not evaluated: the policy could not be evaluated'),
      findings: sortFindings([...read.findings, finding]),
      tightenedPolicy: null,
    };
  }
}

/** True when the check found problems that must be fixed (error severity), including an unreadable policy. */
export function hasErrors(check: Pick<PolicyCheck, 'findings'>): boolean {
  return check.findings.some((finding) => finding.severity === 'error');
}

/** True when the policy could not be read at all (malformed JSON, missing or invalid fields). */
export function isUnreadable(check: Pick<PolicyCheck, 'findings'>): boolean {
  return check.findings.some(makesPolicyUnreadable);
}

type EvaluateWithContext = (request: SimulatedRequest) => Promise<Evaluation & { context: Record<string, string> }>;

/** A request is granted when it is allowed from some network the policy allows (see networkScenarios). */
function evaluateFromAllowedNetworks(document: object, statements: readonly ReadStatement[], evaluator: PolicyEvaluator): EvaluateWithContext {
  const scenarios = networkScenarios(statements);
  return async (request) => {
    let last: (Evaluation & { context: Record<string, string> }) | undefined;
    for (const network of scenarios) {
      const context = { ...request.context, ...network };
      last = { ...(await evaluator.evaluate(document, { ...request, context })), context };
      if (last.decision === 'Allowed') return last;
    }
    return last as Evaluation & { context: Record<string, string> };
  };
}

async function lightChecks(
  requests: Record<Light, LightRequest>,
  statements: readonly ReadStatement[],
  evaluate: EvaluateWithContext,
): Promise<Record<Light, PolicyLightCheck>> {
  const label = (indexes: number[]) => indexes.map((index) => statements[index]?.label ?? `Statement[${index}]`);
  const entries = await Promise.all(
    Object.entries(requests).map(async ([light, request]) => {
      const evaluation = await evaluate(request);
      const check: PolicyLightCheck = {
        ok: evaluation.decision === 'Allowed',
        operation: request.operation,
        action: request.action,
        resource: request.resource,
        context: evaluation.context,
        grantedBy: label(evaluation.allowedBy),
        deniedBy: label(evaluation.deniedBy),
      };
      return [light, check] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<Light, PolicyLightCheck>;
}

function notEvaluated(requests: Record<Light, LightRequest>, message: string): Record<Light, PolicyLightCheck> {
  const entries = Object.entries(requests).map(([light, request]) => [
    light,
    {
      ok: false,
      operation: request.operation,
      action: request.action,
      resource: request.resource,
      context: request.context,
      grantedBy: [],
      deniedBy: [],
      message,
    },
  ]);
  return Object.fromEntries(entries) as Record<Light, PolicyLightCheck>;
}
