import { didYouMean } from './did-you-mean.js';
import { jsonErrorPosition } from './json-error-position.js';
import { statementLabel } from './policy-document.js';
import type { ValidationProblem } from './policy-evaluator.js';
import type { PolicyFinding } from './policy-findings.js';

/** A statement reduced to what the checks look at; lists are always arrays. */
export interface ReadStatement {
  index: number;
  label: string;
  effect: 'Allow' | 'Deny';
  /** Undefined when the statement uses NotAction. */
  actions: string[] | undefined;
  notActions: string[] | undefined;
  /** Undefined when the statement uses NotResource. */
  resources: string[] | undefined;
  notResources: string[] | undefined;
  /** Operator → condition key → values (as strings). */
  conditions: Record<string, Record<string, string[]>>;
}

export interface ReadPolicy {
  /** The document as written, for the IAM engine. */
  document: object;
  statements: ReadStatement[];
}

const VERSIONS = ['2012-10-17', '2008-10-17'];
const TOP_LEVEL_FIELDS = ['Version', 'Id', 'Statement'];
const STATEMENT_FIELDS = ['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition', 'Principal', 'NotPrincipal'];
/** IAM's condition operators; each may take a ForAllValues:/ForAnyValue: prefix and (except Null) an IfExists suffix. */
const CONDITION_OPERATORS = [
  ...['Equals', 'NotEquals', 'EqualsIgnoreCase', 'NotEqualsIgnoreCase', 'Like', 'NotLike'].map((name) => `String${name}`),
  ...['Equals', 'NotEquals', 'LessThan', 'LessThanEquals', 'GreaterThan', 'GreaterThanEquals'].flatMap((name) => [`Numeric${name}`, `Date${name}`]),
  ...['Equals', 'Like', 'NotEquals', 'NotLike'].map((name) => `Arn${name}`),
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'Null',
];

/**
 * Parses (when given text) and validates an identity policy. Every problem becomes a finding naming
 * the statement and field; `policy` is undefined when AWS would reject the document.
 */
export function readPolicy(input: unknown, validate: (policy: object) => ValidationProblem[]): { policy: ReadPolicy | undefined; findings: PolicyFinding[] } {
  const parsed = typeof input === 'string' ? parseJson(input) : { value: input };
  if ('finding' in parsed) return { policy: undefined, findings: [parsed.finding] };
  const document = parsed.value;
  if (!isRecord(document)) {
    return {
      policy: undefined,
      findings: [{ code: 'invalid-policy', severity: 'error', message: 'A policy is a JSON object with "Version" and "Statement".' }],
    };
  }
  const findings = documentFindings(document);
  const rawStatements = document.Statement === undefined ? [] : Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  rawStatements.forEach((statement, index) => findings.push(...statementFindings(statement, index)));
  if (findings.some((finding) => finding.severity === 'error')) return { policy: undefined, findings };

  // A backstop for what the checks above do not cover (condition operators, for one).
  const problems = validate(document).map((problem) => findingOfProblem(problem, rawStatements));
  if (problems.length > 0) return { policy: undefined, findings: [...findings, ...problems] };
  return { policy: { document, statements: rawStatements.map((statement, index) => readStatement(statement as Record<string, unknown>, index)) }, findings };
}

/** An IAM policy nests five levels at most (Statement, statement, Condition, operator, values). */
const MAX_NESTING = 16;

function parseJson(text: string): { value: unknown } | { finding: PolicyFinding } {
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') return { finding: { code: 'invalid-json', severity: 'error', message: 'The policy is empty.' } };
  const tooDeep = nestingBeyond(source, MAX_NESTING);
  if (tooDeep !== undefined) {
    const before = source.slice(0, tooDeep).split('\n');
    const line = before.length;
    const column = (before.at(-1) ?? '').length + 1;
    return {
      finding: {
        code: 'invalid-policy',
        severity: 'error',
        message: `The policy nests deeper than ${MAX_NESTING} levels at line ${line}, column ${column}; no IAM policy nests more than five.`,
        line,
        column,
      },
    };
  }
  try {
    return { value: JSON.parse(source) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/, (\.\.\.)?".*" is not valid JSON$/s, '');
    const reported = /at position (\d+)/.exec(message)?.[1];
    const position = reported === undefined ? jsonErrorPosition(source) : Number(reported);
    if (position === undefined) return { finding: { code: 'invalid-json', severity: 'error', message: `The policy is not valid JSON: ${reason}.` } };
    const before = source.slice(0, position).split('\n');
    const line = before.length;
    const column = (before.at(-1) ?? '').length + 1;
    return {
      finding: { code: 'invalid-json', severity: 'error', message: `The policy is not valid JSON: line ${line}, column ${column}: ${reason}.`, line, column },
    };
  }
}

