/**
 * IAM decisions worked out by hand from AWS's documented evaluation logic, not computed: an explicit
 * Deny wins over any Allow, an Allow over the implicit deny; `s3:ListBucket` is authorized on the
 * bucket ARN with the listing's prefix as `s3:prefix`; object actions on `arn:aws:s3:::bucket/key`;
 * `*` and `?` in ARNs and StringLike values match any run of characters (including `/`) and exactly
 * one; action names ignore case, resources do not; a condition on a key the request lacks does not
 * match, but a negated operator (StringNotLike) on it does; `NotResource` and `NotAction` apply to
 * every resource or action but those listed.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 *
 * Both the product's offline checker (iam-simulate behind `iamSimulatePolicyEvaluator`) and the test
 * proxy that plays S3 for every other test must agree with every row. They share iam-simulate, so
 * comparing them with each other (or with `generatePolicy`) could not catch a mistake they share.
 */
import {
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iamSimulatePolicyEvaluator } from '../src/policy/iam-simulate.policy-evaluator.js';
import type { Decision } from '../src/policy/policy-evaluator.js';
import { listOnlyPolicy, prefixConditionPolicy, readOnlyPolicy, referencePolicy } from './support/policies.js';
import { proxyUser, startSeededS3, type SeededS3 } from './support/s3-fixture.js';
import type { ProxyUser } from './support/s3-policy-proxy.js';

const B = 'arn:aws:s3:::datalake';
const R = 'arn:aws:s3:::results';
const ARCHIVE = 'arn:aws:s3:::datalake-archive';
const IN = `${B}/projects/farm-animals/`;
const SIBLING = `${B}/projects/farm-animals-2/`;

/** The policy of /work/shared/reference/s3-iam-user-access.rst, verbatim. */
const REFERENCE = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'VisualEditor0', Effect: 'Allow', Action: 's3:ListBucket', Resource: ['arn:aws:s3:::datalake', 'arn:aws:s3:::datalake/projects/farm-animals/*'] },
    { Sid: 'VisualEditor1', Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::datalake/projects/farm-animals/*'] },
  ],
};
const LIST_INSIDE = { StringLike: { 's3:prefix': ['projects/farm-animals/', 'projects/farm-animals/*'] } };

const POLICIES = {
  reference: REFERENCE,
  'prefix-condition': {
    Version: '2012-10-17',
    Statement: [{ ...REFERENCE.Statement[0], Condition: LIST_INSIDE }, REFERENCE.Statement[1]],
  },
  'read-only': {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ListInsidePrefix', Effect: 'Allow', Action: 's3:ListBucket', Resource: B, Condition: LIST_INSIDE },
      { Sid: 'ReadObjectsInsidePrefix', Effect: 'Allow', Action: 's3:GetObject', Resource: `${IN}*` },
    ],
  },
  'list-only': {
    Version: '2012-10-17',
    Statement: [{ Sid: 'ListInsidePrefix', Effect: 'Allow', Action: 's3:ListBucket', Resource: B, Condition: LIST_INSIDE }],
  },
  'explicit-deny': {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AllowListing', Effect: 'Allow', Action: 's3:ListBucket', Resource: B },
      { Sid: 'AllowProjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `${B}/projects/*` },
      { Sid: 'DenyDeleteInDataset', Effect: 'Deny', Action: 's3:DeleteObject', Resource: `${IN}*` },
      { Sid: 'DenyPrivate', Effect: 'Deny', Action: 's3:*', Resource: `${IN}private/*` },
      {
        Sid: 'DenyPrivateListing',
        Effect: 'Deny',
        Action: 's3:ListBucket',
        Resource: B,
        Condition: { StringLike: { 's3:prefix': 'projects/farm-animals/private/*' } },
      },
    ],
  },
  'not-resource': {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AllowReads', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' },
      { Sid: 'DenyOutsideDataset', Effect: 'Deny', Action: 's3:*', NotResource: [B, `${IN}*`] },
    ],
  },
  negated: {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AllowAllButDelete', Effect: 'Allow', NotAction: 's3:DeleteObject', Resource: `${IN}*` },
      { Sid: 'AllowListing', Effect: 'Allow', Action: 's3:ListBucket', Resource: B },
      {
        Sid: 'DenyListingElsewhere',
        Effect: 'Deny',
        Action: 's3:ListBucket',
        Resource: B,
        Condition: { StringNotLike: { 's3:prefix': ['projects/farm-animals/', 'projects/farm-animals/*'] } },
      },
    ],
  },
  wildcards: {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ReadNumberedCows', Effect: 'Allow', Action: 's3:getobject', Resource: `${IN}cows/cow-00?.jpg` },
      {
        Sid: 'ListCowFolders',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: 'arn:aws:s3:::data*',
        Condition: { StringLike: { 's3:prefix': 'projects/*/cows/' } },
      },
    ],
  },
} as const;
type PolicyName = keyof typeof POLICIES;

