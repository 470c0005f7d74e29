import type { Command } from 'commander';
import { Option } from 'commander';
import { listSamples } from '../../catalog/sample.service.js';
import type { CommandRunner } from '../command-runner.js';
import { formatBytes, formatTable, printJson } from '../render.js';

interface ListOptions {
  limit: string;
  after?: string;
  status?: 'pending' | 'ok' | 'error';
  json?: boolean;
}

export function registerSampleCommands(program: Command, runner: CommandRunner): void {
  const samples = program.command('samples').description('browse the samples of a dataset');

  samples
    .command('list <dataset>')
    .description('list samples in key order (keyset pages: pass the last key to --after)')
    .option('--limit <n>', 'how many', '100')
    .option('--after <key>', 'start after this key')
    .addOption(new Option('--status <status>', 'only samples with this status').choices(['pending', 'ok', 'error']))
    .option('--json', 'print a JSON array')
    .action(runner.run<ListOptions>(async (context, options, output, [name]) => {
      const page = await listSamples(context, name!, { limit: options.limit, after: options.after, status: options.status });
      if (options.json) return printJson(output, page);
      if (page.length === 0) return output.out('No samples.');
      output.out(
        formatTable([
          ['KEY', 'SIZE', 'DIMENSIONS', 'FORMAT', 'THUMBNAIL', 'STATUS'],
          ...page.map((s) => [s.key, formatBytes(s.size), s.width === null ? '-' : `${s.width}x${s.height}`, s.format ?? '-', s.thumbnail ? `${s.thumbnail.width}x${s.thumbnail.height}` : s.thumbnailError ? 'failed' : '-', s.error ? `error: ${s.error}` : s.status]),
        ]),
      );
    }));
}
