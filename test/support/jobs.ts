import type { ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import type { JobView } from '../../src/jobs/job-queue.js';
import { runCli } from './cli.js';
import { waitFor, type WaitOptions } from './wait.js';

type Env = Record<string, string | undefined>;

/** A job as `winnow jobs show --json` and `jobs list --json` print it; tests read its progress as counters. */
export type JobJson = Omit<JobView, 'progress'> & { progress: Record<string, number> | null };

/**
 * Runs `winnow <args> --detach` and returns the id of the job it queued, or of the queued or running one it
 * names instead of queuing another (a second sync of a dataset).
 */
export async function queueDetached(args: readonly string[], env: Env): Promise<string> {
  const result = await runCli([...args, '--detach'], { env });
  expect(result.code, result.stderr).toBe(0);
  return /job ([0-9a-f-]{36})/.exec(result.stderr)![1]!;
}

/** `winnow jobs show <id> --json`. */
export async function showJob(id: string, env: Env): Promise<JobJson> {
  return (await runCli(['jobs', 'show', id, '--json'], { env })).json<JobJson>();
}

/** Polls `winnow jobs show` until the job completes and returns it; fails as soon as the job fails. */
export function waitForJob(id: string, env: Env, options: WaitOptions): Promise<JobJson> {
  return waitFor(
    `job ${id} to complete`,
    async () => {
      const job = await showJob(id, env);
      expect(job.state, JSON.stringify(job.error)).not.toBe('failed');
      return job.state === 'completed' ? job : undefined;
    },
    options,
  );
}

/** Resolves once a spawned `winnow worker` says it is working, with what it wrote to stderr until then. */
export async function workerStarted(worker: ChildProcess): Promise<string> {
  let said = '';
  worker.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()));
  await waitFor('the worker to start', () => said.includes('is working'), { timeoutMs: 60_000 });
  return said;
}
