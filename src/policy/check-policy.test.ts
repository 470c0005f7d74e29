import { describe, expect, it } from 'vitest';
import { listOnlyPolicy, prefixConditionPolicy, readOnlyPolicy, referencePolicy } from '../../test/support/policies.js';
import { parseLocation } from '../model/location.js';
import { isAppError, type AppError } from '../errors.js';
import { checkPolicyWithin } from './check-policy-within.js';
import { collapseWildcardRuns } from './wildcard-runs.js';
import { checkPolicy, hasErrors, isUnreadable, type PolicyCheck } from './check-policy.js';
import { generatePolicy } from './generate-policy.js';
import { iamSimulatePolicyEvaluator } from './iam-simulate.policy-evaluator.js';

const BUCKET = 'datalake';
const PREFIX = 'projects/farm-animals/';
const scope = { input: parseLocation(`s3://${BUCKET}/${PREFIX}`) };

const lights = (check: PolicyCheck) => Object.fromEntries(Object.entries(check.checks).map(([light, result]) => [light, result.ok]));
const codes = (check: PolicyCheck) => check.findings.map((finding) => finding.code);
const finding = (check: PolicyCheck, code: string) => check.findings.find((candidate) => candidate.code === code);
const policyOf = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });

const LIST_DATASET_FOLDER = {
  Sid: 'ListDatasetFolder',
  Effect: 'Allow',
  Action: 's3:ListBucket',
  Resource: 'arn:aws:s3:::datalake',
  Condition: { StringLike: { 's3:prefix': ['projects/farm-animals/', 'projects/farm-animals/*'] } },
};
const READ_DATASET_OBJECTS = { Sid: 'ReadDatasetObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::datalake/projects/farm-animals/*' };
const WRITE_WINNOW_FOLDER = {
  Sid: 'WriteWinnowFolder',
  Effect: 'Allow',
  Action: 's3:PutObject',
  Resource: 'arn:aws:s3:::datalake/projects/farm-animals/.winnow/*',
};
const DELETE_IN_WINNOW_FOLDER = {
  Sid: 'DeleteInWinnowFolder',
  Effect: 'Allow',
  Action: 's3:DeleteObject',
  Resource: 'arn:aws:s3:::datalake/projects/farm-animals/.winnow/*',
};

describe('checkPolicy on the reference policy, verbatim', () => {
  it('grants all five lights, each from the statement that allows it', async () => {
    const check = await checkPolicy(referencePolicy(BUCKET, PREFIX), scope);
    expect(lights(check)).toEqual({ list: true, read: true, write: true, overwrite: true, delete: true });
    expect(check.checks.list).toMatchObject({ action: 's3:ListBucket', resource: 'arn:aws:s3:::datalake', grantedBy: ['VisualEditor0'] });
    expect(check.checks.list.context).toMatchObject({ 's3:prefix': PREFIX, 's3:max-keys': '1' });
    expect(check.checks.write).toMatchObject({
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::datalake/projects/farm-animals/.winnow/probes/verify-policy-check.txt',
      grantedBy: ['VisualEditor1'],
    });
  });

  it('finds the bucket-wide listing and the ListBucket resource that matches nothing', async () => {
    const check = await checkPolicy(referencePolicy(BUCKET, PREFIX), scope);
    expect(finding(check, 'bucket-wide-listing')).toMatchObject({ severity: 'error', statement: 'VisualEditor0', field: 'Condition' });
    expect(finding(check, 'bucket-wide-listing')?.message).toContain('the bucket root ""');
    expect(finding(check, 'bucket-wide-listing')?.message).toContain('"projects/farm-animals-2/" (a sibling folder)');
    expect(finding(check, 'ineffective-resource')).toMatchObject({ severity: 'warning', statement: 'VisualEditor0', field: 'Resource' });
    expect(finding(check, 'ineffective-resource')?.message).toContain('"arn:aws:s3:::datalake/projects/farm-animals/*" can never match s3:ListBucket');
  });

  it("flags s3:* and the delete (and overwrite) it allows on the dataset's own images", async () => {
    const check = await checkPolicy(referencePolicy(BUCKET, PREFIX), scope);
    expect(finding(check, 'broad-action')).toMatchObject({ statement: 'VisualEditor1', field: 'Action' });
    expect(finding(check, 'broad-action')?.message).toContain('"s3:*" allows');
    expect(finding(check, 'delete-allowed-on-input')).toMatchObject({ statement: 'VisualEditor1' });
    expect(finding(check, 'write-allowed-on-input')).toMatchObject({ statement: 'VisualEditor1' });
    expect(codes(check)).not.toContain('access-outside-prefix');
    expect(codes(check)).not.toContain('other-services');
    expect(hasErrors(check)).toBe(true);
  });

  it('tightens it into the least-privilege --write --delete policy, which has no findings and the same lights', async () => {
    const check = await checkPolicy(referencePolicy(BUCKET, PREFIX), scope);
    // Written out rather than asked of generatePolicy, which the tightening itself calls.
    expect(check.tightenedPolicy).toEqual(policyOf(LIST_DATASET_FOLDER, READ_DATASET_OBJECTS, WRITE_WINNOW_FOLDER, DELETE_IN_WINNOW_FOLDER));
    const again = await checkPolicy(check.tightenedPolicy, scope);
    expect(again.findings).toEqual([]);
    expect(lights(again)).toEqual(lights(check));
  });
});

