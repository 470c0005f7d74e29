/**
 * IAM wildcards in a run (`*?*?`, `**`) mean "at least as many characters as there are `?`", but
 * iam-simulate turns each into its own regex group (`.*?.`), and a few dozen of them backtrack for
 * minutes. Rewriting each run as its `?`s followed by one `*` keeps the meaning and the time linear.
 */
export function collapseWildcardRuns(pattern: string): string {
  return pattern.replace(/[*?]{2,}/g, (run) => (run.includes('*') ? `${'?'.repeat(run.split('?').length - 1)}*` : run));
}

/** Condition operators whose values are wildcard patterns (the others compare literally). */
const PATTERN_OPERATORS = /^(For(AllValues|AnyValue):)?(StringLike|StringNotLike|ArnLike|ArnNotLike|ArnEquals|ArnNotEquals)(IfExists)?$/;
const PATTERN_FIELDS = ['Action', 'NotAction', 'Resource', 'NotResource'];

/** A copy of a policy document with every wildcard run collapsed; the document as written is kept for findings. */
export function withCollapsedWildcardRuns(document: object): object {
  const record = document as { Statement?: unknown };
  const collapse = (value: unknown): unknown => (typeof value === 'string' ? collapseWildcardRuns(value) : Array.isArray(value) ? value.map(collapse) : value);
  const statements = Array.isArray(record.Statement) ? record.Statement : record.Statement === undefined ? undefined : [record.Statement];
  if (statements === undefined) return document;
  const rewritten = statements.map((statement: unknown) => {
    if (typeof statement !== 'object' || statement === null) return statement;
    const copy: Record<string, unknown> = { ...(statement as Record<string, unknown>) };
    for (const field of PATTERN_FIELDS) if (copy[field] !== undefined) copy[field] = collapse(copy[field]);
    if (typeof copy.Condition === 'object' && copy.Condition !== null) {
      copy.Condition = Object.fromEntries(
        Object.entries(copy.Condition as Record<string, unknown>).map(([operator, keys]) =>
          PATTERN_OPERATORS.test(operator) && typeof keys === 'object' && keys !== null
            ? [operator, Object.fromEntries(Object.entries(keys as Record<string, unknown>).map(([key, value]) => [key, collapse(value)]))]
            : [operator, keys],
        ),
      );
    }
    return copy;
  });
  return { ...record, Statement: Array.isArray(record.Statement) ? rewritten : rewritten[0] };
}
