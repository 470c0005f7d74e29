import type { ThumbnailReport } from '../../workflows/make-thumbnails.js';
import { formatCount, type Output } from '../render.js';

export function printThumbnailReport(output: Output, report: ThumbnailReport): void {
  output.out(
    `Thumbnails of "${report.dataset}" (${report.size} px) in ${report.location}: generated ${formatCount(report.generated)}, skipped ${formatCount(report.skipped)} (already made), failed ${formatCount(report.failed)}, of ${formatCount(report.total)} samples (${(report.durationMs / 1000).toFixed(1)} s)`,
  );
  if (report.retryable > 0) output.out(`${formatCount(report.retryable)} failed on the storage side; run it again to retry them.`);
  if (report.failed > 0) output.out(`See why with: winnow samples list ${report.dataset} --json (field thumbnailError)`);
}