describe('checkPolicy on the test policies', () => {
  it("sees no bucket-wide listing under an s3:prefix condition, but the rest of the reference policy's flaws", async () => {
    const check = await checkPolicy(prefixConditionPolicy(BUCKET, PREFIX), scope);
    expect(lights(check)).toEqual({ list: true, read: true, write: true, overwrite: true, delete: true });
    expect(codes(check)).not.toContain('bucket-wide-listing');
    expect(codes(check)).toEqual(expect.arrayContaining(['ineffective-resource', 'broad-action', 'delete-allowed-on-input']));
  });

  it('finds nothing wrong with the read-only policy and keeps it read-only', async () => {
    const check = await checkPolicy(readOnlyPolicy(BUCKET, PREFIX), scope);
    expect(lights(check)).toEqual({ list: true, read: true, write: false, overwrite: false, delete: false });
    expect(check.findings).toEqual([]);
    expect(check.tightenedPolicy).toEqual(policyOf(LIST_DATASET_FOLDER, READ_DATASET_OBJECTS));
  });

  it('keeps the list-only policy list-only', async () => {
    const check = await checkPolicy(listOnlyPolicy(BUCKET, PREFIX), scope);
    expect(lights(check)).toEqual({ list: true, read: false, write: false, overwrite: false, delete: false });
    expect(check.findings).toEqual([]);
    expect(check.tightenedPolicy?.Statement.map((statement) => statement.Action)).toEqual(['s3:ListBucket']);
  });
});

