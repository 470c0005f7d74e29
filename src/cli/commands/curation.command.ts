import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import type { ThresholdOperator } from '../../selection/terms.js';
import { exportTag, type TagExportFormat } from '../../workflows/export-tag.js';
import { findDuplicates } from '../../workflows/find-duplicates.js';
import { describeMetadata, importLightlyLayout, importMetadata } from '../../workflows/sample-metadata.js';
import { selectDatasetSamples, type StrategyName, type StrategySpec, type ThresholdSpec } from '../../workflows/select-samples.js';
import { combineTags, createTagFromKeys, deleteTag, listTagViews, showTag, updateTagDetails, type TagOperation } from '../../workflows/tags.js';
import { findNeighbours } from '../../workflows/vector-index.js';
import type { CommandRunner } from '../command-runner.js';
import { printDuplicates } from '../printers/duplicates.js';
import { printSelection } from '../printers/selection.js';
import { formatCount, formatTable, printJson } from '../render.js';

const STRATEGIES: readonly StrategyName[] = ['diversity', 'typicality', 'balance', 'similarity', 'weights', 'random'];
const collect = (value: string, previous: string[]) => [...previous, value];

/** `diversity`, `typicality:0.5`: a strategy and its strength. */
export function parseStrategy(text: string): { name: StrategyName; strength: number | undefined } {
  const [name, strength, ...rest] = text.split(':');
  if (!STRATEGIES.includes(name as StrategyName) || rest.length > 0) {
    throw new AppError(
      'InputInvalid',
      `--strategy ${JSON.stringify(text)} is not a strategy; use one of ${STRATEGIES.join(', ')}, optionally with a strength (diversity:2).`,
    );
  }
  const value = strength === undefined ? undefined : Number(strength);
  if (value !== undefined && !(Number.isFinite(value) && value >= 0))
    throw new AppError('InputInvalid', `The strength in --strategy ${JSON.stringify(text)} must be a number of at least 0.`);
  return { name: name as StrategyName, strength: value };
}

/** `quality>=0.5`: a field, an operator and a number. */
export function parseThreshold(text: string): ThresholdSpec {
  const match = /^([^<>=!]+)(>=|<=|==|!=|>|<)(.+)$/.exec(text.trim());
  const value = match ? Number(match[3]) : Number.NaN;
  if (!match || !Number.isFinite(value))
    throw new AppError('InputInvalid', `--threshold ${JSON.stringify(text)} must look like field>=number (operators: > >= < <= == !=).`);
  return { field: match[1]!.trim(), operator: match[2] as ThresholdOperator, value };
}

/** `uniform`, or `cow=0.5,pig=0.3,sheep=0.2`. */
function parseBalanceTarget(text: string | undefined): StrategySpec['target'] {
  if (text === undefined || text === 'uniform') return 'uniform';
  const shares: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [name, share] = part.split('=');
    const value = Number(share);
    if (!name || !Number.isFinite(value) || value < 0)
      throw new AppError('InputInvalid', `--balance-target ${JSON.stringify(text)} must be uniform or category=share,... (e.g. cow=0.5,pig=0.5).`);
    shares[name.trim()] = value;
  }
  return shares;
}

interface SelectOptions {
  strategy: string[];
  n?: string;
  proportion?: string;
  fromTag?: string;
  tag?: string;
  seed?: string;
  model?: string;
  minDistance?: string;
  balanceField?: string;
  balanceTarget?: string;
  weightsField?: string;
  queryTag?: string;
  queryKeys?: string;
  threshold: string[];
  dryRun?: boolean;
  description?: string;
  json?: boolean;
}

const numberOption = (value: string | undefined, flag: string) => {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new AppError('InputInvalid', `${flag} must be a number, got ${JSON.stringify(value)}.`);
  return number;
};

