import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { AppError } from '../errors.js';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface AssumedRole {
  roleArn: string;
  externalId: string | undefined;
  sessionSeconds: number;
  /** Identifies Winnow (and the dataset) in the bucket owner's CloudTrail. */
  sessionName: string;
  region: string;
  stsEndpoint: string | undefined;
  /** The STS endpoint is the operator's (WINNOW_STS_ENDPOINT or AWS's), so it is not guarded; it is timed out. */
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Base identity; undefined uses the AWS SDK's default chain (environment, profile, instance role). */
  baseCredentials: StaticCredentials | undefined;
}

/**
 * Credentials that assume `role` through STS. The S3 client memoises them and asks
 * again five minutes before they expire, so long syncs never run on expired keys.
 */
export function assumeRoleCredentials(role: AssumedRole): AwsCredentialIdentityProvider {
  const provider = fromTemporaryCredentials({
    params: {
      RoleArn: role.roleArn,
      ExternalId: role.externalId,
      RoleSessionName: role.sessionName,
      DurationSeconds: role.sessionSeconds,
    },
    masterCredentials: role.baseCredentials,
    clientConfig: {
      region: role.region,
      endpoint: role.stsEndpoint,
      maxAttempts: 2,
      requestHandler: new NodeHttpHandler({ connectionTimeout: role.connectTimeoutMs, requestTimeout: role.requestTimeoutMs, throwOnRequestTimeout: true }),
    },
  });
  return async (properties) => {
    try {
      return await provider(properties);
    } catch (error) {
      throw translateAssumeRoleError(error, role);
    }
  };
}

/** A role session name: 2-64 characters of [\w+=,.@-]. */
export function roleSessionName(datasetHint: string): string {
  const safe = datasetHint.replace(/[^\w+=,.@-]/g, '-').slice(0, 40);
  return `winnow-${safe}-${Date.now().toString(36)}`.slice(0, 64);
}

function translateAssumeRoleError(error: unknown, role: AssumedRole): AppError {
  const vendor = error as { name?: string; message?: string; Code?: string };
  const code = vendor.Code ?? vendor.name ?? 'Error';
  const details = { operation: 'AssumeRole', action: 'sts:AssumeRole', resource: role.roleArn, stsCode: code };
  if (code === 'CredentialsProviderError' || /Could not load credentials/i.test(vendor.message ?? '')) {
    return new AppError('DatasourceAssumeRoleFailed', `Winnow has no base AWS credentials to assume ${role.roleArn} with.`, {
      cause: error,
      hint: 'Give Winnow its own identity: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance/container role.',
      details,
    });
  }
  if (code === 'AccessDenied') {
    return new AppError('DatasourceAssumeRoleFailed', `STS AssumeRole of ${role.roleArn} was denied: ${vendor.message ?? 'AccessDenied'}`, {
      cause: error,
      hint: `In the role's trust policy, allow sts:AssumeRole for Winnow's principal with Condition StringEquals sts:ExternalId "${role.externalId ?? '<your external id>'}" (winnow policy generate --trust prints one).`,
      details,
    });
  }
  return new AppError('DatasourceAssumeRoleFailed', `STS AssumeRole of ${role.roleArn} failed (${code}): ${vendor.message ?? ''}`, {
    cause: error,
    hint: "Check the role ARN, the STS endpoint and Winnow's base credentials.",
    details,
  });
}