interface Row {
  policy: PolicyName;
  action: string;
  resource: string;
  /** `s3:prefix` of a listing; undefined: the request names no prefix, so the key is absent. */
  prefix?: string;
  expected: Decision;
  why: string;
  /** Where iam-simulate (so both checker and proxy) is known to decide otherwise: the row runs as `it.fails`. */
  knownDisagreement?: string;
}

const row = (
  policy: PolicyName,
  action: string,
  resource: string,
  prefix: string | undefined,
  expected: Decision,
  why: string,
  knownDisagreement?: string,
): Row => ({
  policy,
  action,
  resource,
  prefix,
  expected,
  why,
  knownDisagreement,
});
const LIST = 's3:ListBucket';
const GET = 's3:GetObject';
const PUT = 's3:PutObject';
const DELETE = 's3:DeleteObject';

const ROWS: Row[] = [
  row('reference', LIST, B, 'projects/farm-animals/', 'Allowed', 'VisualEditor0 names the bucket ARN, without a condition'),
  row('reference', LIST, B, undefined, 'Allowed', 'the same statement lets the whole bucket be listed: the documented policy leaks every key name'),
  row('reference', LIST, B, 'projects/farm-animals-2/', 'Allowed', 'and a sibling folder'),
  row('reference', LIST, R, undefined, 'ImplicitlyDenied', 'no statement names the results bucket'),
  row('reference', GET, `${IN}cows/cow-001.jpg`, undefined, 'Allowed', 'VisualEditor1: s3:* on farm-animals/*'),
  row('reference', PUT, `${IN}.winnow/probes/decision-table.txt`, undefined, 'Allowed', 's3:* includes s3:PutObject'),
  row('reference', DELETE, `${IN}.winnow/probes/never-written.txt`, undefined, 'Allowed', 's3:* includes s3:DeleteObject'),
  row('reference', GET, `${SIBLING}intruder.jpg`, undefined, 'ImplicitlyDenied', '"farm-animals/*" needs the slash: farm-animals-2/ does not match'),
  row('reference', GET, `${B}/root.jpg`, undefined, 'ImplicitlyDenied', 'outside the prefix'),
  row(
    'reference',
    's3:GetBucketLocation',
    B,
    undefined,
    'ImplicitlyDenied',
    's3:* is granted on object ARNs only; the bucket ARN does not match farm-animals/*',
  ),
  row('reference', 's3:ListAllMyBuckets', '*', undefined, 'ImplicitlyDenied', 'no statement allows it on "*"'),
  row('reference', GET, `${R}/other-results/report.txt`, undefined, 'ImplicitlyDenied', 'another bucket'),

  row('prefix-condition', LIST, B, 'projects/farm-animals/', 'Allowed', 'StringLike "projects/farm-animals/" matches exactly'),
  row('prefix-condition', LIST, B, 'projects/farm-animals/cows/', 'Allowed', 'matches "projects/farm-animals/*"'),
  row('prefix-condition', LIST, B, undefined, 'ImplicitlyDenied', 's3:prefix is absent: StringLike without IfExists does not match'),
  row('prefix-condition', LIST, B, 'projects/farm-animals', 'ImplicitlyDenied', 'without the trailing slash neither pattern matches'),
  row('prefix-condition', LIST, B, 'projects/farm-animals-2/', 'ImplicitlyDenied', 'the sibling folder matches neither pattern'),
  row('prefix-condition', LIST, B, 'projects/', 'ImplicitlyDenied', 'the parent folder matches neither pattern'),
  row('prefix-condition', GET, `${IN}cows/cow-001.jpg`, undefined, 'Allowed', 'VisualEditor1 is unchanged'),
  row('prefix-condition', DELETE, `${IN}.winnow/probes/never-written.txt`, undefined, 'Allowed', 's3:* inside the prefix'),

  row('read-only', LIST, B, 'projects/farm-animals/', 'Allowed', 'ListInsidePrefix'),
  row('read-only', GET, `${IN}cows/cow-001.jpg`, undefined, 'Allowed', 'ReadObjectsInsidePrefix'),
  row('read-only', PUT, `${IN}.winnow/probes/decision-table.txt`, undefined, 'ImplicitlyDenied', 'only s3:GetObject is granted on objects'),
  row('read-only', DELETE, `${IN}cows/cow-001.jpg`, undefined, 'ImplicitlyDenied', 'only s3:GetObject is granted on objects'),
  row('read-only', GET, `${SIBLING}intruder.jpg`, undefined, 'ImplicitlyDenied', 'the sibling folder is outside the resource'),
  row('read-only', LIST, B, 'projects/farm-animals-2/', 'ImplicitlyDenied', 'the sibling folder matches neither pattern'),

  row('list-only', LIST, B, 'projects/farm-animals/', 'Allowed', 'ListInsidePrefix'),
  row('list-only', LIST, B, 'projects/farm-animals/pigs/', 'Allowed', 'matches "projects/farm-animals/*"'),
  row('list-only', GET, `${IN}cows/cow-001.jpg`, undefined, 'ImplicitlyDenied', 'nothing grants object reads'),
  row('list-only', LIST, R, 'projects/farm-animals/', 'ImplicitlyDenied', 'the condition matches, but the statement names datalake only'),

  row('explicit-deny', GET, `${IN}cows/cow-001.jpg`, undefined, 'Allowed', 'AllowProjects; no Deny matches'),
  row('explicit-deny', DELETE, `${IN}.winnow/probes/never-written.txt`, undefined, 'ExplicitlyDenied', 'DenyDeleteInDataset beats AllowProjects'),
  row('explicit-deny', DELETE, `${B}/projects/other/never-written.txt`, undefined, 'Allowed', 'AllowProjects; the Deny covers farm-animals/* only'),
  row('explicit-deny', GET, `${IN}private/secret.jpg`, undefined, 'ExplicitlyDenied', 'DenyPrivate beats AllowProjects'),
  row('explicit-deny', PUT, `${IN}private/new.txt`, undefined, 'ExplicitlyDenied', 'DenyPrivate covers every action'),
  row('explicit-deny', LIST, B, 'projects/farm-animals/', 'Allowed', 'DenyPrivateListing needs "private/" in the prefix'),
  row('explicit-deny', LIST, B, 'projects/farm-animals/private/', 'ExplicitlyDenied', 'the trailing * of the Deny matches the empty rest'),
  row('explicit-deny', LIST, B, 'projects/farm-animals/private', 'Allowed', 'without the slash the Deny pattern does not match'),
  row('explicit-deny', LIST, B, undefined, 'Allowed', "the Deny's condition key is absent, so the Deny does not apply; AllowListing has no condition"),
  row('explicit-deny', GET, `${B}/root.jpg`, undefined, 'ImplicitlyDenied', 'no Allow outside projects/, and no Deny matches'),
  row('explicit-deny', GET, `${SIBLING}intruder.jpg`, undefined, 'Allowed', 'the Denies on farm-animals/ do not reach farm-animals-2/; AllowProjects does'),

  row('not-resource', GET, `${IN}cows/cow-001.jpg`, undefined, 'Allowed', 'AllowReads on *; the Deny exempts farm-animals/*'),
  row('not-resource', GET, `${SIBLING}intruder.jpg`, undefined, 'ExplicitlyDenied', 'not among the exempt ARNs, so DenyOutsideDataset applies'),
  row('not-resource', GET, `${R}/other-results/report.txt`, undefined, 'ExplicitlyDenied', 'not among the exempt ARNs'),
  row('not-resource', LIST, B, undefined, 'Allowed', 'the bucket ARN is exempt; AllowReads on *'),
  row('not-resource', LIST, R, undefined, 'ExplicitlyDenied', 'another bucket is not exempt'),
  row('not-resource', PUT, `${IN}.winnow/probes/decision-table.txt`, undefined, 'ImplicitlyDenied', 'exempt from the Deny, but nothing allows writes'),
  row('not-resource', PUT, `${SIBLING}x.txt`, undefined, 'ExplicitlyDenied', 'not exempt'),
  row('not-resource', 's3:ListAllMyBuckets', '*', undefined, 'ExplicitlyDenied', '"*" is not one of the exempt ARNs, so the Deny applies'),
  row('not-resource', 's3:GetBucketLocation', B, undefined, 'ImplicitlyDenied', 'exempt from the Deny; AllowReads grants GetObject and ListBucket only'),

  row('negated', GET, `${IN}cows/cow-001.jpg`, undefined, 'Allowed', 'NotAction: every action but s3:DeleteObject, inside the prefix'),
  row('negated', PUT, `${IN}.winnow/probes/decision-table.txt`, undefined, 'Allowed', 'NotAction covers s3:PutObject'),
  row('negated', DELETE, `${IN}.winnow/probes/never-written.txt`, undefined, 'ImplicitlyDenied', 'the one action NotAction leaves out; nothing else allows it'),
  row('negated', GET, `${SIBLING}intruder.jpg`, undefined, 'ImplicitlyDenied', 'NotAction still only applies to its Resource'),
  row('negated', LIST, B, 'projects/farm-animals/cows/', 'Allowed', 'StringNotLike is false inside the prefix, so the Deny does not apply'),
  row('negated', LIST, B, 'projects/farm-animals-2/', 'ExplicitlyDenied', 'StringNotLike is true for the sibling folder'),
  row('negated', LIST, B, undefined, 'ExplicitlyDenied', 'a negated operator on an absent key is true: the Deny applies to the bucket root'),

  row('wildcards', GET, `${IN}cows/cow-001.jpg`, undefined, 'Allowed', 'action names ignore case; "?" matches the "1"'),
  row('wildcards', GET, `${IN}cows/cow-0010.jpg`, undefined, 'ImplicitlyDenied', '"?" is exactly one character'),
  row('wildcards', GET, `${IN}cows/cow-00.jpg`, undefined, 'ImplicitlyDenied', '"?" is not optional'),
  row('wildcards', GET, `${IN}cows/COW-001.jpg`, undefined, 'ImplicitlyDenied', 'resources match case-sensitively'),
  row('wildcards', LIST, B, 'projects/farm-animals/cows/', 'Allowed', '"data*" matches datalake; "projects/*/cows/" the prefix'),
  row('wildcards', LIST, B, 'projects/a/b/cows/', 'Allowed', '"*" spans slashes'),
  row('wildcards', LIST, ARCHIVE, 'projects/farm-animals/cows/', 'Allowed', '"data*" matches datalake-archive too'),
  row('wildcards', LIST, B, 'projects/farm-animals/pigs/', 'ImplicitlyDenied', 'the pattern ends in "cows/"'),
  row('wildcards', LIST, B, 'projects/farm-animals/cows/x', 'ImplicitlyDenied', 'nothing may follow "cows/"'),
  row('wildcards', LIST, R, 'projects/farm-animals/cows/', 'ImplicitlyDenied', '"data*" does not match results'),
  row(
    'wildcards',
    GET,
    `${IN}cows/*`,
    undefined,
    'ImplicitlyDenied',
    'a "*" in a key is just a character: "cows/*" is not "cows/cow-00?.jpg"',
    'iam-simulate reads a "*" in the requested resource as a wildcard (its overlap check) and allows it',
  ),
];

