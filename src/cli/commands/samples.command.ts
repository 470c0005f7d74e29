import type { Command } from 'commander';
import { Option } from 'commander';
import { requireDatasetRow } from '../../catalog/dataset.service.js';
import { AppError } from '../../errors.js';
import { createSampleBrowser } from '../../workflows/browse-samples.js';
import { createDatasetStoreCache } from '../../workflows/dataset-store-cache.js';
import type { CommandRunner } from '../command-runner.js';
import { formatBytes, formatTable, printJson } from '../render.js';

interface ListOptions {
  limit: string;
  after?: string;
  cursor?: string;
  status?: 'pending' | 'ok' | 'error';
  extension?: string;
  folder?: string;
  nameContains?: string;
  sort: 'key' | 'date';
  order: 'asc' | 'desc';
  urls?: boolean;
  json?: boolean;
}

const MAX_LIMIT = 10_000;

export function registerSampleCommands(program: Command, runner: CommandRunner): void {
  const samples = program.command('samples').description('browse the samples of a dataset');

  samples
    .command('list <dataset>')
    .description('list samples, filtered and sorted as the web app does (keyset pages: pass the last key to --after, or the printed cursor to --cursor)')
    .option('--limit <n>', `how many (1-${MAX_LIMIT})`, '100')
    .option('--after <key>', 'start after this key (key order)')
    .option('--cursor <cursor>', 'the next-page cursor a previous --json run printed')
    .addOption(new Option('--status <status>', 'only samples with this status').choices(['pending', 'ok', 'error']))
    .option('--extension <ext>', 'only this file type, e.g. jpg')
    .option('--folder <folder>', 'only keys under this folder, e.g. cows/')
    .option('--name-contains <text>', 'only keys containing this text (any case)')
    .addOption(new Option('--sort <field>', 'sort by').choices(['key', 'date']).default('key'))
    .addOption(new Option('--order <order>', 'order').choices(['asc', 'desc']).default('asc'))
    .option('--urls', 'add presigned URLs (S3) for each image and thumbnail')
    .option('--json', 'print a JSON array')
    .action(
      runner.run<ListOptions>(async (context, options, output, [name]) => {
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
          throw new AppError('InputInvalid', `--limit must be an integer between 1 and ${MAX_LIMIT}.`);
        const browser = createSampleBrowser(context, {
          stores: createDatasetStoreCache(context),
          datasets: { get: (dataset) => requireDatasetRow(context, dataset) },
          urlTtlSeconds: context.config.urlTtlSeconds,
          pageCacheBytes: 0,
        });
        const page = await browser.page(name!, {
          limit,
          afterKey: options.after,
          cursor: options.cursor,
          status: options.status,
          extension: options.extension,
          folder: options.folder,
          q: options.nameContains,
          sort: options.sort,
          order: options.order,
          urls: options.urls === true,
        });
        if (page.nextCursor !== null) output.err(`more: --cursor ${page.nextCursor}`);
        if (options.json) return printJson(output, page.samples);
        if (page.samples.length === 0) return output.out('No samples.');
        output.out(
          formatTable([
            ['KEY', 'SIZE', 'DIMENSIONS', 'FORMAT', 'THUMBNAIL', 'STATUS', ...(options.urls ? ['URL'] : [])],
            ...page.samples.map((s) => [
              s.key,
              formatBytes(s.size),
              s.width === null ? '-' : `${s.width}x${s.height}`,
              s.format ?? '-',
              s.thumbnail ? `${s.thumbnail.width}x${s.thumbnail.height}` : s.thumbnailError ? 'failed' : '-',
              s.error ? `error: ${s.error}` : s.status,
              ...(options.urls ? [s.url ?? '-'] : []),
            ]),
          ]),
        );
      }),
    );
}
