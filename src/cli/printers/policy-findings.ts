import type { PolicyFinding } from '../../policy/policy-findings.js';
import type { Output } from '../render.js';

/** Findings, errors first, each with its code and where in the policy it is. */
export function printFindings(output: Output, findings: readonly PolicyFinding[], indent: string): void {
  if (findings.length === 0) {
    output.out(`${indent}Findings: none.`);
    return;
  }
  const count = (severity: PolicyFinding['severity'], noun: string) => {
    const n = findings.filter((finding) => finding.severity === severity).length;
    return n === 0 ? [] : [`${n} ${noun}${n === 1 ? '' : 's'}`];
  };
  output.out(`${indent}Findings: ${[...count('error', 'error'), ...count('warning', 'warning'), ...count('info', 'note')].join(', ')}`);
  for (const finding of findings) {
    output.out(`${indent}  ${finding.severity.padEnd(7)} ${finding.code}${findingLocation(finding).replace(/.+/, '  ($&)')}`);
    output.out(`${indent}          ${finding.message}`);
  }
}

/** `VisualEditor0 › Resource`, or '' for findings about the whole document. */
export function findingLocation(finding: PolicyFinding): string {
  return [finding.statement, finding.field].filter((part) => part !== undefined).join(' › ');
}
