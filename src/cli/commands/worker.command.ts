import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { winnowJobHandlers } from '../../jobs/winnow-jobs.js';
import { parseWorkerQueues, WORKER_QUEUES_HELP } from '../../jobs/worker-queues.js';
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
    .option('--queues <names>', `the queues to work, ,-separated: ${WORKER_QUEUES_HELP} (default all)`)
    .action(
      runner.run<WorkerOptions>(async (context, options, output) => {
        const concurrency = Number(options.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
          throw new AppError('InputInvalid', `--concurrency must be a whole number from 1 to 64, got ${JSON.stringify(options.concurrency)}.`);
        }
        const queues = parseWorkerQueues(options.queues);
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
