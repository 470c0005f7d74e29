import { externalIdProblem } from '../model/external-id.js';
import { AppError } from '../errors.js';
import { POLICY_VERSION } from './policy-document.js';

export interface TrustPolicyRequest {
  /** Winnow's own identity: an IAM user or role ARN, or a 12-digit account id. */
  principal: string;
  externalId: string;
}

/** A role's trust (resource) policy: unlike identity policies, its statements name a Principal. */
export interface TrustPolicyDocument {
  Version: string;
  Statement: Array<{
    Sid: string;
    Effect: 'Allow';
    Principal: { AWS: string };
    Action: 'sts:AssumeRole';
    Condition: { StringEquals: { 'sts:ExternalId': string } };
  }>;
}

const PRINCIPAL = /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+))$/;

/**
 * The trust policy the bucket owner attaches to the role Winnow assumes: only Winnow's
 * principal, and only with the agreed external ID (the confused-deputy guard).
 */
export function generateTrustPolicy(request: TrustPolicyRequest): TrustPolicyDocument {
  const problems = [
    PRINCIPAL.test(request.principal)
      ? undefined
      : `--principal "${request.principal}" must be an IAM user or role ARN (arn:aws:iam::111122223333:user/winnow) or a 12-digit account id`,
    externalIdProblem(request.externalId),
  ].filter((problem): problem is string => problem !== undefined);
  if (problems.length > 0) throw new AppError('InputInvalid', `Cannot write the trust policy: ${problems.join('; ')}.`);
  const principal = /^\d{12}$/.test(request.principal) ? `arn:aws:iam::${request.principal}:root` : request.principal;
  return {
    Version: POLICY_VERSION,
    Statement: [
      {
        Sid: 'LetWinnowAssumeThisRoleWithTheExternalId',
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': request.externalId } },
      },
    ],
  };
}
