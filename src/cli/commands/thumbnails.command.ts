import type { Command } from 'commander';
import { validateThumbnailSize } from '../../media/image-processor.js';
import { generateThumbnails } from '../../workflows/make-thumbnails.js';
import type { CommandRunner } from '../command-runner.js';
import { printThumbnailReport } from '../printers/thumbnail-report.js';
import { createThumbnailProgress } from '../progress.js';
import { printJson } from '../render.js';

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
    .action(
      runner.run<ThumbnailsOptions>(async (context, options, output, [name]) => {
        const progress = createThumbnailProgress(options.json === true);
        try {
          const report = await generateThumbnails(context, name!, {
            size: options.size === undefined ? undefined : validateThumbnailSize(options.size),
            onProgress: progress.update,
            onRetry: progress.retry,
          });
          progress.stop();
          if (options.json) printJson(output, report);
          else printThumbnailReport(output, report);
        } finally {
          progress.stop();
        }
      }),
    );
}