const users = Object.fromEntries(
  Object.entries(POLICIES).map(([name, policy], index) => [name, proxyUser(`AKIATABLE${String(index).padStart(11, '0')}`, policy)]),
) as Record<PolicyName, ProxyUser>;

let s3: SeededS3;
const clients = new Map<PolicyName, S3Client>();

beforeAll(async () => {
  s3 = await startSeededS3({
    buckets: ['datalake', 'results', 'datalake-archive'],
    users: Object.values(users),
    objects: {
      datalake: {
        'projects/farm-animals/cows/cow-001.jpg': 'moo',
        'projects/farm-animals/cows/*': 'a key with a star',
        'projects/farm-animals/private/secret.jpg': 'secret',
        'projects/farm-animals-2/intruder.jpg': 'not for the dataset',
        'root.jpg': 'root',
      },
      results: { 'other-results/report.txt': 'report' },
    },
  });
});

afterAll(async () => {
  for (const client of clients.values()) client.destroy();
  await s3?.stop();
});

describe('the test policies are the ones worked out here', () => {
  it('builds them as written above', () => {
    expect(referencePolicy('datalake', 'projects/farm-animals/')).toEqual(POLICIES.reference);
    expect(prefixConditionPolicy('datalake', 'projects/farm-animals/')).toEqual(POLICIES['prefix-condition']);
    expect(readOnlyPolicy('datalake', 'projects/farm-animals/')).toEqual(POLICIES['read-only']);
    expect(listOnlyPolicy('datalake', 'projects/farm-animals/')).toEqual(POLICIES['list-only']);
  });
});

