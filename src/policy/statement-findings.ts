import { didYouMean } from './did-you-mean.js';
import type { PolicyEvaluator } from './policy-evaluator.js';
import type { PolicyFinding } from './policy-findings.js';
import type { ReadStatement } from './read-policy.js';

/** Every action Winnow ever needs: the four S3 calls, and the KMS calls S3 makes for SSE-KMS writes. */
const WINNOW_ACTIONS = ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];
const WINNOW_SERVICES = new Set(['s3', 'kms']);
/** Named first when a wildcard grants them: the ones a reader should worry about. */
const NOTABLE_EXTRAS = [
  's3:DeleteBucket',
  's3:PutBucketPolicy',
  's3:DeleteObjectVersion',
  's3:PutObjectAcl',
  's3:PutLifecycleConfiguration',
  'kms:ScheduleKeyDeletion',
  'kms:PutKeyPolicy',
];

/** Findings about how each statement is written, before asking what it grants. */
export async function statementFindings(statements: readonly ReadStatement[], evaluator: PolicyEvaluator): Promise<PolicyFinding[]> {
  const findings: PolicyFinding[] = [];
  for (const statement of statements) {
    findings.push(...(await unknownActionFindings(statement, evaluator)));
    if (statement.effect === 'Allow') {
      findings.push(...notFieldFindings(statement));
      findings.push(...(await broadActionFindings(statement, evaluator)));
      findings.push(...otherServiceFindings(statement, await knownActionPatterns(statement, evaluator)));
    }
    findings.push(...(await ineffectiveResourceFindings(statement, evaluator)));
  }
  return findings;
}

async function unknownActionFindings(statement: ReadStatement, evaluator: PolicyEvaluator): Promise<PolicyFinding[]> {
  const field = statement.actions === undefined ? 'NotAction' : 'Action';
  const findings: PolicyFinding[] = [];
  for (const pattern of statement.actions ?? statement.notActions ?? []) {
    if ((await evaluator.expandAction(pattern)).length > 0) continue;
    const [service = '', name = ''] = pattern.split(':');
    const known = await evaluator.actionsOfService(service);
    const message =
      known.length === 0
        ? `"${pattern}" names no AWS service ("${service}"), so it matches nothing.`
        : /[*?]/.test(name)
          ? `"${pattern}" matches no ${service} action, so it grants${statement.effect === 'Deny' ? ' (denies)' : ''} nothing.`
          : `"${pattern}" is not a known ${service} action, so it matches nothing.${didYouMean(pattern, known)}`;
    findings.push({ code: 'unknown-action', severity: 'error', statement: statement.label, field, message });
  }
  return findings;
}

function notFieldFindings(statement: ReadStatement): PolicyFinding[] {
  const findings: PolicyFinding[] = [];
  if (statement.notActions !== undefined) {
    findings.push({
      code: 'not-action',
      severity: 'warning',
      statement: statement.label,
      field: 'NotAction',
      message: `"Allow" with "NotAction" grants every action of every AWS service except ${statement.notActions.join(', ')}. List the actions Winnow needs in "Action" instead.`,
    });
  }
  if (statement.notResources !== undefined) {
    findings.push({
      code: 'not-resource',
      severity: 'warning',
      statement: statement.label,
      field: 'NotResource',
      message: `"Allow" with "NotResource" grants every resource in every account except ${statement.notResources.join(', ')}. List the dataset's resources in "Resource" instead.`,
    });
  }
  return findings;
}

async function broadActionFindings(statement: ReadStatement, evaluator: PolicyEvaluator): Promise<PolicyFinding[]> {
  const findings: PolicyFinding[] = [];
  for (const pattern of (statement.actions ?? []).filter((action) => /[*?]/.test(action))) {
    const granted = await evaluator.expandAction(pattern);
    const extras = granted.filter((action) => !WINNOW_ACTIONS.includes(action));
    if (extras.length === 0) continue;
    const examples = [...NOTABLE_EXTRAS.filter((action) => extras.includes(action)), ...extras.filter((action) => !NOTABLE_EXTRAS.includes(action))].slice(
      0,
      3,
    );
    findings.push({
      code: 'broad-action',
      severity: 'warning',
      statement: statement.label,
      field: 'Action',
      message: `"${pattern}" allows ${granted.length} actions, among them ${examples.join(', ')}; Winnow needs at most s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject (plus kms:Decrypt, kms:Encrypt, kms:GenerateDataKey for SSE-KMS).`,
    });
  }
  return findings;
}

