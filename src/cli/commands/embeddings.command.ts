import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { embedDataset, type EmbedProgress } from '../../workflows/embed-dataset.js';
import { runQueued } from '../queued-job.js';
import { datasetMap, type MapMethod } from '../../workflows/embedding-map.js';
import { exportEmbeddings, importEmbeddings, type VectorFileFormat } from '../../workflows/embedding-vectors.js';
import { findNeighbours } from '../../workflows/vector-index.js';
import type { CommandRunner } from '../command-runner.js';
import { createEmbedProgress } from '../printers/embed-progress.js';
import { formatCount, printJson } from '../render.js';

interface EmbedOptions {
  model?: string;
  queue?: boolean;
  detach?: boolean;
  batchSize?: string;
  threads?: string;
  json?: boolean;
}

const wholeNumber = (value: string | undefined, flag: string) => {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number)) throw new AppError('InputInvalid', `${flag} must be a whole number, got ${JSON.stringify(value)}.`);
  return number;
};

function formatOf(file: string, given: string | undefined): VectorFileFormat {
  const format = given ?? (file.toLowerCase().endsWith('.npy') ? 'npy' : 'csv');
  if (format !== 'csv' && format !== 'npy') throw new AppError('InputInvalid', `--format must be csv or npy, got ${JSON.stringify(format)}.`);
  return format;
}

/** `vectors.npy` -> `vectors.filenames.txt`. */
const filenamesBeside = (file: string) => `${file.replace(/\.npy$/i, '')}.filenames.txt`;

async function write(stream: NodeJS.WritableStream, chunk: string | Uint8Array): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}

