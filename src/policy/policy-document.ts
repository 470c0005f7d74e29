/** The only policy language version with policy variables; `${*}` escapes need it. */
export const POLICY_VERSION = '2012-10-17';

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

/** One statement of an IAM identity policy, as Winnow writes and reads them. */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

/** ARN of a key, or a key pattern when `keyPattern` ends in `*`. */
export function objectArn(bucket: string, keyPattern: string): string {
  return `arn:aws:s3:::${bucket}/${keyPattern}`;
}

/**
 * Escapes the characters IAM treats as wildcards or variables, so a prefix such as
 * `photos*2024/` matches itself only (`${*}` is a literal `*` under Version 2012-10-17).
 */
export function literalForPolicy(text: string): string {
  return text.replace(/[*?$]/g, (character) => `\${${character}}`);
}

/** How findings name a statement: its Sid, or `Statement[i]` (0-based) when it has none. */
export function statementLabel(statement: { Sid?: unknown }, index: number): string {
  return typeof statement.Sid === 'string' && statement.Sid !== '' ? statement.Sid : `Statement[${index}]`;
}
