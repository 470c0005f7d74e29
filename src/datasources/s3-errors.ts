import { AppError, type ErrorCode } from '../errors.js';
import { findNetworkCode, isPassingStatus } from './network-errors.js';

export type S3Operation = 'ListObjectsV2' | 'GetObject' | 'PutObject' | 'DeleteObject';

export interface S3CallContext {
  operation: S3Operation;
  bucket: string;
  /** Full object key for object calls, the listed prefix for ListObjectsV2. */
  key: string;
  accessKeyId: string | undefined;
  endpoint: string;
  sseKmsKeyId?: string | undefined;
  /** `gcs`: Google Cloud Storage's XML API, whose errors name GCS permissions instead of IAM actions. Default `aws`. */
  flavor?: S3Flavor | undefined;
}

export type S3Flavor = 'aws' | 'gcs';

/** The Cloud Storage permission each call needs (PutObject over an existing object also needs storage.objects.delete). */
const GCS_PERMISSION: Record<S3Operation, string> = {
  ListObjectsV2: 'storage.objects.list',
  GetObject: 'storage.objects.get',
  PutObject: 'storage.objects.create',
  DeleteObject: 'storage.objects.delete',
};

const IAM_ACTION: Record<S3Operation, string> = {
  ListObjectsV2: 's3:ListBucket',
  GetObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  DeleteObject: 's3:DeleteObject',
};

export function iamActionFor(operation: S3Operation): string {
  return IAM_ACTION[operation];
}

/** The resource ARN IAM evaluates for this call. */
export function resourceArnFor(context: Pick<S3CallContext, 'operation' | 'bucket' | 'key'>): string {
  return context.operation === 'ListObjectsV2' ? `arn:aws:s3:::${context.bucket}` : `arn:aws:s3:::${context.bucket}/${context.key}`;
}

/** Turns an AWS SDK error into an AppError naming the call, the IAM action, the resource and a fix. */
export function translateS3Error(error: unknown, context: S3CallContext): AppError {
  const vendor = error as {
    name?: string;
    Code?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { headers?: Record<string, string> };
  };
  const s3Code = vendor.Code ?? vendor.name ?? 'Unknown';
  const status = vendor.$metadata?.httpStatusCode;
  const action = context.flavor === 'gcs' ? GCS_PERMISSION[context.operation] : iamActionFor(context.operation);
  const resource = context.flavor === 'gcs' ? `gs://${context.bucket}/${context.operation === 'ListObjectsV2' ? '' : context.key}` : resourceArnFor(context);
  const call = describeCall(context);
  const details = { operation: context.operation, s3Code, httpStatus: status, action, resource, endpoint: context.endpoint };
  const fail = (code: ErrorCode, message: string, hint: string) => new AppError(code, message, { cause: error, hint, details });

  const networkCode = findNetworkCode(error);
  if (networkCode !== undefined || s3Code === 'TimeoutError' || s3Code === 'RequestTimeout') {
    return fail(
      'DatasourceUnreachable',
      `${call} could not reach ${context.endpoint} (${networkCode ?? s3Code}).`,
      'Check the endpoint URL, the network and that the storage service is running.',
    );
  }
  switch (s3Code) {
    case 'AccessDenied':
    case 'AllAccessDisabled':
    case 'Forbidden':
      if (context.flavor === 'gcs') return gcsAccessDenied(context, s3Code, fail);
      if (context.sseKmsKeyId !== undefined && /kms/i.test(vendor.message ?? '')) {
        return fail(
          'DatasourceKmsDenied',
          `${call} was denied by KMS: the writer may not use key ${context.sseKmsKeyId}.`,
          `Allow kms:GenerateDataKey and kms:Decrypt on ${context.sseKmsKeyId} for this IAM identity.`,
        );
      }
      return fail(
        'DatasourceAccessDenied',
        `${call} was denied (${s3Code}): the IAM policy of ${context.accessKeyId ?? 'these credentials'} does not allow ${action} on ${resource}${context.operation === 'ListObjectsV2' ? ` for prefix "${context.key}"` : ''}.`,
        accessFix(context, action, resource),
      );
    case 'InvalidAccessKeyId':
      return fail(
        'DatasourceInvalidAccessKeyId',
        `${call} was rejected: the access key id ${context.accessKeyId ?? '(none)'} does not exist at ${context.endpoint}.`,
        'Check the access key id, that the key is active, and that the endpoint/region belongs to the same account.',
      );
    case 'SignatureDoesNotMatch':
      return fail(
        'DatasourceSignatureMismatch',
        `${call} was rejected: the secret access key does not match access key id ${context.accessKeyId ?? '(none)'}.`,
        'Re-enter the secret access key that was issued with this access key id.',
      );
    case 'ExpiredToken':
    case 'InvalidToken':
    case 'TokenRefreshRequired':
      return fail(
        'DatasourceCredentialsExpired',
        `${call} was rejected: the session token for ${context.accessKeyId ?? '(none)'} is expired or invalid (${s3Code}).`,
        'Obtain fresh temporary credentials and update the datasource.',
      );
    case 'NoSuchBucket':
      return fail(
        'DatasourceBucketNotFound',
        `${call} failed: bucket "${context.bucket}" does not exist at ${context.endpoint}.`,
        `Check the bucket name in the ${context.flavor === 'gcs' ? 'gs://' : 's3://'} location${context.flavor === 'gcs' ? '' : ' (and the endpoint for S3-compatible storage)'}.`,
      );
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
    case 'IllegalLocationConstraintException': {
      const region = vendor.$response?.headers?.['x-amz-bucket-region'] ?? /expecting '([a-z0-9-]+)'/.exec(vendor.message ?? '')?.[1];
      return fail(
        'DatasourceWrongRegion',
        `${call} failed: bucket "${context.bucket}" is in ${region ? `region ${region}` : 'another region'}.`,
        region ? `Pass --region ${region}.` : "Pass the bucket's region with --region.",
      );
    }
    case 'NoSuchKey':
    case 'NotFound':
      return fail('ObjectNotFound', `${call} failed: the object no longer exists.`, 'Run a sync to refresh the catalog.');
    default:
      if (isPassingStatus(status)) {
        return fail(
          'DatasourceUnavailable',
          `${call} failed with ${s3Code} (HTTP ${status}): ${sentence(vendor.message)}`,
          'The storage is throttling or failing for now: the next run tries this object again. WINNOW_S3_MAX_ATTEMPTS sets how often one call is tried; if it persists, check the storage service.',
        );
      }
      return fail(
        'DatasourceError',
        `${call} failed with ${s3Code}${status ? ` (HTTP ${status})` : ''}: ${sentence(vendor.message)}`,
        'Retry later; if it persists, check the storage service logs.',
      );
  }
}