/** Offset of the first bracket that opens level `limit + 1`, outside strings; undefined when none does. */
function nestingBeyond(source: string, limit: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < source.length; index++) {
    const character = source[index];
    if (inString) {
      if (character === '\\') index++;
      else if (character === '"') inString = false;
    } else if (character === '"') inString = true;
    else if (character === '{' || character === '[') {
      if (++depth > limit) return index;
    } else if (character === '}' || character === ']') depth--;
  }
  return undefined;
}

function documentFindings(document: Record<string, unknown>): PolicyFinding[] {
  const findings: PolicyFinding[] = [];
  for (const field of Object.keys(document).filter((name) => !TOP_LEVEL_FIELDS.includes(name))) {
    findings.push({
      code: 'invalid-field',
      severity: 'error',
      field,
      message: `Unknown top-level field "${field}"; a policy has Version, Id and Statement.${didYouMean(field, TOP_LEVEL_FIELDS)}`,
    });
  }
  if (document.Version === undefined) {
    findings.push({
      code: 'missing-field',
      severity: 'warning',
      field: 'Version',
      message: 'No "Version": AWS then uses 2008-10-17, which has no policy variables. Add "Version": "2012-10-17".',
    });
  } else if (typeof document.Version !== 'string' || !VERSIONS.includes(document.Version)) {
    findings.push({
      code: 'invalid-field',
      severity: 'error',
      field: 'Version',
      message: `"Version" must be "2012-10-17" (or the old "2008-10-17"), not ${JSON.stringify(document.Version)}.`,
    });
  }
  if (document.Statement === undefined) {
    findings.push({ code: 'missing-field', severity: 'error', field: 'Statement', message: 'No "Statement": the policy grants nothing.' });
  } else if (Array.isArray(document.Statement) && document.Statement.length === 0) {
    findings.push({ code: 'invalid-field', severity: 'error', field: 'Statement', message: '"Statement" is an empty list: the policy grants nothing.' });
  } else if (!Array.isArray(document.Statement) && !isRecord(document.Statement)) {
    findings.push({ code: 'invalid-field', severity: 'error', field: 'Statement', message: '"Statement" must be a list of statement objects.' });
  }
  return findings;
}

function statementFindings(statement: unknown, index: number): PolicyFinding[] {
  if (!isRecord(statement)) {
    return [
      {
        code: 'invalid-field',
        severity: 'error',
        statement: `Statement[${index}]`,
        message: `Statement ${index} is ${JSON.stringify(statement)}, not an object with Effect, Action and Resource.`,
      },
    ];
  }
  const label = statementLabel(statement, index);
  const findings: PolicyFinding[] = [];
  const problem = (code: 'missing-field' | 'invalid-field', field: string, message: string) =>
    findings.push({ code, severity: 'error', statement: label, field, message });

  for (const field of Object.keys(statement).filter((name) => !STATEMENT_FIELDS.includes(name))) {
    problem('invalid-field', field, `Unknown field "${field}" in a statement.${didYouMean(field, STATEMENT_FIELDS)}`);
  }
  if (statement.Sid !== undefined && (typeof statement.Sid !== 'string' || !/^[A-Za-z0-9]*$/.test(statement.Sid))) {
    problem('invalid-field', 'Sid', `"Sid" may contain only letters and digits, not ${JSON.stringify(statement.Sid)}.`);
  }
  if (statement.Effect === undefined) problem('missing-field', 'Effect', 'No "Effect": say "Allow" or "Deny".');
  else if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    problem(
      'invalid-field',
      'Effect',
      `"Effect" must be "Allow" or "Deny", not ${JSON.stringify(statement.Effect)}.${typeof statement.Effect === 'string' ? didYouMean(statement.Effect, ['Allow', 'Deny']) : ''}`,
    );
  }
  findings.push(...pairFindings(statement, label, 'Action', 'NotAction', isActionPattern, 'an action such as "s3:GetObject" (service:Action) or "*"'));
  findings.push(
    ...pairFindings(
      statement,
      label,
      'Resource',
      'NotResource',
      (value) => value === '*' || value.startsWith('arn:'),
      'an ARN such as "arn:aws:s3:::bucket/folder/*" or "*"',
    ),
  );
  for (const field of ['Principal', 'NotPrincipal'].filter((name) => statement[name] !== undefined)) {
    problem('invalid-field', field, `An identity policy has no "${field}": it applies to the user or role it is attached to. Remove the field.`);
  }
  if (statement.Condition !== undefined && !isConditionBlock(statement.Condition)) {
    problem(
      'invalid-field',
      'Condition',
      '"Condition" must map operators to { "key": value or [values] }, e.g. { "StringLike": { "s3:prefix": ["folder/*"] } }.',
    );
  } else if (isRecord(statement.Condition)) {
    for (const operator of Object.keys(statement.Condition).filter((name) => !isConditionOperator(name))) {
      problem('invalid-field', 'Condition', `Unknown condition operator "${operator}".${didYouMean(operator, CONDITION_OPERATORS)}`);
    }
  }
  return findings;
}

