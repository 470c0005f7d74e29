/**
 * `winnow worker` processes and queued jobs driven through the public CLI only (`--detach`,
 * `jobs show --json`), so a bench measures whatever the job code does: one job today, shard and
 * batch jobs fanned out across workers once they exist.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../src/jobs/job-queue.js';
import { onCleanup } from './cleanup.js';
import { assertSucceeded, runMeasured } from './measured-process.js';

const BIN = resolve(import.meta.dirname, '../bin/winnow.js');
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 120_000;

export interface WorkerPool {
  pids: number[];
  /** Peak resident set size of each worker so far (VmHWM), in KiB; read before stopping them. */
  peakRssKib(): number[];
  /** SIGTERM, as systemd stops a worker; SIGKILL after STOP_TIMEOUT_MS. */
  stop(): Promise<void>;
}

/** Starts `count` `winnow worker --concurrency <concurrency>` processes and waits until each says it is working. */
export async function startWorkers(count: number, concurrency: number, env: NodeJS.ProcessEnv): Promise<WorkerPool> {
  const children: ChildProcess[] = [];
  const stop = onCleanup(`stop ${count} workers`, () => Promise.all(children.map(stopWorker)));
  try {
    for (let index = 0; index < count; index++) {
      const child = spawn(process.execPath, [BIN, 'worker', '--concurrency', String(concurrency)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
    }
    await Promise.all(children.map(waitUntilWorking));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    pids: children.map((child) => child.pid!),
    peakRssKib: () => children.map((child) => peakRssOf(child.pid!)),
    stop,
  };
}

function waitUntilWorking(child: ChildProcess): Promise<void> {
  let stderr = '';
  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`winnow worker did not start within ${READY_TIMEOUT_MS} ms: ${stderr}`)), READY_TIMEOUT_MS);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      // Keep only the start of its output: a worker that logs warnings for an hour must not grow the bench.
      if (stderr.length < 10_000) stderr += chunk;
      if (stderr.includes(' is working ')) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`winnow worker exited with ${code} before working: ${stderr}`));
    });
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** The process's resident high-water mark: Linux keeps it per process, so no wrapper has to outlive the worker. */
function peakRssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmHWM:'));
  return line === undefined ? Number.NaN : Number(line.replace(/\D+/g, ''));
}

export interface FinishedJob {
  job: JobView;
  /** From the job's creation to its end, both by the database's clock: it includes waiting for a worker to take it (up to the worker's poll interval). */
  durationMs: number;
  /** `jobs show` calls made while waiting. */
  polls: number;
}

/** Runs `winnow <args> --detach` and follows the queued job with `winnow jobs show <id> --json` until it ends. */
export async function runDetached(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<FinishedJob> {
  const queued = await runMeasured(process.execPath, [BIN, ...args, '--detach'], { env, timeoutMs: 120_000 });
  assertSucceeded(queued, `winnow ${args.join(' ')} --detach`);
  const id = /Queued [\w-]+ job (\S+?)\.? Follow/.exec(queued.stderr)?.[1];
  if (id === undefined) throw new Error(`no job id in: ${queued.stderr}`);
  const started = performance.now();
  for (let polls = 1; ; polls++) {
    // Each poll starts a CLI process, which costs the workers CPU: poll less often as the job runs longer.
    const elapsed = performance.now() - started;
    await sleep(Math.min(10_000, Math.max(2_000, elapsed / 20)));
    const shown = await runMeasured(process.execPath, [BIN, 'jobs', 'show', id, '--json'], { env, timeoutMs: 120_000 });
    assertSucceeded(shown, `winnow jobs show ${id}`);
    const job = JSON.parse(shown.stdout) as JobView;
    if (job.state === 'failed' || job.state === 'cancelled') throw new Error(`job ${id} ${job.state}: ${JSON.stringify(job.error)}`);
    if (job.state === 'completed') {
      return { job, durationMs: Date.parse(job.finishedAt!) - Date.parse(job.createdAt), polls };
    }
    if (elapsed > timeoutMs) throw new Error(`job ${id} still ${job.state} after ${Math.round(elapsed / 1000)} s`);
  }
}