describe.each(Object.keys(POLICIES) as PolicyName[])('IAM decisions worked out by hand: %s policy', (policy) => {
  for (const table of ROWS.filter((candidate) => candidate.policy === policy)) {
    const test = table.knownDisagreement === undefined ? it : it.fails;
    test(`${describeRow(table)}${table.knownDisagreement === undefined ? '' : ` (known disagreement: ${table.knownDisagreement})`}`, async () => {
      const context: Record<string, string> = table.prefix === undefined ? {} : { 's3:prefix': table.prefix };
      const checker = (await iamSimulatePolicyEvaluator.evaluate(POLICIES[policy], { action: table.action, resource: table.resource, context })).decision;
      const proxy = await throughProxy(table);
      expect({ checker, proxy: proxy.decision }, table.why).toEqual({ checker: table.expected, proxy: table.expected });
      // The proxy read the request as the row describes it (an absent prefix is evaluated as "").
      const expectedContext = table.action === LIST ? { 's3:prefix': table.prefix ?? '' } : {};
      expect(proxy.understood).toMatchObject({ action: table.action, resource: table.resource, context: expectedContext });
    });
  }
});

function describeRow(table: Row): string {
  const prefix = table.action === LIST ? (table.prefix === undefined ? ' (no prefix)' : ` prefix "${table.prefix}"`) : '';
  return `${table.action} on ${table.resource}${prefix} → ${table.expected}`;
}

