import type { Light, VerifyCheck } from '../model/lights.js';
import { AppError } from '../errors.js';
import { checkPolicy, isUnreadable, type PolicyCheck, type PolicyTarget, type PolicyLightCheck } from './check-policy.js';
import { checkPolicyWithin } from './check-policy-within.js';
import type { PolicyFinding } from './policy-findings.js';

export interface PolicyDifference {
  light: Light;
  /** What the policy grants, offline. */
  promised: boolean;
  /** What the real probe found. */
  observed: boolean;
  explanation: string;
}

/** The `policy` part of a verify report: the offline check of a policy file next to the probes. */
export interface PolicyComparison {
  findings: PolicyFinding[];
  promised: Record<Light, PolicyLightCheck>;
  differences: PolicyDifference[];
}

/** checkPolicy for `verify --policy`: a policy that cannot be read stops verify before any probe. */
export async function checkUsablePolicy(policyJson: unknown, target: PolicyTarget): Promise<PolicyCheck> {
  // Text from a file is checked against a deadline; an object built in code is trusted to be a real policy.
  const check = typeof policyJson === 'string' ? await checkPolicyWithin(policyJson, target) : await checkPolicy(policyJson, target);
  if (isUnreadable(check)) {
    const first = check.findings.find((finding) => finding.severity === 'error');
    const where = first?.statement === undefined ? '' : ` (${[first.statement, first.field].filter(Boolean).join(' › ')})`;
    throw new AppError('PolicyInvalid', `The policy file cannot be used${where}: ${first?.message ?? 'it is invalid.'}`, {
      hint: 'Run `winnow policy check <file> --input <uri>` to see every problem.',
      details: { findings: check.findings },
    });
  }
  return check;
}

/** Lights whose probe disagrees with the policy; a skipped probe proves nothing either way. */
export function compareWithProbes(check: PolicyCheck, observed: Record<Light, VerifyCheck>): PolicyComparison {
  const differences: PolicyDifference[] = [];
  for (const [light, probe] of Object.entries(observed) as Array<[Light, VerifyCheck]>) {
    const promised = check.checks[light].ok;
    if (probe.skipped || promised === probe.ok) continue;
    differences.push({ light, promised, observed: probe.ok, explanation: explain(light, promised, probe) });
  }
  return { findings: check.findings, promised: check.checks, differences };
}

function explain(light: Light, promised: boolean, probe: VerifyCheck): string {
  if (!promised) {
    return `The probe succeeded although this policy does not grant ${light}: these credentials hold more than this policy (another policy on the user, role or group, or a bucket policy). Check that the file is the policy actually attached.`;
  }
  if (probe.errorCode === 'DatasourceKmsDenied') {
    return `The policy grants ${light} but KMS refused: the key policy or its grants do not let these credentials use the key.`;
  }
  if (probe.errorCode === 'DatasourceAccessDenied' || probe.s3Code === 'AccessDenied') {
    return `The policy grants ${light} but the probe was denied: something else denies more — a bucket policy, an SCP or RCP, a permissions boundary, a session policy or a KMS key policy — or these credentials do not hold this policy.`;
  }
  return `The policy grants ${light} but the probe failed for another reason: ${probe.message ?? probe.errorCode ?? 'unknown error'}`;
}
