export type Severity = 'error' | 'warning' | 'info';

/** Stable codes; scripts may match on them. */
export type FindingCode =
  // The document itself
  | 'invalid-json'
  | 'invalid-policy'
  | 'missing-field'
  | 'invalid-field'
  | 'unknown-action'
  | 'not-action'
  | 'not-resource'
  // What it grants
  | 'bucket-wide-listing'
  | 'access-outside-prefix'
  | 'delete-allowed-on-input'
  | 'write-allowed-on-input'
  | 'other-services'
  | 'broad-action'
  | 'ineffective-resource';

export interface PolicyFinding {
  code: FindingCode;
  severity: Severity;
  message: string;
  /** The statement's Sid, or `Statement[i]` (0-based) when it has none. */
  statement?: string;
  /** The statement (or top-level) field at fault: Effect, Action, Resource, Condition, Version, ... */
  field?: string;
  /** 1-based position in the file, for malformed JSON. */
  line?: number;
  column?: number;
}

/** Codes that mean AWS would reject the document, so nothing about its grants can be said. */
const UNREADABLE: ReadonlySet<FindingCode> = new Set(['invalid-json', 'invalid-policy', 'missing-field', 'invalid-field']);

export function makesPolicyUnreadable(finding: PolicyFinding): boolean {
  return finding.severity === 'error' && UNREADABLE.has(finding.code);
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then by statement order as found. */
export function sortFindings(findings: readonly PolicyFinding[]): PolicyFinding[] {
  return findings
    .map((finding, order) => ({ finding, order }))
    .sort((a, b) => SEVERITY_ORDER[a.finding.severity] - SEVERITY_ORDER[b.finding.severity] || a.order - b.order)
    .map(({ finding }) => finding);
}
