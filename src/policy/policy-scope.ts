import { formatLocation, winnowPrefix, type Location } from '../model/location.js';
import { AppError } from '../errors.js';

export type S3Location = Extract<Location, { kind: 's3' }>;

/** The part of S3 a dataset's policy is about: the input to index and the output whose `.winnow/` folder Winnow writes. */
export interface PolicyScope {
  input: S3Location;
  output: S3Location;
}

/** Both locations must be in S3: a local folder has no IAM policy. */
export function toPolicyScope(locations: { input: Location; output?: Location | undefined }): PolicyScope {
  const output = locations.output ?? locations.input;
  return { input: requireS3(locations.input, 'input'), output: requireS3(output, 'output') };
}

/** The one folder Winnow writes to. */
export function winnowFolder(scope: PolicyScope): { bucket: string; prefix: string } {
  return { bucket: scope.output.bucket, prefix: winnowPrefix(scope.output) };
}

/** True for a key inside either configured location (Winnow's own writes are narrower: `.winnow/` only). */
export function isInsideLocations(scope: PolicyScope, bucket: string, key: string): boolean {
  return [scope.input, scope.output].some((location) => location.bucket === bucket && key.startsWith(location.prefix));
}

/** A bucket name that is neither the input's nor the output's, for "other bucket" probes. */
export function unrelatedBucket(scope: PolicyScope): string {
  const taken = new Set([scope.input.bucket, scope.output.bucket]);
  return ['some-other-bucket', 'some-other-bucket-2', 'some-other-bucket-3'].find((name) => !taken.has(name)) as string;
}

function requireS3(location: Location, role: 'input' | 'output'): S3Location {
  if (location.kind === 's3') return location;
  if (location.kind === 'local') {
    throw new AppError('LocationInvalid', `The ${role} ${formatLocation(location)} is a local folder; IAM policies only apply to S3 locations.`, {
      hint: `Give the ${role} as s3://bucket/folder/.`,
    });
  }
  const store = location.kind === 'azure' ? 'Azure Blob, whose access is a SAS token or an RBAC role' : 'Google Cloud Storage, whose access is a GCS IAM role';
  throw new AppError('LocationInvalid', `The ${role} ${formatLocation(location)} is in ${store}, not an AWS IAM policy.`, {
    hint: `\`winnow policy generate --input ${formatLocation(location)}\` prints the least-privilege recipe for it.`,
  });
}