function isConditionOperator(name: string): boolean {
  const base = name.replace(/^For(AllValues|AnyValue):/, '');
  return (
    CONDITION_OPERATORS.includes(base) ||
    (base !== 'NullIfExists' && base.endsWith('IfExists') && CONDITION_OPERATORS.includes(base.slice(0, -'IfExists'.length)))
  );
}

/** Action/NotAction and Resource/NotResource: exactly one of the pair, a string or a non-empty list of well-formed strings. */
function pairFindings(
  statement: Record<string, unknown>,
  label: string,
  field: string,
  notField: string,
  isWellFormed: (value: string) => boolean,
  example: string,
): PolicyFinding[] {
  const problem = (code: 'missing-field' | 'invalid-field', at: string, message: string): PolicyFinding => ({
    code,
    severity: 'error',
    statement: label,
    field: at,
    message,
  });
  const has = statement[field] !== undefined;
  const hasNot = statement[notField] !== undefined;
  if (!has && !hasNot) return [problem('missing-field', field, `No "${field}" (or "${notField}"): give ${example}.`)];
  if (has && hasNot) return [problem('invalid-field', field, `Only one of "${field}" and "${notField}" may be given.`)];
  const at = has ? field : notField;
  const value = statement[at];
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) return [problem('invalid-field', at, `"${at}" is an empty list: give ${example}.`)];
  const bad = values.filter((entry) => typeof entry !== 'string' || !isWellFormed(entry));
  return bad.map((entry) => problem('invalid-field', at, `${JSON.stringify(entry)} in "${at}" is not ${example}.`));
}

function isActionPattern(value: string): boolean {
  return value === '*' || /^[a-z0-9-]+:[A-Za-z0-9*?]+$/i.test(value);
}

function isConditionBlock(value: unknown): boolean {
  const isConditionValue = (entry: unknown) => ['string', 'number', 'boolean'].includes(typeof entry);
  return (
    isRecord(value) &&
    Object.values(value).every(
      (keys) => isRecord(keys) && Object.values(keys).every((entry) => (Array.isArray(entry) ? entry.every(isConditionValue) : isConditionValue(entry))),
    )
  );
}

function findingOfProblem(problem: ValidationProblem, statements: readonly unknown[]): PolicyFinding {
  const match = /^Statement(?:\[(\d+)\])?(?:\.(\w+))?/.exec(problem.path);
  const index = match?.[1] === undefined ? 0 : Number(match[1]);
  const statement = match ? statementLabel((statements[index] ?? {}) as { Sid?: unknown }, index) : undefined;
  return {
    code: 'invalid-policy',
    severity: 'error',
    message: `${problem.message}.`.replace(/\.\.$/, '.'),
    statement,
    field: match?.[2] ?? (match ? undefined : problem.path),
  };
}

function readStatement(statement: Record<string, unknown>, index: number): ReadStatement {
  const list = (value: unknown) => (value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map(String));
  const conditions: ReadStatement['conditions'] = {};
  for (const [operator, keys] of Object.entries((statement.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
    conditions[operator] = Object.fromEntries(Object.entries(keys).map(([key, value]) => [key, list(value) ?? []]));
  }
  return {
    index,
    label: statementLabel(statement, index),
    effect: statement.Effect as 'Allow' | 'Deny',
    actions: list(statement.Action),
    notActions: list(statement.NotAction),
    resources: list(statement.Resource),
    notResources: list(statement.NotResource),
    conditions,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
