import type { Command } from 'commander';
import { validateThumbnailSize } from '../../media/image-processor.js';
import { generateThumbnails, type ThumbnailProgress } from '../../workflows/make-thumbnails.js';
import { runQueued } from '../queued-job.js';
import type { CommandRunner } from '../command-runner.js';
import { printThumbnailReport } from '../printers/thumbnail-report.js';
import { createThumbnailProgress } from '../progress.js';
import { printJson } from '../render.js';

interface ThumbnailsOptions {
  size?: string;
  queue?: boolean;
  detach?: boolean;
  json?: boolean;
}

export function registerThumbnailCommands(program: Command, runner: CommandRunner): void {
  program
    .command('thumbnails <dataset>')
    .description(
      'make thumbnails (JPEG; WebP for images with transparency) under <output>/.winnow/thumbnails/ (skips those already made; resumes after a kill)',
    )
    .option('--size <px>', "longest side of the thumbnails (default: the dataset's --thumbnail-size, else 400)")
    .option('--queue', 'PostgreSQL: hand the job to `winnow worker` processes and follow its progress')
    .option('--detach', 'PostgreSQL: queue the job for `winnow worker` processes and return at once (implies --queue)')
    .option('--json', 'print a JSON summary')
    .action(
      runner.run<ThumbnailsOptions>(async (context, options, output, [name]) => {
        const progress = createThumbnailProgress(options.json === true);
        try {
          const size = options.size === undefined ? undefined : validateThumbnailSize(options.size);
          const report = await runQueued(
            context,
            'thumbnails',
            { dataset: name!, size },
            {
              inProcess: () => generateThumbnails(context, name!, { size, onProgress: progress.update, onRetry: progress.retry }),
              queue: options.queue,
              detach: options.detach,
              output,
              onProgress: (update) => progress.update(update as unknown as ThumbnailProgress),
              onRetry: progress.retry,
            },
          );
          progress.stop();
          if (report === undefined) return;
          if (options.json) printJson(output, report);
          else printThumbnailReport(output, report);
        } finally {
          progress.stop();
        }
      }),
    );
}