async function finish(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

export function registerEmbeddingCommands(program: Command, runner: CommandRunner): void {
  program
    .command('embed <dataset>')
    .description('compute a vector for every new or changed image with a model (resumes after a kill; skips what is stored)')
    .option('--model <name>', 'a registered model (default: the bundled one)')
    .option('--batch-size <n>', 'images per model run (env WINNOW_EMBED_BATCH_SIZE, default 16)')
    .option('--threads <n>', "onnxruntime's threads (env WINNOW_EMBED_THREADS, default: every core)")
    .option('--queue', 'PostgreSQL: hand the job to `winnow worker` processes and follow its progress')
    .option('--detach', 'PostgreSQL: queue the run for `winnow worker` processes and return at once (implies --queue)')
    .option('--json', 'print a JSON summary')
    .action(
      runner.run<EmbedOptions>(async (context, options, output, [name]) => {
        const progress = createEmbedProgress(options.json === true);
        try {
          const batchSize = wholeNumber(options.batchSize, '--batch-size');
          const report = await runQueued(
            context,
            'embed',
            { dataset: name!, model: options.model, batchSize },
            {
              inProcess: () =>
                embedDataset(context, name!, {
                  model: options.model,
                  batchSize,
                  threads: wholeNumber(options.threads, '--threads'),
                  onProgress: progress.update,
                  onRetry: progress.retry,
                }),
              queue: options.queue,
              detach: options.detach,
              output,
              onProgress: (update) => progress.update(update as unknown as EmbedProgress),
              onRetry: progress.retry,
            },
          );
          progress.stop();
          if (report === undefined) return;
          if (options.json) {
            printJson(output, report);
            return;
          }
          output.out(
            `Embedded "${report.dataset}" with model "${report.model}" (${report.dimensions}-d): ${formatCount(report.embedded)} new${report.fromThumbnails > 0 ? ` (${formatCount(report.fromThumbnails)} read from their thumbnails)` : ''}, ${formatCount(report.skipped)} skipped (already stored), ${formatCount(report.failed)} failed, ${formatCount(report.removed)} removed, of ${formatCount(report.total)} samples; ${report.imagesPerSecond} images/s (${(report.durationMs / 1000).toFixed(1)} s)`,
          );
          if (report.retryable > 0) output.out(`${formatCount(report.retryable)} failed on the storage side; run it again to retry them.`);
        } finally {
          progress.stop();
        }
      }),
    );

  const embeddings = program.command('embeddings').description('import, export, map and query stored vectors');
  embeddings
    .command('import <dataset> <file>')
    .description("import vectors: Lightly's CSV (filenames,embedding_0,...) or .npy with a filenames list; nothing is written on any error")
    .requiredOption('--model <name>', 'the model they come from (a new name is registered as imported)')
    .option('--format <csv|npy>', 'default: from the file extension')
    .option('--filenames <file>', '.npy only: one filename per line, in row order (default: <file>.filenames.txt beside it)')
    .option('--json', 'print a JSON summary')
    .action(
      runner.run<{ model: string; format?: string; filenames?: string; json?: boolean }>(async (context, options, output, [name, file]) => {
        const format = formatOf(file!, options.format);
        const bytes = await readFile(file!).catch((error: unknown) => {
          throw new AppError('InputInvalid', `Cannot read ${file}: ${(error as Error).message}`);
        });
        const filenamesFile = format === 'npy' ? (options.filenames ?? (existsSync(filenamesBeside(file!)) ? filenamesBeside(file!) : undefined)) : undefined;
        const filenames = filenamesFile === undefined ? undefined : await readFile(filenamesFile, 'utf8');
        const report = await importEmbeddings(context, name!, { model: options.model, format, bytes, filenames, source: file! });
        if (options.json) printJson(output, report);
        else output.out(`Imported ${formatCount(report.imported)} ${report.dimensions}-d vectors into "${report.dataset}" as model "${report.model}".`);
      }),
    );
  embeddings
    .command('export <dataset>')
    .description("export vectors in key order as Lightly's CSV (stdout without --out) or .npy + <out>.filenames.txt")
    .option('--model <name>', 'default: the bundled model')
    .option('--format <csv|npy>', 'default: csv, or npy when --out ends in .npy')
    .option('--out <file>', 'write here instead of stdout (required for npy)')
    .action(
      runner.run<{ model?: string; format?: string; out?: string; json?: boolean }>(async (context, options, output, [name]) => {
        const format = formatOf(options.out ?? '', options.format);
        if (format === 'npy' && options.out === undefined)
          throw new AppError('InputInvalid', '--format npy needs --out <file>.npy (binary data does not go to a terminal).');
        const stream = options.out === undefined ? process.stdout : createWriteStream(options.out);
        const names = format === 'npy' ? createWriteStream(filenamesBeside(options.out!)) : undefined;
        const result = await exportEmbeddings(
          context,
          name!,
          { model: options.model, format },
          { write: (chunk) => write(stream, chunk), writeFilenames: names && ((chunk) => write(names, chunk)) },
        );
        if (stream !== process.stdout) await finish(stream as WriteStream);
        if (names) await finish(names);
        if (options.out !== undefined)
          output.err(
            `Exported ${formatCount(result.exported)} ${result.dimensions}-d vectors to ${options.out}${names ? ` and ${filenamesBeside(options.out)}` : ''}.`,
          );
      }),
    );
  embeddings
    .command('map <dataset>')
    .description('the 2-D map of the vectors (cached): PCA, or UMAP fitted on at most 20,000 samples; CSV key,x,y')
    .option('--model <name>', 'default: the bundled model')
    .option('--method <pca|umap>', 'default: pca')
    .requiredOption('--out <file>', 'CSV file to write (key,x,y)')
    .option('--json', 'print a JSON summary')
    .action(
      runner.run<{ model?: string; method?: string; out: string; json?: boolean }>(async (context, options, output, [name]) => {
        const map = await datasetMap(context, name!, { model: options.model, method: options.method as MapMethod | undefined });
        const stream = createWriteStream(options.out);
        await write(stream, 'key,x,y\n');
        for (let i = 0; i < map.points; i += 10_000) {
          const lines: string[] = [];
          for (let j = i; j < Math.min(map.points, i + 10_000); j++) {
            const key = map.keys[j]!;
            lines.push(`${/[",\r\n]/.test(key) ? `"${key.replaceAll('"', '""')}"` : key},${map.coordinates[j * 2]},${map.coordinates[j * 2 + 1]}\n`);
          }
          await write(stream, lines.join(''));
        }
        await finish(stream);
        const summary = {
          dataset: map.dataset,
          model: map.model,
          method: map.method,
          points: map.points,
          computed: map.computed,
          durationMs: map.durationMs,
          out: options.out,
        };
        if (options.json) printJson(output, summary);
        else
          output.out(
            `Map of "${map.dataset}" (${map.method}, model "${map.model}"): ${formatCount(map.points)} points ${map.computed ? 'computed' : 'from the cache'} in ${(map.durationMs / 1000).toFixed(1)} s, written to ${options.out}.`,
          );
      }),
    );
  embeddings
    .command('neighbours <dataset> <key>')
    .alias('neighbors')
    .description('the samples nearest to one sample (cosine distance on the stored vectors)')
    .option('--model <name>', 'default: the bundled model')
    .option('--k <n>', 'how many (default 10)')
    .option('--json', 'print JSON')
    .action(
      runner.run<{ model?: string; k?: string; json?: boolean }>(async (context, options, output, [name, key]) => {
        const report = await findNeighbours(context, name!, key!, { model: options.model, k: wholeNumber(options.k, '--k') });
        if (options.json) {
          printJson(output, report);
          return;
        }
        for (const neighbour of report.neighbours) output.out(`${neighbour.distance.toFixed(4)}  ${neighbour.key}`);
      }),
    );
}