/** The storage's own message as the end of a sentence: S3's often ends with a full stop already. */
function sentence(message: string | undefined): string {
  const text = message?.trim() || 'no message';
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function describeCall(context: S3CallContext): string {
  const [api, scheme] = context.flavor === 'gcs' ? ['Cloud Storage (XML API)', 'gs'] : ['S3', 's3'];
  return context.operation === 'ListObjectsV2'
    ? `${api} ListObjectsV2 on ${scheme}://${context.bucket}/${context.key}`
    : `${api} ${context.operation} of ${scheme}://${context.bucket}/${context.key}`;
}

function gcsAccessDenied(context: S3CallContext, s3Code: string, fail: (code: ErrorCode, message: string, hint: string) => AppError): AppError {
  const permission = GCS_PERMISSION[context.operation];
  const target = context.operation === 'ListObjectsV2' ? `gs://${context.bucket} for prefix "${context.key}"` : `gs://${context.bucket}/${context.key}`;
  const overwrite = context.operation === 'PutObject' ? ' (overwriting an existing object also needs storage.objects.delete)' : '';
  return fail(
    'DatasourceAccessDenied',
    `${describeCall(context)} was denied (${s3Code}): the service account of HMAC key ${context.accessKeyId ?? '(none)'} lacks ${permission} on ${target}${overwrite}.`,
    `Grant ${permission} to the service account, limited to the folder by an IAM condition; \`winnow policy generate --input gs://${context.bucket}/…\` prints the role and the conditions.`,
  );
}

function accessFix(context: S3CallContext, action: string, resource: string): string {
  if (context.operation === 'ListObjectsV2') {
    return `Add to the policy: Allow ${action} on ${resource} with Condition StringLike s3:prefix ["${context.key}", "${context.key}*"].`;
  }
  const folder = context.key.includes('/') ? `${context.key.slice(0, context.key.lastIndexOf('/') + 1)}*` : '*';
  return `Add to the policy: Allow ${action} on arn:aws:s3:::${context.bucket}/${folder}.`;
}
