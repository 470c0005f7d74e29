import type { SelectionReport } from '../../workflows/select-samples.js';
import { formatCount, type Output } from '../render.js';

export function printSelection(output: Output, report: SelectionReport): void {
  const where =
    report.tag === null
      ? 'not stored (no --tag)'
      : report.tagSize === null
        ? `tag "${report.tag}" not written (dry run)`
        : `tag "${report.tag}" now holds ${formatCount(report.tagSize)}`;
  output.out(
    `Picked ${formatCount(report.keys.length)} of ${formatCount(report.pool)} samples (${formatCount(report.preselected)} already selected; ${where}).`,
  );
  if (report.coverageRadius !== null) output.out(`Every sample is now within cosine distance ${report.coverageRadius.toFixed(4)} of the selection.`);
  if (report.stoppedBecause !== 'count')
    output.out(
      `Stopped early: ${report.stoppedBecause === 'min-distance' ? 'nothing is farther than --min-distance from the selection' : 'no sample left to pick'}.`,
    );
  for (const pick of report.picks) {
    const why = Object.entries(pick.contributions)
      .map(([name, value]) => `${name} ${value.toFixed(3)}`)
      .join(', ');
    output.out(`${pick.key}  (${why})`);
  }
}
