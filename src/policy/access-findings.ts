import { bucketArn, objectArn } from './policy-document.js';
import type { Evaluation, SimulatedRequest } from './policy-evaluator.js';
import type { PolicyFinding } from './policy-findings.js';
import { isInsideLocations, unrelatedBucket, winnowFolder, type PolicyScope, type S3Location } from './policy-scope.js';
import type { ReadStatement } from './read-policy.js';
import { SIGNED_REQUEST_CONTEXT } from './verify-requests.js';

export type Evaluate = (request: SimulatedRequest) => Promise<Evaluation>;

interface Probe {
  request: SimulatedRequest;
  /** How the finding names it, e.g. `"projects/farm-animals-2/" (a sibling folder)`. */
  describe: string;
}

/** Findings about what the policy grants beyond the dataset, each backed by a simulated request that it allows. */
export async function accessFindings(statements: readonly ReadStatement[], scope: PolicyScope, evaluate: Evaluate): Promise<PolicyFinding[]> {
  const inputObject = objectArn(scope.input.bucket, `${scope.input.prefix}example.jpg`);
  const onInput = (action: string): Probe => ({ request: { action, resource: inputObject, context: { ...SIGNED_REQUEST_CONTEXT } }, describe: inputObject });
  const [listing, outside, deletes, writes] = await Promise.all([
    allowedByStatement(listingProbes(scope), evaluate),
    allowedByStatement(outsideObjectProbes(scope), evaluate),
    allowedByStatement([onInput('s3:DeleteObject'), onInput('s3:DeleteObjectVersion')], evaluate),
    allowedByStatement([onInput('s3:PutObject')], evaluate),
  ]);
  const label = (index: number) => statements[index]?.label;
  const folder = `arn:aws:s3:::${winnowFolder(scope).bucket}/${winnowFolder(scope).prefix}*`;
  const findings: PolicyFinding[] = [];
  for (const [index, probes] of listing) {
    findings.push({
      code: 'bucket-wide-listing',
      severity: 'error',
      statement: label(index),
      field: probes.some((probe) => !probe.request.resource.endsWith(`:::${scope.input.bucket}`)) ? 'Resource' : 'Condition',
      message: `s3:ListBucket is allowed outside ${scope.input.prefix === '' ? `the bucket ${scope.input.bucket}` : `"${scope.input.prefix}"`}: ${listOf(probes.map((probe) => probe.describe))}. Whoever holds these keys can list every key name there. Limit it with { "StringLike": { "s3:prefix": ["${scope.input.prefix}", "${scope.input.prefix}*"] } } on ${bucketArn(scope.input.bucket)} only.`,
    });
  }
  for (const [index, probes] of outside) {
    const statement = statements[index];
    findings.push({
      code: 'access-outside-prefix',
      severity: 'error',
      statement: label(index),
      field: 'Resource',
      message: `Object access outside the dataset is allowed: ${listOf(summarizeObjectProbes(probes))}.${statement ? missingSlashExplanation(statement, scope) : ''}`,
    });
  }
  for (const [index, probes] of deletes) {
    findings.push({
      code: 'delete-allowed-on-input',
      severity: 'warning',
      statement: label(index),
      field: 'Resource',
      message: `${probes.map((probe) => probe.request.action).join(' and ')} allowed on the dataset's own objects (e.g. ${inputObject}); Winnow never deletes them, only its own files under ${folder}.`,
    });
  }
  for (const [index] of writes) {
    findings.push({
      code: 'write-allowed-on-input',
      severity: 'warning',
      statement: label(index),
      field: 'Resource',
      message: `s3:PutObject is allowed on the dataset's own objects (e.g. ${inputObject}), so these keys could overwrite images; Winnow only writes ${folder}.`,
    });
  }
  return findings;
}

/** Allowed probes grouped by the statement that allows them. */
async function allowedByStatement(probes: readonly Probe[], evaluate: Evaluate): Promise<Map<number, Probe[]>> {
  const evaluations = await Promise.all(probes.map((probe) => evaluate(probe.request)));
  const grouped = new Map<number, Probe[]>();
  evaluations.forEach((evaluation, i) => {
    if (evaluation.decision !== 'Allowed') return;
    for (const index of evaluation.allowedBy) grouped.set(index, [...(grouped.get(index) ?? []), probes[i] as Probe]);
  });
  return grouped;
}