/** Sends the row's request through the proxy, signed as the policy's user; the decision as a client sees it. */
async function throughProxy(table: Row): Promise<{ decision: Decision | string; understood: object | undefined }> {
  const client = clientFor(table.policy);
  const before = s3.proxy.log.length;
  let decision: Decision | string;
  try {
    await send(client, table);
    decision = 'Allowed';
  } catch (error) {
    const { name, message, $metadata } = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    if ($metadata?.httpStatusCode === 403 && name === 'AccessDenied') {
      // AWS's own wording, which the proxy copies: "... with an explicit deny in an identity-based policy".
      decision = /with an explicit deny/.test(message) ? 'ExplicitlyDenied' : 'ImplicitlyDenied';
    } else {
      decision = `HTTP ${$metadata?.httpStatusCode} ${name}: ${message}`;
    }
  }
  const entries = s3.proxy.log.slice(before);
  expect(entries, 'one request per row').toHaveLength(1);
  return { decision, understood: entries[0] };
}

async function send(client: S3Client, table: Row): Promise<void> {
  if (table.action === 's3:ListAllMyBuckets') {
    await client.send(new ListBucketsCommand({}));
    return;
  }
  const [bucket, ...keyParts] = table.resource.slice('arn:aws:s3:::'.length).split('/');
  const Bucket = bucket!;
  const Key = keyParts.join('/');
  switch (table.action) {
    case LIST:
      await client.send(new ListObjectsV2Command({ Bucket, Prefix: table.prefix }));
      return;
    case 's3:GetBucketLocation':
      await client.send(new GetBucketLocationCommand({ Bucket }));
      return;
    case GET: {
      const object = await client.send(new GetObjectCommand({ Bucket, Key }));
      await object.Body?.transformToByteArray();
      return;
    }
    case PUT:
      await client.send(new PutObjectCommand({ Bucket, Key, Body: 'written by the decision table' }));
      return;
    case DELETE:
      await client.send(new DeleteObjectCommand({ Bucket, Key }));
      return;
    default:
      throw new Error(`no request for ${table.action}`);
  }
}

function clientFor(policy: PolicyName): S3Client {
  let client = clients.get(policy);
  if (client === undefined) {
    const user = users[policy];
    client = new S3Client({
      endpoint: s3.proxy.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 1,
    });
    clients.set(policy, client);
  }
  return client;
}