describe('checkPolicy findings', () => {
  it('catches "prefix*" without the slash, in resources and in s3:prefix conditions', async () => {
    const check = await checkPolicy(
      policyOf(
        {
          Sid: 'List',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::datalake',
          Condition: { StringLike: { 's3:prefix': 'projects/farm-animals*' } },
        },
        { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::datalake/projects/farm-animals*' },
      ),
      scope,
    );
    expect(finding(check, 'access-outside-prefix')).toMatchObject({ severity: 'error', statement: 'Read', field: 'Resource' });
    expect(finding(check, 'access-outside-prefix')?.message).toContain('s3:GetObject on arn:aws:s3:::datalake/projects/farm-animals-2/example.jpg');
    expect(finding(check, 'access-outside-prefix')?.message).toContain('has no "/" before the "*"');
    expect(finding(check, 'bucket-wide-listing')).toMatchObject({ statement: 'List', field: 'Condition' });
    expect(finding(check, 'bucket-wide-listing')?.message).not.toContain('the bucket root');
  });

  it('flags s3:* on every resource: listing everywhere, objects everywhere, and the broad action', async () => {
    const check = await checkPolicy(policyOf({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), scope);
    expect(finding(check, 'bucket-wide-listing')).toMatchObject({ statement: 'Statement[0]', field: 'Resource' });
    expect(finding(check, 'bucket-wide-listing')?.message).toContain('another bucket');
    expect(finding(check, 'access-outside-prefix')?.message).toContain('arn:aws:s3:::some-other-bucket/example.jpg');
    expect(finding(check, 'broad-action')).toMatchObject({ statement: 'Statement[0]' });
    expect(codes(check)).not.toContain('other-services');
  });

  it('flags actions of other services, and "*"', async () => {
    const check = await checkPolicy(
      policyOf(
        ...readOnlyPolicy(BUCKET, PREFIX).Statement,
        { Sid: 'Extra', Effect: 'Allow', Action: ['iam:PassRole', 'ec2:DescribeInstances'], Resource: '*' },
        { Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: '*' },
      ),
      scope,
    );
    expect(check.findings.filter((candidate) => candidate.code === 'other-services').map((candidate) => [candidate.statement, candidate.severity])).toEqual([
      ['Extra', 'error'],
      ['Everything', 'error'],
    ]);
    expect(finding(check, 'other-services')?.message).toContain('iam:PassRole, ec2:DescribeInstances');
  });

  it('says which statement denies a light', async () => {
    const check = await checkPolicy(
      policyOf(...generatePolicy({ ...scope, write: true, delete: true }).Statement, {
        Sid: 'NoWinnowWrites',
        Effect: 'Deny',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::datalake/*',
      }),
      scope,
    );
    expect(lights(check)).toEqual({ list: true, read: true, write: false, overwrite: false, delete: true });
    expect(check.checks.write.deniedBy).toEqual(['NoWinnowWrites']);
    expect(check.findings).toEqual([]);
  });

  it("checks writes with the dataset's SSE-KMS headers when it has a key", async () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    const requireKms = policyOf(...generatePolicy({ ...scope, write: true, delete: false }).Statement, {
      Sid: 'DenyUnencryptedWrites',
      Effect: 'Deny',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::datalake/*',
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    });
    expect((await checkPolicy(requireKms, scope)).checks.write).toMatchObject({ ok: false, deniedBy: ['DenyUnencryptedWrites'] });
    const withKey = await checkPolicy(requireKms, { ...scope, sseKmsKeyId: key });
    expect(withKey.checks.write).toMatchObject({
      ok: true,
      context: { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': key },
    });
  });

  it('evaluates network conditions from a network the policy allows', async () => {
    const restricted = generatePolicy({ ...scope, write: false, delete: false, sourceIps: ['203.0.113.0/24'] });
    const check = await checkPolicy(restricted, scope);
    expect(lights(check)).toMatchObject({ list: true, read: true });
    expect(check.checks.list.context['aws:SourceIp']).toBe('203.0.113.0');
    expect(check.tightenedPolicy).toEqual(restricted);
  });

  it('warns about NotAction and NotResource and still evaluates them', async () => {
    const check = await checkPolicy(
      policyOf(
        { Sid: 'AllButIam', Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::datalake/projects/farm-animals/*' },
        { Sid: 'AllButSecrets', Effect: 'Allow', Action: 's3:ListBucket', NotResource: 'arn:aws:s3:::secrets' },
      ),
      scope,
    );
    expect(finding(check, 'not-action')).toMatchObject({ severity: 'warning', statement: 'AllButIam', field: 'NotAction' });
    expect(finding(check, 'not-resource')).toMatchObject({ severity: 'warning', statement: 'AllButSecrets', field: 'NotResource' });
    expect(finding(check, 'other-services')).toMatchObject({ statement: 'AllButIam', field: 'NotAction' });
    expect(finding(check, 'bucket-wide-listing')).toMatchObject({ statement: 'AllButSecrets' });
    expect(lights(check)).toEqual({ list: true, read: true, write: true, overwrite: true, delete: true });
  });

  it('flags object actions on the bucket ARN as ineffective', async () => {
    const check = await checkPolicy(
      policyOf({ Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: ['arn:aws:s3:::datalake', 'arn:aws:s3:::datalake/projects/farm-animals/*'] }),
      scope,
    );
    expect(finding(check, 'ineffective-resource')).toMatchObject({ statement: 'Read', field: 'Resource' });
    expect(finding(check, 'ineffective-resource')?.message).toContain('"arn:aws:s3:::datalake" can never match s3:GetObject');
  });
});

describe('checkPolicy on broken policies', () => {
  it('reports malformed JSON with its line and column, and evaluates nothing', async () => {
    const check = await checkPolicy('{\n  "Version": "2012-10-17",\n  "Statement": [\n    { "Effect": "Allow" "Action": "s3:GetObject" }\n  ]\n}\n', scope);
    expect(check.findings).toEqual([
      {
        code: 'invalid-json',
        severity: 'error',
        line: 4,
        column: 25,
        message: "The policy is not valid JSON: line 4, column 25: Expected ',' or '}' after property value.",
      },
    ]);
    expect(isUnreadable(check)).toBe(true);
    expect(check.tightenedPolicy).toBeNull();
    expect(Object.values(lights(check))).toEqual([false, false, false, false, false]);
    expect(check.checks.list.message).toBe('not evaluated: the policy is invalid');
  });

  it.each([
    ['', 'The policy is empty.'],
    ['{"Version": "2012-10-17", "Statement": [', 'line 1, column 41: Unexpected end of JSON input'],
    ['[1, 2]', 'A policy is a JSON object'],
  ])('reports %j precisely', async (text, message) => {
    const check = await checkPolicy(text, scope);
    expect(check.findings).toHaveLength(1);
    expect(check.findings[0]?.message).toContain(message);
  });

  it('names the statement and field of every missing or invalid field', async () => {
    const check = await checkPolicy(
      {
        Statement: [
          { Sid: 'Read', Effect: 'Alow', Action: 's3:GetObject' },
          { Effect: 'Allow', Actions: 's3:GetObject', Resource: '*', Principal: '*' },
        ],
      },
      scope,
    );
    const summary = check.findings.map(({ code, severity, statement, field }) => [code, severity, statement, field]);
    expect(summary).toEqual([
      ['invalid-field', 'error', 'Read', 'Effect'],
      ['missing-field', 'error', 'Read', 'Resource'],
      ['invalid-field', 'error', 'Statement[1]', 'Actions'],
      ['missing-field', 'error', 'Statement[1]', 'Action'],
      ['invalid-field', 'error', 'Statement[1]', 'Principal'],
      ['missing-field', 'warning', undefined, 'Version'],
    ]);
    expect(check.findings[0]?.message).toContain('Did you mean "Allow"?');
    expect(check.findings[2]?.message).toContain('Did you mean "Action"?');
    expect(check.tightenedPolicy).toBeNull();
  });

  it('requires a Statement', async () => {
    const check = await checkPolicy({ Version: '2012-10-17' }, scope);
    expect(check.findings).toEqual([{ code: 'missing-field', severity: 'error', field: 'Statement', message: 'No "Statement": the policy grants nothing.' }]);
  });

  it('only warns about a missing Version, and evaluates the rest', async () => {
    const { Statement } = readOnlyPolicy(BUCKET, PREFIX);
    const check = await checkPolicy({ Statement }, scope);
    expect(codes(check)).toEqual(['missing-field']);
    expect(isUnreadable(check)).toBe(false);
    expect(lights(check)).toMatchObject({ list: true, read: true });
  });

  it('suggests the action an unknown one was probably meant to be', async () => {
    const check = await checkPolicy(
      policyOf({
        Sid: 'Read',
        Effect: 'Allow',
        Action: ['s3:GetObjekt', 's4:GetObject', 's3:Gett*'],
        Resource: 'arn:aws:s3:::datalake/projects/farm-animals/*',
      }),
      scope,
    );
    expect(check.findings.filter((candidate) => candidate.code === 'unknown-action').map((candidate) => candidate.message)).toEqual([
      '"s3:GetObjekt" is not a known s3 action, so it matches nothing. Did you mean "s3:GetObject"?',
      '"s4:GetObject" names no AWS service ("s4"), so it matches nothing.',
      '"s3:Gett*" matches no s3 action, so it grants nothing.',
    ]);
    expect(finding(check, 'unknown-action')).toMatchObject({ severity: 'error', statement: 'Read', field: 'Action' });
    expect(codes(check)).not.toContain('other-services');
    expect(lights(check)).toMatchObject({ read: false });
  });

  it('rejects unknown condition operators', async () => {
    const check = await checkPolicy(
      policyOf({
        Sid: 'List',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: 'arn:aws:s3:::datalake',
        Condition: { StringLikeish: { 's3:prefix': 'x/' }, 'ForAnyValue:StringLikeIfExists': { 's3:prefix': 'x/' } },
      }),
      scope,
    );
    expect(check.findings).toEqual([
      {
        code: 'invalid-field',
        severity: 'error',
        statement: 'List',
        field: 'Condition',
        message: 'Unknown condition operator "StringLikeish". Did you mean "StringLike"?',
      },
    ]);
  });

  it("reports what the IAM engine's validator finds, with statement and field", async () => {
    const evaluator = { ...iamSimulatePolicyEvaluator, validate: () => [{ path: 'Statement[0].Condition', message: 'Condition key is odd' }] };
    const check = await checkPolicy(readOnlyPolicy(BUCKET, PREFIX), scope, evaluator);
    expect(check.findings).toEqual([
      { code: 'invalid-policy', severity: 'error', statement: 'ListInsidePrefix', field: 'Condition', message: 'Condition key is odd.' },
    ]);
    expect(check.tightenedPolicy).toBeNull();
  });

  it('refuses local folders', async () => {
    await expect(checkPolicy(readOnlyPolicy(BUCKET, PREFIX), { input: parseLocation('/data/photos') })).rejects.toSatisfy((error) =>
      isAppError(error, 'LocationInvalid'),
    );
  });
});

describe('policies that would take the IAM engine forever', () => {
  it('evaluates runs of wildcards at once, with the meaning they have in IAM', async () => {
    // "*?" × 36 made iam-simulate backtrack for minutes: it became 36 regex groups ".*?.".
    const runs = policyOf({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'*?'.repeat(36)}` });
    const check = await checkPolicy(JSON.stringify(runs), scope);
    expect(lights(check)).toMatchObject({ read: true, list: false });
    // At least 36 characters: a key shorter than that is not granted.
    const tooShort = policyOf({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'?*'.repeat(60)}` });
    expect(lights(await checkPolicy(JSON.stringify(tooShort), scope))).toMatchObject({ read: false });
  });

  it('stops a policy still too slow to evaluate at a deadline, with a clear error', async () => {
    const polynomial = policyOf({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'a*'.repeat(40)}b` });
    const target = { input: parseLocation(`s3://${'a'.repeat(50)}/${'a'.repeat(60)}/`) };
    const error = await checkPolicyWithin(JSON.stringify(polynomial), target, 1_500).catch((caught: unknown) => caught);
    expect(isAppError(error, 'PolicyTooComplex')).toBe(true);
    expect((error as AppError).hint).toMatch(/few wildcards/);
  });

  it('refuses a document nested deeper than any policy, naming where', async () => {
    const depth = 100_000;
    const check = await checkPolicy(`{"Version": "2012-10-17", "Statement": ${'['.repeat(depth)}${']'.repeat(depth)}}`, scope);
    expect(isUnreadable(check)).toBe(true);
    expect(check.findings[0]).toMatchObject({ code: 'invalid-policy', line: 1, message: expect.stringContaining('nests deeper than 16 levels') });
  });
});

describe('collapseWildcardRuns', () => {
  it.each([
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/*'],
    ['a**b', 'a*b'],
    ['*?*?', '??*'],
    ['??', '??'],
    ['a?*?b*', 'a??*b*'],
  ])('%s → %s', (pattern, collapsed) => {
    expect(collapseWildcardRuns(pattern)).toBe(collapsed);
  });
});