export function registerCurationCommands(program: Command, runner: CommandRunner): void {
  program
    .command('select <dataset>')
    .description('pick the samples worth labelling: strategies combined with strengths, deterministic for a seed, incremental over --tag and --from-tag')
    .requiredOption('--strategy <name[:strength]>', `one of ${STRATEGIES.join(', ')} (repeatable)`, collect, [])
    .option('--n <count>', 'how many to add')
    .option('--proportion <share>', 'or the share of the pool the selection should reach (0-1)')
    .option('--tag <name>', 'the tag the picks go into (its samples count as already selected)')
    .option('--from-tag <name>', 'a tag whose samples count as already selected')
    .option('--seed <n>', 'decides ties and the random parts (default 1)')
    .option('--model <name>', 'the vectors to use (default: the bundled model)')
    .option('--min-distance <d>', 'diversity: stop once no sample is farther than this cosine distance from the selection')
    .option('--balance-field <field>', 'balance: the text field (e.g. label)')
    .option('--balance-target <shares>', 'balance: uniform (default) or category=share,...')
    .option('--weights-field <field>', 'weights: the numeric field to prefer high values of')
    .option('--query-tag <tag>', 'similarity: the samples to be similar to')
    .option('--query-keys <keys>', 'similarity: comma-separated keys to be similar to')
    .option('--threshold <field op number>', 'keep only samples passing it, e.g. quality>=0.5 (repeatable)', collect, [])
    .option('--dry-run', 'pick but store nothing (a preview)')
    .option('--description <text>', "the tag's description")
    .option('--json', 'print { tag, keys, picks, ... }')
    .action(
      runner.run<SelectOptions>(async (context, options, output, [name]) => {
        const strategies: StrategySpec[] = options.strategy.map(parseStrategy).map((strategy) => ({
          ...strategy,
          ...(strategy.name === 'balance' ? { field: options.balanceField, target: parseBalanceTarget(options.balanceTarget) } : {}),
          ...(strategy.name === 'weights' ? { field: options.weightsField } : {}),
          ...(strategy.name === 'similarity'
            ? {
                queryTag: options.queryTag,
                queryKeys: options.queryKeys
                  ?.split(',')
                  .map((key) => key.trim())
                  .filter((key) => key !== ''),
              }
            : {}),
        }));
        const report = await selectDatasetSamples(context, name!, {
          strategies,
          thresholds: options.threshold.map(parseThreshold),
          count: numberOption(options.n, '--n'),
          proportion: numberOption(options.proportion, '--proportion'),
          fromTag: options.fromTag,
          tag: options.tag,
          seed: numberOption(options.seed, '--seed'),
          model: options.model,
          minDistance: numberOption(options.minDistance, '--min-distance'),
          dryRun: options.dryRun,
          description: options.description,
        });
        if (options.json) return printJson(output, report);
        printSelection(output, report);
      }),
    );

  program
    .command('similar <dataset> <key>')
    .description('the samples most like one sample, nearest first (the query itself left out)')
    .option('--k <n>', 'how many', '20')
    .option('--model <name>', 'the vectors to use (default: the bundled model)')
    .option('--json', 'print [ { key, distance } ]')
    .action(
      runner.run<{ k: string; model?: string; json?: boolean }>(async (context, options, output, [name, key]) => {
        const report = await findNeighbours(context, name!, key!, { model: options.model, k: numberOption(options.k, '--k') });
        if (options.json) return printJson(output, report.neighbours);
        for (const neighbour of report.neighbours) output.out(`${neighbour.distance.toFixed(4)}  ${neighbour.key}`);
      }),
    );

  program
    .command('duplicates <dataset>')
    .description('groups exact copies and near-duplicates and says which one of each group to keep (most pixels, then most bytes, then the first key)')
    .option('--threshold <d>', 'cosine distance for near-duplicate candidates (default: calibrated for the bundled model)')
    .option('--model <name>', 'the vectors to use (default: the bundled model)')
    .option('--tag <name>', 'tag every sample but the kept one of each group')
    .option('--replace', 'empty the tag first if it exists')
    .option('--append', 'add to the tag if it exists')
    .option('--description <text>', "the tag's description")
    .option('--json', 'print { threshold, groups: [ { keys, keep } ], ... }')
    .action(
      runner.run<{ threshold?: string; model?: string; tag?: string; replace?: boolean; append?: boolean; description?: string; json?: boolean }>(
        async (context, options, output, [name]) => {
          if (options.replace && options.append) throw new AppError('InputInvalid', 'Give --replace or --append, not both.');
          if ((options.replace || options.append) && options.tag === undefined)
            throw new AppError('InputInvalid', '--replace and --append go with --tag <name>.');
          const report = await findDuplicates(context, name!, {
            threshold: numberOption(options.threshold, '--threshold'),
            model: options.model,
            tag: options.tag,
            tagMode: options.replace ? 'replace' : options.append ? 'append' : 'create',
            description: options.description,
          });
          if (options.json) return printJson(output, report);
          printDuplicates(output, report);
        },
      ),
    );

  const tags = program.command('tags').description('named subsets of a dataset: from selections, duplicates, key lists or the map');

  tags
    .command('list <dataset>')
    .description('the tags with their sizes')
    .option('--json', 'print JSON')
    .action(
      runner.run<{ json?: boolean }>(async (context, options, output, [name]) => {
        const views = await listTagViews(context, name!);
        if (options.json) return printJson(output, views);
        if (views.length === 0) return output.out('No tags yet. Make one with `winnow select`, `winnow duplicates --tag` or `winnow tags create`.');
        output.out(
          formatTable([
            ['TAG', 'SAMPLES', 'UPDATED', 'DESCRIPTION'],
            ...views.map((tag) => [tag.name, formatCount(tag.size), tag.updatedAt, tag.description ?? '']),
          ]),
        );
      }),
    );

  tags
    .command('show <dataset> <tag>')
    .description("a tag's samples, in the order they were chosen")
    .option('--json', 'print JSON')
    .action(
      runner.run<{ json?: boolean }>(async (context, options, output, [name, tag]) => {
        const shown = await showTag(context, name!, tag!);
        if (options.json) return printJson(output, shown);
        output.err(`Tag "${shown.name}": ${formatCount(shown.size)} samples${shown.description ? ` — ${shown.description}` : ''}`);
        for (const key of shown.keys) output.out(key);
      }),
    );

  tags
    .command('create <dataset> <tag>')
    .description('a tag from a list of keys (one per line, # comments), or from other tags')
    .option('--keys-file <file>', 'keys relative to the input, one per line (- for stdin)')
    .option('--union <tags>', 'comma-separated tags to join')
    .option('--intersection <tags>', 'comma-separated tags to intersect')
    .option('--difference <tags>', 'the first tag minus the others (comma-separated)')
    .option('--replace', 'empty the tag first if it exists')
    .option('--append', 'add to the tag if it exists')
    .option('--description <text>', 'what the tag is for')
    .option('--json', 'print JSON')
    .action(
      runner.run<{
        keysFile?: string;
        union?: string;
        intersection?: string;
        difference?: string;
        replace?: boolean;
        append?: boolean;
        description?: string;
        json?: boolean;
      }>(async (context, options, output, [name, tag]) => {
        if (options.replace && options.append) throw new AppError('InputInvalid', 'Give --replace or --append, not both.');
        const mode = options.replace ? 'replace' : options.append ? 'append' : 'create';
        const combinations = (['union', 'intersection', 'difference'] as const).filter((operation) => options[operation] !== undefined);
        if ((options.keysFile === undefined ? 0 : 1) + combinations.length !== 1)
          throw new AppError('InputInvalid', 'Give exactly one of --keys-file, --union, --intersection or --difference.');
        const view =
          options.keysFile !== undefined
            ? await createTagFromKeys(context, name!, {
                name: tag!,
                description: options.description,
                keysText: await readText(options.keysFile),
                source: options.keysFile === '-' ? 'stdin' : options.keysFile,
                mode,
              })
            : await combineTags(context, name!, {
                name: tag!,
                operation: combinations[0] as TagOperation,
                of: options[combinations[0]!]!.split(',').map((entry) => entry.trim()),
                description: options.description,
                mode,
              });
        if (options.json) return printJson(output, view);
        output.out(`Tag "${view.name}": ${formatCount(view.size)} samples.`);
      }),
    );

  tags
    .command('export <dataset> <tag>')
    .description("the tag's samples as txt (one key per line, usable as --relevant-filenames), json or csv")
    .option('--format <format>', 'txt, json or csv', 'txt')
    .option('--urls', "json/csv: add each image's URL (presigned for S3)")
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--to-output', 'write under <output>/.winnow/exports/ in the bucket')
    .action(
      runner.run<{ format: string; urls?: boolean; out?: string; toOutput?: boolean; json?: boolean }>(async (context, options, output, [name, tag]) => {
        if (!['txt', 'json', 'csv'].includes(options.format))
          throw new AppError('InputInvalid', `--format must be txt, json or csv, got ${JSON.stringify(options.format)}.`);
        if (options.out !== undefined && options.toOutput) throw new AppError('InputInvalid', 'Give --out or --to-output, not both.');
        const exported = await exportTag(context, name!, tag!, {
          format: options.format as TagExportFormat,
          urls: options.urls === true,
          toOutput: options.toOutput === true,
        });
        if (exported.location !== undefined) return output.out(`Wrote ${formatCount(exported.count)} samples to ${exported.location}`);
        if (options.out !== undefined) {
          await writeFile(options.out, exported.text!);
          return output.err(`Wrote ${formatCount(exported.count)} samples to ${options.out}`);
        }
        output.out(exported.text!.replace(/\n$/, ''));
      }),
    );

  tags
    .command('rename <dataset> <tag> <new-name>')
    .description('rename a tag')
    .action(
      runner.run<{ json?: boolean }>(async (context, _options, output, [name, tag, newName]) => {
        await updateTagDetails(context, name!, tag!, { name: newName });
        output.out(`Renamed tag "${tag}" to "${newName}".`);
      }),
    );

  tags
    .command('delete <dataset> <tag>')
    .description('delete a tag (its samples stay in the dataset)')
    .action(
      runner.run<{ json?: boolean }>(async (context, _options, output, [name, tag]) => {
        await deleteTag(context, name!, tag!);
        output.out(`Deleted tag "${tag}".`);
      }),
    );

  const metadata = program.command('metadata').description('per-sample fields and labels that selections balance, threshold and weigh on');

  metadata
    .command('import <dataset> [file]')
    .description(
      'fields from CSV (key column, then one column per field) or JSON ({ "<key>": { field: value } }); --lightly reads the input\'s .lightly/ folder',
    )
    .option('--format <format>', 'csv or json (default: from the file name)')
    .option('--lightly', "read Lightly's .lightly/metadata and .lightly/predictions beside the images (read-only)")
    .option('--json', 'print JSON')
    .action(
      runner.run<{ format?: string; lightly?: boolean; json?: boolean }>(async (context, options, output, [name, file]) => {
        if ((file === undefined) === (options.lightly !== true))
          throw new AppError('InputInvalid', "Give a metadata file, or --lightly to read the input's .lightly/ folder.");
        const format = options.format ?? (file?.toLowerCase().endsWith('.json') ? 'json' : 'csv');
        if (format !== 'csv' && format !== 'json') throw new AppError('InputInvalid', `--format must be csv or json, got ${JSON.stringify(format)}.`);
        const report = options.lightly
          ? await importLightlyLayout(context, name!)
          : await importMetadata(context, name!, { text: await readText(file!), format, source: file === '-' ? 'stdin' : file! });
        if (options.json) return printJson(output, report);
        output.out(`Imported ${formatCount(report.values)} values for ${formatCount(report.samples)} samples of "${report.dataset}".`);
        output.out(
          formatTable([['FIELD', 'NUMBERS', 'TEXTS'], ...report.fields.map((field) => [field.field, formatCount(field.numbers), formatCount(field.texts)])]),
        );
      }),
    );

  metadata
    .command('list <dataset>')
    .description('the fields the samples have')
    .option('--json', 'print JSON')
    .action(
      runner.run<{ json?: boolean }>(async (context, options, output, [name]) => {
        const fields = await describeMetadata(context, name!);
        if (options.json) return printJson(output, fields);
        if (fields.length === 0) return output.out('No metadata yet. Import some with `winnow metadata import`.');
        output.out(formatTable([['FIELD', 'NUMBERS', 'TEXTS'], ...fields.map((field) => [field.field, formatCount(field.numbers), formatCount(field.texts)])]));
      }),
    );
}

async function readText(file: string): Promise<string> {
  if (file !== '-') {
    return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new AppError('InputInvalid', `Cannot read ${file}: ${error.code === 'ENOENT' ? 'it does not exist' : error.message}.`);
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
