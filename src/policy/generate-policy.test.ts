import { describe, expect, it } from 'vitest';
import { parseLocation } from '../model/location.js';
import { isAppError } from '../errors.js';
import { checkPolicy } from './check-policy.js';
import { generatePolicy, promisedLights, type PolicyRequest } from './generate-policy.js';

const input = parseLocation('s3://datalake/projects/farm-animals/');
const KMS_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

describe('generatePolicy', () => {
  it('lists only the input prefix and reads under it, nothing more, by default', () => {
    expect(generatePolicy({ input, write: false, delete: false })).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ListDatasetFolder',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::datalake',
          Condition: { StringLike: { 's3:prefix': ['projects/farm-animals/', 'projects/farm-animals/*'] } },
        },
        { Sid: 'ReadDatasetObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::datalake/projects/farm-animals/*' },
      ],
    });
  });

  it('writes and deletes only under <output>.winnow/, in the output bucket', () => {
    const policy = generatePolicy({ input, output: parseLocation('s3://results/farm/'), write: true, delete: true });
    expect(policy.Statement.slice(2)).toEqual([
      { Sid: 'WriteWinnowFolder', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::results/farm/.winnow/*' },
      { Sid: 'DeleteInWinnowFolder', Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::results/farm/.winnow/*' },
    ]);
  });

  it('grants s3:DeleteObject only with delete', () => {
    const actions = generatePolicy({ input, write: true, delete: false }).Statement.map((statement) => statement.Action);
    expect(actions).toEqual(['s3:ListBucket', 's3:GetObject', 's3:PutObject']);
  });

  it('leaves out s3:GetObject for the list-only policy', () => {
    expect(generatePolicy({ input, write: false, delete: false, read: false }).Statement.map((statement) => statement.Action)).toEqual(['s3:ListBucket']);
  });

  it("lets S3 use the SSE-KMS key on the caller's behalf only", () => {
    const kms = generatePolicy({ input, write: true, delete: false, sseKmsKeyId: KMS_KEY, sourceIps: ['203.0.113.0/24'] }).Statement.at(-1);
    expect(kms).toEqual({
      Sid: 'UseSseKmsKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: KMS_KEY,
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    });
  });

  it.each(['alias/winnow', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', 'arn:aws:kms:eu-west-1:123456789012:alias/winnow'])(
    'asks for the key ARN instead of %s',
    (keyId) => {
      const error = catchError(() => generatePolicy({ input, write: true, delete: false, sseKmsKeyId: keyId }));
      expect(isAppError(error, 'InputInvalid')).toBe(true);
      expect((error as Error).message).toContain('is not a KMS key ARN');
      expect((error as { hint: string }).hint).toContain('arn:aws:kms:<region>:<account>:key/<key-id>');
    },
  );

  it('puts the source IP condition on every S3 statement', () => {
    const policy = generatePolicy({ input, write: true, delete: true, sourceIps: ['203.0.113.0/24', '2001:db8::/32'] });
    for (const statement of policy.Statement) expect(statement.Condition?.IpAddress).toEqual({ 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] });
  });

  it('gives IPs and VPCs separate statements, since no request carries both', () => {
    const policy = generatePolicy({ input, write: false, delete: false, sourceIps: ['203.0.113.7'], sourceVpcs: ['vpc-0a1b2c3d'] });
    expect(policy.Statement.map((statement) => statement.Sid)).toEqual([
      'ListDatasetFolderFromAllowedIps',
      'ReadDatasetObjectsFromAllowedIps',
      'ListDatasetFolderFromAllowedVpcs',
      'ReadDatasetObjectsFromAllowedVpcs',
    ]);
    expect(policy.Statement[2]?.Condition).toEqual({
      StringLike: { 's3:prefix': ['projects/farm-animals/', 'projects/farm-animals/*'] },
      StringEquals: { 'aws:SourceVpc': ['vpc-0a1b2c3d'] },
    });
  });

  it.each([
    [{ sourceIps: ['203.0.113.0/33'] }, 'is not an IP address or CIDR block'],
    [{ sourceIps: ['example.com'] }, 'is not an IP address or CIDR block'],
    [{ sourceVpcs: ['vpce-1234'] }, 'is not a VPC id'],
  ])('rejects %j', (extra, message) => {
    const error = catchError(() => generatePolicy({ input, write: false, delete: false, ...extra }));
    expect(isAppError(error, 'InputInvalid')).toBe(true);
    expect((error as Error).message).toContain(message);
  });

  it('refuses local folders', () => {
    const error = catchError(() => generatePolicy({ input: parseLocation('/data/photos'), write: false, delete: false }));
    expect(isAppError(error, 'LocationInvalid')).toBe(true);
    expect((error as Error).message).toContain('local folder');
  });

  it('escapes IAM wildcards in a prefix so it matches only itself', async () => {
    expect(generatePolicy({ input: parseLocation('s3://datalake/sale*50%/'), write: false, delete: false }).Statement[1]?.Resource).toBe(
      'arn:aws:s3:::datalake/sale${*}50%/*',
    );
    // iam-simulate reads a "*" in a requested key as a pattern, so the simulated round trip uses "?" and "$".
    const oddInput = parseLocation('s3://datalake/sale?50$/');
    const policy = generatePolicy({ input: oddInput, write: false, delete: false });
    expect(policy.Statement[1]?.Resource).toBe('arn:aws:s3:::datalake/sale${?}50${$}/*');
    const check = await checkPolicy(policy, { input: oddInput });
    expect(check.checks.read.ok).toBe(true);
    expect(check.findings).toEqual([]);
    const lookalike = await checkPolicy(policy, { input: parseLocation('s3://datalake/saleX50$/') });
    expect(lookalike.checks.read.ok).toBe(false);
  });
});

describe('every generated policy', () => {
  const variants: Array<[string, PolicyRequest]> = [
    ['read-only', { input, write: false, delete: false }],
    ['list-only', { input, write: false, delete: false, read: false }],
    ['--write', { input, write: true, delete: false }],
    ['--write --delete', { input, write: true, delete: true }],
    ['--delete alone', { input, write: false, delete: true }],
    ['SSE-KMS', { input, write: true, delete: true, sseKmsKeyId: KMS_KEY }],
    ['source IPs', { input, write: true, delete: false, sourceIps: ['203.0.113.0/24', '2001:db8::/32'] }],
    ['source VPC', { input, write: true, delete: false, sourceVpcs: ['vpc-0a1b2c3d'] }],
    ['source IPs and VPCs', { input, write: true, delete: true, sourceIps: ['203.0.113.0/24'], sourceVpcs: ['vpc-0a1b2c3d'] }],
    ['another output bucket', { input, output: parseLocation('s3://results/farm/'), write: true, delete: true }],
    ['an output folder in the same bucket', { input, output: parseLocation('s3://datalake/results/farm-animals/'), write: true, delete: true }],
    ['the whole bucket as input', { input: parseLocation('s3://datalake/'), write: true, delete: true }],
  ];

  it.each(variants)('%s checks clean, with exactly the lights it promises', async (_, request) => {
    const policy = generatePolicy(request);
    const check = await checkPolicy(policy, { input: request.input, output: request.output });
    expect(check.findings).toEqual([]);
    expect(Object.fromEntries(Object.entries(check.checks).map(([light, result]) => [light, result.ok]))).toEqual(promisedLights(request));
    expect(check.tightenedPolicy).toEqual(policy);
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
