import { isIP } from 'node:net';
import type { Location } from '../model/location.js';
import type { Light } from '../model/lights.js';
import { AppError } from '../errors.js';
import { bucketArn, literalForPolicy, objectArn, POLICY_VERSION, type ConditionBlock, type PolicyDocument, type PolicyStatement } from './policy-document.js';
import { toPolicyScope, winnowFolder } from './policy-scope.js';

export interface PolicyRequest {
  input: Location;
  /** Default: the input. */
  output?: Location | undefined;
  /** s3:PutObject on `<output>.winnow/*` (the write and overwrite lights). */
  write: boolean;
  /** s3:DeleteObject on `<output>.winnow/*`. */
  delete: boolean;
  /** s3:GetObject under the input prefix; default true. False gives the list-only ("minimum") policy. */
  read?: boolean | undefined;
  /** Key ARN, `arn:aws:kms:<region>:<account>:key/<key-id>`. */
  sseKmsKeyId?: string | undefined;
  /** IPv4/IPv6 addresses or CIDR blocks the keys may be used from. */
  sourceIps?: readonly string[] | undefined;
  /** VPC ids (`vpc-…`) the keys may be used from, through a gateway or interface endpoint. */
  sourceVpcs?: readonly string[] | undefined;
}

const KMS_KEY_ARN = /^arn:(aws|aws-cn|aws-us-gov):kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/;
const VPC_ID = /^vpc-[0-9a-f]{1,17}$/;

/**
 * The minimal identity policy for exactly the requested capabilities:
 * listing limited to the input prefix, reads under it, writes and deletes only under `<output>.winnow/`.
 *
 * @example generatePolicy({ input: parseLocation('s3://datalake/projects/farm-animals/'), write: true, delete: false })
 */
export function generatePolicy(request: PolicyRequest): PolicyDocument {
  const scope = toPolicyScope(request);
  const networks = networkConditions(request.sourceIps ?? [], request.sourceVpcs ?? []);
  const folder = winnowFolder(scope);
  const s3Statements: PolicyStatement[] = [
    // Winnow lists only the input prefix (verify and sync alike); it never lists the output.
    {
      Sid: 'ListDatasetFolder',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn(scope.input.bucket),
      ...(scope.input.prefix === ''
        ? {}
        : { Condition: { StringLike: { 's3:prefix': [literalForPolicy(scope.input.prefix), `${literalForPolicy(scope.input.prefix)}*`] } } }),
    },
  ];
  if (request.read !== false) {
    s3Statements.push({
      Sid: 'ReadDatasetObjects',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: objectArn(scope.input.bucket, `${literalForPolicy(scope.input.prefix)}*`),
    });
  }
  const winnowFiles = objectArn(folder.bucket, `${literalForPolicy(folder.prefix)}*`);
  if (request.write) s3Statements.push({ Sid: 'WriteWinnowFolder', Effect: 'Allow', Action: 's3:PutObject', Resource: winnowFiles });
  if (request.delete) s3Statements.push({ Sid: 'DeleteInWinnowFolder', Effect: 'Allow', Action: 's3:DeleteObject', Resource: winnowFiles });

  const statements = networks.flatMap((network) => s3Statements.map((statement) => withNetwork(statement, network)));
  if (request.sseKmsKeyId !== undefined) statements.push(kmsStatement(request.sseKmsKeyId));
  return { Version: POLICY_VERSION, Statement: statements };
}

/** The lights a generated policy grants, in the shape of `winnow datasource verify --json` checks. */
export function promisedLights(request: Pick<PolicyRequest, 'write' | 'delete' | 'read'>): Record<Light, boolean> {
  return { list: true, read: request.read !== false, write: request.write, overwrite: request.write, delete: request.delete };
}

/** True for the key ARN form generatePolicy accepts. */
export function isKmsKeyArn(value: string): boolean {
  return KMS_KEY_ARN.test(value);
}

interface NetworkCondition {
  sidSuffix: string;
  condition: ConditionBlock | undefined;
}

/**
 * Requests through a VPC endpoint carry aws:SourceVpc but no aws:SourceIp, so both
 * kinds in one statement would allow nothing; each kind gets its own copy of the statements.
 */
function networkConditions(sourceIps: readonly string[], sourceVpcs: readonly string[]): NetworkCondition[] {
  sourceIps.forEach(assertIpOrCidr);
  sourceVpcs.forEach(assertVpcId);
  const byIp: ConditionBlock = { IpAddress: { 'aws:SourceIp': [...sourceIps] } };
  const byVpc: ConditionBlock = { StringEquals: { 'aws:SourceVpc': [...sourceVpcs] } };
  if (sourceIps.length > 0 && sourceVpcs.length > 0) {
    return [
      { sidSuffix: 'FromAllowedIps', condition: byIp },
      { sidSuffix: 'FromAllowedVpcs', condition: byVpc },
    ];
  }
  if (sourceIps.length > 0) return [{ sidSuffix: '', condition: byIp }];
  if (sourceVpcs.length > 0) return [{ sidSuffix: '', condition: byVpc }];
  return [{ sidSuffix: '', condition: undefined }];
}

function withNetwork(statement: PolicyStatement, network: NetworkCondition): PolicyStatement {
  if (network.condition === undefined) return statement;
  return { ...statement, Sid: `${statement.Sid}${network.sidSuffix}`, Condition: { ...statement.Condition, ...network.condition } };
}

/**
 * S3 itself calls KMS for SSE-KMS, from AWS's network, so network conditions would deny it;
 * kms:ViaService limits the key to requests S3 makes for these credentials instead.
 */
function kmsStatement(keyId: string): PolicyStatement {
  const match = KMS_KEY_ARN.exec(keyId);
  if (match === null) {
    throw new AppError('InputInvalid', `"${keyId}" is not a KMS key ARN; an IAM policy can only name a key by its ARN (not by key id or alias).`, {
      hint: 'Give arn:aws:kms:<region>:<account>:key/<key-id>; `aws kms describe-key --key-id alias/<name>` prints it as KeyMetadata.Arn.',
    });
  }
  const region = match[2] as string;
  return {
    Sid: 'UseSseKmsKey',
    Effect: 'Allow',
    Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
    Resource: keyId,
    Condition: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
  };
}

export function isIpOrCidr(value: string): boolean {
  const [address = '', bits, ...rest] = value.split('/');
  const version = isIP(address);
  const maxBits = version === 6 ? 128 : 32;
  return version !== 0 && rest.length === 0 && (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits));
}

export function isVpcId(value: string): boolean {
  return VPC_ID.test(value);
}

function assertIpOrCidr(value: string): void {
  if (!isIpOrCidr(value)) {
    throw new AppError('InputInvalid', `"${value}" is not an IP address or CIDR block.`, {
      hint: 'Give e.g. --source-ip 203.0.113.0/24 or --source-ip 2001:db8::/32.',
    });
  }
}

function assertVpcId(value: string): void {
  if (!isVpcId(value)) {
    throw new AppError('InputInvalid', `"${value}" is not a VPC id.`, {
      hint: 'Give e.g. --source-vpc vpc-0a1b2c3d4e5f67890 (aws ec2 describe-vpcs lists them).',
    });
  }
}
