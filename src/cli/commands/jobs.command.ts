import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { foundJob, JOB_STATES, type JobState, type JobView } from '../../jobs/job-queue.js';
import { retryStateOf, WINNOW_JOB_NAMES, type WinnowJobName } from '../../jobs/winnow-jobs.js';
import { FINISHED_STATES } from '../../jobs/job-queue.js';
import type { StorageRetry } from '../../datasources/object-store.js';
import type { CommandRunner } from '../command-runner.js';
import { retryNote, shardNote } from '../progress.js';
import { formatTable, printJson, type Output } from '../render.js';

interface ListOptions {
  state?: string;
  dataset?: string;
  name?: string;
  limit: string;
  json?: boolean;
}

export function registerJobCommands(program: Command, runner: CommandRunner): void {
  const jobs = program.command('jobs').description('list, show, cancel and retry background jobs (sync, thumbnails, embed)');

  jobs
    .command('list')
    .description('the most recent jobs first')
    .option('--state <states>', `only these states, ,-separated (${JOB_STATES.join(', ')})`)
    .option('--dataset <name>', 'only jobs of this dataset')
    .option('--name <names>', `only these jobs, ,-separated (${WINNOW_JOB_NAMES.join(', ')})`)
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(
      runner.run<ListOptions>(async (context, options, output) => {
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
          throw new AppError('InputInvalid', `--limit must be a whole number from 1 to 1000, got ${options.limit}.`);
        const queue = await context.jobs();
        const list = await queue.list({
          states: parseList(options.state, JOB_STATES, '--state') as JobState[] | undefined,
          names: parseList(options.name, WINNOW_JOB_NAMES, '--name') as WinnowJobName[] | undefined,
          dataset: options.dataset,
          limit,
        });
        if (options.json) return printJson(output, list);
        if (list.length === 0) return output.out('No jobs.');
        output.out(
          formatTable([
            ['ID', 'JOB', 'DATASET', 'STATE', 'TRIES', 'CREATED', 'PROGRESS'],
            ...list.map((job) => [job.id, job.name, String(job.data.dataset ?? ''), job.state, String(job.retryCount + 1), job.createdAt, progressLine(job)]),
          ]),
        );
      }),
    );

  jobs
    .command('show <id>')
    .description('one job: state, progress, result or error, retries')
    .option('--json', 'print JSON')
    .action(
      runner.run<{ json?: boolean }>(async (context, options, output, [id]) => {
        const job = foundJob(await (await context.jobs()).get(id!), id!);
        if (options.json) printJson(output, job);
        else printJob(output, job);
      }),
    );

  jobs
    .command('cancel <id>')
    .description('cancel a job that has not finished (a running one stops at its next committed step)')
    .option('--json', 'print JSON')
    .action(
      runner.run<{ json?: boolean }>(async (context, options, output, [id]) => {
        const job = await (await context.jobs()).cancel(id!);
        if (options.json) printJson(output, job);
        else output.out(`Cancelled ${job.name} job ${job.id}. \`winnow jobs retry ${job.id}\` runs it again, resuming where it stopped.`);
      }),
    );

  jobs
    .command('retry <id>')
    .description('run a failed or cancelled job again (it resumes where it stopped)')
    .option('--json', 'print JSON')
    .action(
      runner.run<{ json?: boolean }>(async (context, options, output, [id]) => {
        const job = await (await context.jobs()).retry(id!);
        if (options.json) printJson(output, job);
        else output.out(`Queued ${job.name} job ${job.id} again.`);
      }),
    );
}

function parseList(given: string | undefined, allowed: readonly string[], flag: string): string[] | undefined {
  if (given === undefined) return undefined;
  const values = given
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
  const unknown = values.filter((value) => !allowed.includes(value));
  if (values.length === 0 || unknown.length > 0) throw new AppError('InputInvalid', `${flag} takes ${allowed.join(', ')}; got ${JSON.stringify(given)}.`);
  return values;
}

function progressLine(job: JobView): string {
  const counters = phaseLine(job);
  const { retrying } = retryStateOf(job.progress);
  if (retrying === null || FINISHED_STATES.includes(job.state)) return counters;
  return `${counters}${retryNote(retrying)}`;
}

function phaseLine(job: JobView): string {
  const progress = job.progress;
  if (progress === null) return '';
  const number = (key: string) => (typeof progress[key] === 'number' ? (progress[key] as number) : undefined);
  const phase = typeof progress.phase === 'string' ? progress.phase : '';
  if (phase === 'listing') {
    const headers = (number('probed') ?? 0) > 0 ? `; headers: ${number('probed')}/${number('toProbe') ?? '?'}` : '';
    return `listing: ${number('listed') ?? 0} keys${headers}${shardNote(progress.shards)}`;
  }
  if (phase === 'probing') return `headers: ${number('probed') ?? 0}/${number('toProbe') ?? '?'}`;
  if (phase === 'thumbnails') return `thumbnails: ${number('done') ?? 0}/${number('toGenerate') ?? '?'}`;
  if (phase === 'embedding') return `embedded: ${number('done') ?? 0}/${number('toEmbed') ?? '?'}`;
  return phase;
}

function printJob(output: Output, job: JobView): void {
  output.out(`${job.name} job ${job.id}${typeof job.data.dataset === 'string' ? ` of dataset "${job.data.dataset}"` : ''}: ${job.state}`);
  output.out(`  created ${job.createdAt}; started ${job.startedAt ?? 'not yet'}; finished ${job.finishedAt ?? 'not yet'}`);
  output.out(`  tries: ${job.retryCount + 1} of at most ${job.retryLimit + 1}${job.state === 'retry' ? `; next at ${job.startAfter}` : ''}`);
  const progress = progressLine(job);
  if (progress !== '') output.out(`  progress: ${progress}`);
  const { retrying, storageRetries } = retryStateOf(job.progress);
  if (storageRetries > 0) {
    const now = retrying === null || FINISHED_STATES.includes(job.state) ? '' : `; now ${retryDetail(retrying)}`;
    output.out(`  storage calls retried: ${storageRetries}${now}`);
  }
  if (job.error !== null) output.out(`  error: ${job.error.code}: ${job.error.message}${job.error.hint ? `\n  fix: ${job.error.hint}` : ''}`);
  if (job.result !== null) output.out(`  result: ${JSON.stringify(job.result)}`);
}

/** `retrying GetObject after 503 SlowDown (SlowDown), attempt 3 of 10, waited 1.2 s`. */
function retryDetail(retry: StorageRetry): string {
  const waited = retry.delayMs === undefined ? '' : `, waited ${(retry.delayMs / 1000).toFixed(1)} s`;
  return `retrying ${retry.operation ?? 'a storage call'} after ${retry.reason}, attempt ${retry.attempt} of ${retry.maxAttempts}${waited}`;
}
