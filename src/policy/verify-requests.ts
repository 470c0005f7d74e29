import type { Light } from '../model/lights.js';
import { bucketArn, objectArn } from './policy-document.js';
import type { SimulatedRequest } from './policy-evaluator.js';
import { winnowFolder, type PolicyScope } from './policy-scope.js';

export interface LightRequest extends SimulatedRequest {
  /** The S3 call `winnow datasource verify` makes for the light. */
  operation: string;
}

/** What every request Winnow signs carries, whatever it asks for. */
export const SIGNED_REQUEST_CONTEXT: Readonly<Record<string, string>> = {
  'aws:SecureTransport': 'true',
  's3:authType': 'REST-HEADER',
  's3:signatureversion': 'AWS4-HMAC-SHA256',
};

/**
 * The requests `winnow datasource verify` makes, one per light, as IAM sees them
 * (see verify.service.ts: a one-key listing, a one-byte read, a probe written twice, then deleted).
 */
export function verifyRequests(scope: PolicyScope, options: { sseKmsKeyId?: string | undefined } = {}): Record<Light, LightRequest> {
  const probe = objectArn(winnowFolder(scope).bucket, `${winnowFolder(scope).prefix}probes/verify-policy-check.txt`);
  const encryption: Record<string, string> =
    options.sseKmsKeyId === undefined
      ? {}
      : { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': options.sseKmsKeyId };
  const write: LightRequest = { operation: 'PutObject', action: 's3:PutObject', resource: probe, context: { ...SIGNED_REQUEST_CONTEXT, ...encryption } };
  return {
    list: {
      operation: 'ListObjectsV2',
      action: 's3:ListBucket',
      resource: bucketArn(scope.input.bucket),
      context: { ...SIGNED_REQUEST_CONTEXT, 's3:prefix': scope.input.prefix, 's3:max-keys': '1' },
    },
    read: {
      operation: 'GetObject',
      action: 's3:GetObject',
      resource: objectArn(scope.input.bucket, `${scope.input.prefix}example.jpg`),
      context: { ...SIGNED_REQUEST_CONTEXT },
    },
    write,
    overwrite: { ...write },
    delete: { operation: 'DeleteObject', action: 's3:DeleteObject', resource: probe, context: { ...SIGNED_REQUEST_CONTEXT } },
  };
}