/** The statement's action patterns that name real actions (unknown ones are reported on their own). */
async function knownActionPatterns(statement: ReadStatement, evaluator: PolicyEvaluator): Promise<string[]> {
  const known: string[] = [];
  for (const pattern of statement.actions ?? []) if ((await evaluator.expandAction(pattern)).length > 0) known.push(pattern);
  return known;
}

function otherServiceFindings(statement: ReadStatement, actions: readonly string[]): PolicyFinding[] {
  if (statement.notActions !== undefined) {
    return [
      {
        code: 'other-services',
        severity: 'error',
        statement: statement.label,
        field: 'NotAction',
        message:
          '"NotAction" in an "Allow" statement grants the actions of every other AWS service (IAM, EC2, ...). Winnow needs only S3 (and KMS for SSE-KMS).',
      },
    ];
  }
  if (actions.includes('*')) {
    return [
      {
        code: 'other-services',
        severity: 'error',
        statement: statement.label,
        field: 'Action',
        message: '"*" grants every action of every AWS service (IAM, EC2, ...). Winnow needs only S3 (and KMS for SSE-KMS).',
      },
    ];
  }
  const foreign = actions.filter((action) => !WINNOW_SERVICES.has((action.split(':')[0] ?? '').toLowerCase()));
  if (foreign.length === 0) return [];
  return [
    {
      code: 'other-services',
      severity: 'error',
      statement: statement.label,
      field: 'Action',
      message: `Grants actions of services Winnow never uses: ${foreign.join(', ')}. Winnow needs only S3 (and KMS for SSE-KMS).`,
    },
  ];
}

async function ineffectiveResourceFindings(statement: ReadStatement, evaluator: PolicyEvaluator): Promise<PolicyFinding[]> {
  if (statement.actions === undefined || statement.resources === undefined) return [];
  const actions = [...new Set((await Promise.all(statement.actions.map((pattern) => evaluator.expandAction(pattern)))).flat())];
  if (actions.length === 0) return [];
  const findings: PolicyFinding[] = [];
  for (const resource of statement.resources.filter((entry) => entry !== '*')) {
    if (await someActionApplies(actions, resource, evaluator)) continue;
    findings.push({
      code: 'ineffective-resource',
      severity: 'warning',
      statement: statement.label,
      field: 'Resource',
      message: `"${resource}" can never match ${describeActions(statement.actions)}, so this entry grants nothing.${s3Explanation(actions, resource)}`,
    });
  }
  return findings;
}

async function someActionApplies(actions: readonly string[], resource: string, evaluator: PolicyEvaluator): Promise<boolean> {
  for (const action of actions) {
    if (await evaluator.canApplyTo(action, resource)) return true;
  }
  return false;
}

function describeActions(patterns: readonly string[]): string {
  return patterns.length === 1 ? (patterns[0] as string) : `any of ${patterns.join(', ')}`;
}

/** The classic S3 mix-ups: a bucket action on an object ARN, or object actions on the bucket ARN. */
function s3Explanation(actions: readonly string[], resource: string): string {
  if (!resource.startsWith('arn:aws:s3:::')) return '';
  if (resource.slice('arn:aws:s3:::'.length).includes('/') && actions.includes('s3:ListBucket')) {
    return ' s3:ListBucket applies to the bucket ARN (arn:aws:s3:::bucket); limit what it lists with an s3:prefix condition instead.';
  }
  return ' Object actions such as s3:GetObject need an object ARN, arn:aws:s3:::bucket/folder/*.';
}
