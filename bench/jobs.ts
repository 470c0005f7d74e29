/**
 * `npm run bench:jobs`: what a job costs the queue itself, which decides how small a shard or a
 * batch of a fanned-out job may be. N jobs whose handler writes one progress report and returns,
 * enqueued one by one and run by the embedded default's queue (SQLite, this process) and by pg-boss
 * with 1, 2 and 4 worker processes (timed from the first enqueue), alternating rounds; prints jobs/s (median), the ratio to one pg-boss worker, and the
 * load average. Not a test: nothing here passes or fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { openDatabase, type Database } from '../src/db/database.js';
import { createInProcessJobQueue } from '../src/jobs/in-process.job-queue.js';
import type { JobHandlers, JobQueue } from '../src/jobs/job-queue.js';
import { createPgBossJobQueue } from '../src/jobs/pg-boss.job-queue.js';
import { createLogger } from '../src/log/logger.js';
import { cleanUpAll } from './cleanup.js';
import { createFreshPostgresDatabase } from './postgres-database.js';
import { median } from './statistics.js';

type BenchJobs = { step: { n: number } };
const NAMES = ['step'] as const;
const JOBS = Number(process.env.BENCH_JOBS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 4;
const SETTINGS = { expireInSeconds: 300, pollIntervalMs: 500, progressIntervalMs: 0 };
const log = createLogger('silent');
const handlers: JobHandlers<BenchJobs> = {
  step: async ({ n }, job) => {
    await job.reportProgress({ n });
    return { n };
  },
};

const openPgBoss = (url: string, database: Database) =>
  createPgBossJobQueue<BenchJobs>({ url, database, names: NAMES, log, clock: () => new Date(), maintenanceIntervalSeconds: 60, ...SETTINGS });

if (process.argv[2] === 'worker') {
  // A worker process: works the queue until the parent kills it.
  const url = process.argv[3]!;
  const database = await openDatabase({ home: mkdtempSync(`${tmpdir()}/winnow-bench-worker-`), databaseUrl: url });
  const queue = await openPgBoss(url, database);
  await queue.work(handlers, { concurrency: CONCURRENCY });
  process.stdout.write('ready\n');
} else {
  await main();
}

async function main() {
  const results: Record<string, number[]> = { 'in-process (SQLite)': [], 'pg-boss, 1 worker': [], 'pg-boss, 2 workers': [], 'pg-boss, 4 workers': [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      results['in-process (SQLite)']!.push(await inProcessRound());
      for (const workers of [1, 2, 4]) results[`pg-boss, ${workers} worker${workers > 1 ? 's' : ''}`]!.push(await pgBossRound(workers));
    }
  } finally {
    await cleanUpAll();
  }
  const base = median(results['pg-boss, 1 worker']!);
  console.log(
    `${JOBS} jobs per round, ${ROUNDS} rounds, ${CONCURRENCY} at once per process; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log('queue                 jobs/s (median)  vs 1 pg-boss worker');
  for (const [name, values] of Object.entries(results)) {
    console.log(`${name.padEnd(22)}${median(values).toFixed(0).padStart(15)}  ${(median(values) / base).toFixed(2).padStart(18)}`);
  }
}

async function inProcessRound(): Promise<number> {
  const home = mkdtempSync(`${tmpdir()}/winnow-bench-jobs-`);
  const database = await openDatabase({ home, databaseUrl: undefined });
  const queue = createInProcessJobQueue<BenchJobs>({ database, names: NAMES, log, clock: () => new Date(), ...SETTINGS, pollIntervalMs: 20 });
  try {
    return await timeJobs(queue, async () => queue.work(handlers, { concurrency: CONCURRENCY }));
  } finally {
    await queue.stop();
    await database.close();
    rmSync(home, { recursive: true, force: true });
  }
}

async function pgBossRound(workers: number): Promise<number> {
  const fresh = await createFreshPostgresDatabase();
  const database = await openDatabase({ home: mkdtempSync(`${tmpdir()}/winnow-bench-jobs-`), databaseUrl: fresh.url });
  const queue = await openPgBoss(fresh.url, database);
  const children: ChildProcess[] = [];
  try {
    return await timeJobs(queue, async () => {
      await Promise.all(Array.from({ length: workers }, () => startWorker(fresh.url, children)));
    });
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await queue.stop();
    await database.close();
    await fresh.drop();
  }
}

/** Starts the workers, then times from the first enqueue until the last job is completed (one client enqueues them one by one). */
async function timeJobs(queue: JobQueue<BenchJobs>, startWorkers: () => Promise<void>): Promise<number> {
  await startWorkers();
  const started = performance.now();
  for (let n = 0; n < JOBS; n++) await queue.enqueue('step', { n });
  for (;;) {
    const done = await queue.list({ states: ['completed'], limit: JOBS });
    if (done.length === JOBS) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return JOBS / ((performance.now() - started) / 1000);
}

function startWorker(url: string, children: ChildProcess[]): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'worker', url], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`bench worker exited with ${code}`)));
  });
}
