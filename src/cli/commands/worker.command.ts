import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { WINNOW_JOB_NAMES, winnowJobHandlers, type WinnowJobName } from '../../jobs/winnow-jobs.js';
import type { CommandRunner } from '../command-runner.js';

interface WorkerOptions {
  concurrency: string;
  queues?: string;
  json?: boolean;
}

export function registerWorkerCommand(program: Command, runner: CommandRunner): void {
  program
    .command('worker')
    .description('run queued jobs (sync, thumbnails, embed) until stopped; on PostgreSQL any number of workers on any machines share them')
    .option('--concurrency <n>', 'jobs of each queue this process runs at once', '1')
    .option('--queues <names>', `the queues to work, ,-separated (default all: ${WINNOW_JOB_NAMES.join(',')})`)
    .action(
      runner.run<WorkerOptions>(async (context, options, output) => {
        const concurrency = Number(options.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
          throw new AppError('InputInvalid', `--concurrency must be a whole number from 1 to 64, got ${JSON.stringify(options.concurrency)}.`);
        }
        const queues = parseQueues(options.queues);
        const queue = await context.jobs();
        await queue.work(winnowJobHandlers(context, queue), { concurrency, queues });
        output.err(
          `Worker ${process.pid} is working ${queues.join(', ')} (${concurrency} at once each) on ${queue.kind === 'pg-boss' ? `pg-boss at ${context.database.location}` : 'the embedded catalog'}. SIGTERM or Ctrl-C stops it after the current step.`,
        );
        await new Promise<void>((resolveStop) => {
          for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolveStop());
        });
        output.err('Stopping: running jobs stop at their next committed step and go back to the queue…');
        await queue.stop();
      }),
    );
}

function parseQueues(given: string | undefined): WinnowJobName[] {
  if (given === undefined) return [...WINNOW_JOB_NAMES];
  const names = given
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(WINNOW_JOB_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new AppError('InputInvalid', `--queues takes ${WINNOW_JOB_NAMES.join(', ')}; got ${JSON.stringify(given)}.`);
  }
  return names as WinnowJobName[];
}
