import type { Command } from 'commander';
import { validateThumbnailSize } from '../../media/image-processor.js';
import { generateThumbnails, type ThumbnailReport } from '../../workflows/make-thumbnails.js';
import type { CommandRunner } from '../main.js';
import { createThumbnailProgress } from '../progress.js';
import { formatCount, printJson, type Output } from '../render.js';

interface ThumbnailsOptions {
  size?: string;
  json?: boolean;
}

export function registerThumbnailCommands(program: Command, runner: CommandRunner): void {
  program
    .command('thumbnails <dataset>')
    .description('make WebP thumbnails under <output>/.winnow/thumbnails/ (skips those already made; resumes after a kill)')
    .option('--size <px>', "longest side of the thumbnails (default: the dataset's --thumbnail-size, else 256)")
    .option('--json', 'print a JSON summary')
    .action(runner.run<ThumbnailsOptions>(async (context, options, output, [name]) => {
      const progress = createThumbnailProgress(options.json === true);
      try {
        const report = await generateThumbnails(context, name!, { size: options.size === undefined ? undefined : validateThumbnailSize(options.size), onProgress: progress.update });
        progress.stop();
        if (options.json) printJson(output, report);
        else printThumbnailReport(output, report);
      } finally {
        progress.stop();
      }
    }));
}

export function printThumbnailReport(output: Output, report: ThumbnailReport): void {
  output.out(
    `Thumbnails of "${report.dataset}" (${report.size} px) in ${report.location}: generated ${formatCount(report.generated)}, skipped ${formatCount(report.skipped)} (already made), failed ${formatCount(report.failed)}, of ${formatCount(report.total)} samples (${(report.durationMs / 1000).toFixed(1)} s)`,
  );
  if (report.retryable > 0) output.out(`${formatCount(report.retryable)} failed on the storage side; run it again to retry them.`);
  if (report.failed > 0) output.out(`See why with: winnow samples list ${report.dataset} --json (field thumbnailError)`);
}