/** Listings that reach beyond the input prefix: no prefix at all, the root, siblings, the prefix without its slash, another bucket. */
function listingProbes(scope: PolicyScope): Probe[] {
  const folder = winnowFolder(scope);
  const insideDataset = (bucket: string, prefix: string | undefined) =>
    prefix === undefined
      ? bucket === scope.input.bucket && scope.input.prefix === ''
      : (bucket === scope.input.bucket && prefix.startsWith(scope.input.prefix)) || (bucket === folder.bucket && prefix.startsWith(folder.prefix));
  const probe = (bucket: string, prefix: string | undefined, describe: string): Probe => ({
    request: {
      action: 's3:ListBucket',
      resource: bucketArn(bucket),
      context: { ...SIGNED_REQUEST_CONTEXT, ...(prefix === undefined ? {} : { 's3:prefix': prefix }) },
    },
    describe: bucket === scope.input.bucket ? describe : `${describe} in ${bucket}`,
  });
  const probes = distinctLocations(scope).flatMap((location) => {
    if (location.prefix === '') return [];
    const trimmed = location.prefix.slice(0, -1);
    return [
      { bucket: location.bucket, prefix: undefined, describe: 'a listing with no prefix (the whole bucket)' },
      { bucket: location.bucket, prefix: '', describe: 'the bucket root ""' },
      { bucket: location.bucket, prefix: trimmed, describe: `"${trimmed}" (no trailing slash, so it also lists ${trimmed}-2/)` },
      { bucket: location.bucket, prefix: siblingPrefix(location), describe: `"${siblingPrefix(location)}" (a sibling folder)` },
      { bucket: location.bucket, prefix: otherFolder(location), describe: `"${otherFolder(location)}" (another folder)` },
    ].filter(({ bucket, prefix }) => !insideDataset(bucket, prefix));
  });
  const distinct = new Map(probes.map((entry) => [`${entry.bucket}/${entry.prefix ?? '(none)'}`, entry]));
  return [
    ...[...distinct.values()].map(({ bucket, prefix, describe }) => probe(bucket, prefix, describe)),
    probe(unrelatedBucket(scope), undefined, 'another bucket'),
  ];
}

function outsideObjectProbes(scope: PolicyScope): Probe[] {
  const keys = distinctLocations(scope).flatMap((location) =>
    location.prefix === ''
      ? []
      : [
          { bucket: location.bucket, key: `${siblingPrefix(location)}example.jpg` },
          { bucket: location.bucket, key: `${otherFolder(location)}example.jpg` },
          { bucket: location.bucket, key: 'example.jpg' },
        ],
  );
  const targets = [...keys, { bucket: unrelatedBucket(scope), key: 'example.jpg' }].filter(({ bucket, key }) => !isInsideLocations(scope, bucket, key));
  return targets.flatMap(({ bucket, key }) =>
    ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'].map((action) => ({
      request: { action, resource: objectArn(bucket, key), context: { ...SIGNED_REQUEST_CONTEXT } },
      describe: objectArn(bucket, key),
    })),
  );
}

/** `s3:GetObject, s3:PutObject on arn:...` per resource. */
function summarizeObjectProbes(probes: readonly Probe[]): string[] {
  const byResource = new Map<string, string[]>();
  for (const probe of probes) byResource.set(probe.describe, [...(byResource.get(probe.describe) ?? []), probe.request.action]);
  return [...byResource].map(([resource, actions]) => `${actions.join(', ')} on ${resource}`);
}

/** The classic `arn:aws:s3:::bucket/folder*` (no slash before the star) also matches `folder-2/...`. */
function missingSlashExplanation(statement: ReadStatement, scope: PolicyScope): string {
  for (const location of distinctLocations(scope).filter((candidate) => candidate.prefix !== '')) {
    const culprit = objectArn(location.bucket, `${location.prefix.slice(0, -1)}*`);
    if (statement.resources?.includes(culprit))
      return ` "${culprit}" has no "/" before the "*", so it also matches sibling folders such as ${siblingPrefix(location)}; end it with "/*".`;
  }
  return '';
}

function distinctLocations(scope: PolicyScope): S3Location[] {
  return scope.input.bucket === scope.output.bucket && scope.input.prefix === scope.output.prefix ? [scope.input] : [scope.input, scope.output];
}

/** `projects/farm-animals/` → `projects/farm-animals-2/`: a folder a `prefix*` pattern without the slash would also match. */
function siblingPrefix(location: S3Location): string {
  return `${location.prefix.slice(0, -1)}-2/`;
}

/** `projects/farm-animals/` → `projects/other/`: a folder next to it that a `projects/*` pattern would match. */
function otherFolder(location: S3Location): string {
  const parent = location.prefix.slice(0, location.prefix.slice(0, -1).lastIndexOf('/') + 1);
  return `${parent}${location.prefix === `${parent}other/` ? 'other-2' : 'other'}/`;
}

function listOf(items: readonly string[]): string {
  const shown = items.slice(0, 6);
  return items.length > shown.length ? `${shown.join('; ')}; and ${items.length - shown.length} more` : shown.join('; ');
}
