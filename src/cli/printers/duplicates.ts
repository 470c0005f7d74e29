import type { DuplicatesReport } from '../../workflows/find-duplicates.js';
import { formatCount, type Output } from '../render.js';

export function printDuplicates(output: Output, report: DuplicatesReport): void {
  const unembedded = report.samples - report.embedded;
  output.out(
    `${formatCount(report.groups.length)} ${report.groups.length === 1 ? 'group' : 'groups'} of duplicates in "${report.dataset}": ${formatCount(report.duplicates)} of ${formatCount(report.samples)} samples are copies of a kept one (model "${report.model}", threshold ${report.threshold}, descriptor ${report.descriptorThreshold}).`,
  );
  if (unembedded > 0)
    output.out(`${formatCount(unembedded)} samples have no vector yet and were checked for exact copies only; run \`winnow embed ${report.dataset}\` first.`);
  if (report.pairsWithoutDescriptor > 0)
    output.out(
      `${formatCount(report.pairsWithoutDescriptor)} pairs were judged by the embedding alone (vectors imported or embedded before descriptors were kept).`,
    );
  report.groups.forEach((group, index) => {
    output.out(`\ngroup ${index + 1}${group.maxDistance === 0 ? ' (identical)' : ` (distance up to ${group.maxDistance.toFixed(4)})`}`);
    for (const key of group.keys) output.out(`  ${key === group.keep ? 'keep  ' : 'drop  '}${key}`);
  });
  if (report.tag !== null) output.out(`\nTag "${report.tag}" now holds ${formatCount(report.tagSize ?? 0)} samples (every one but the kept of each group).`);
}
