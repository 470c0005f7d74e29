import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup.js';

export interface MeasuredRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident set size of the command (GNU time's %M), in KiB. */
  peakRssKib: number;
  /** CPU time of the command and its children, user plus system (GNU time's %U + %S, 10 ms steps). */
  cpuMs: number;
}

export interface MeasuredRunOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

const GNU_TIME = '/usr/bin/time';
/** Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times, is 100 on every architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Runs a command under GNU time for its peak RSS and CPU time and measures its wall time from spawn to exit.
 * It runs in its own process group so a timeout or an interrupted bench kills it with its children.
 */
export async function runMeasured(command: string, args: readonly string[], options: MeasuredRunOptions): Promise<MeasuredRun> {
  const rssFile = join(tmpdir(), `winnow-bench-rss-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  const child = spawn(GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, command, ...args], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killGroup = (): void => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  const forget = onCleanup(`kill ${command}`, killGroup);
  const timer = setTimeout(killGroup, options.timeoutMs);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
  const wallMs = performance.now() - started;
  clearTimeout(timer);
  await forget();
  const { peakRssKib, cpuMs } = await readGnuTime(rssFile);
  return { exitCode, stdout, stderr, wallMs, peakRssKib, cpuMs };
}

async function readGnuTime(rssFile: string): Promise<{ peakRssKib: number; cpuMs: number }> {
  try {
    // GNU time prefixes "Command exited with non-zero status N" lines when the command fails.
    const [rss, user, system] = (await readFile(rssFile, 'utf8')).trim().split('\n').at(-1)!.split(' ').map(Number);
    return { peakRssKib: rss!, cpuMs: Math.round((user! + system!) * 1000) };
  } catch {
    return { peakRssKib: Number.NaN, cpuMs: Number.NaN };
  } finally {
    await rm(rssFile, { force: true });
  }
}

/** CPU time a running process has used so far, user plus system, in ms (Linux /proc, 10 ms steps). */
export function cpuMsOf(pid: number): number {
  // The command name (field 2) may hold spaces; utime and stime are fields 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Throws with the command's output when it failed, so a broken run never becomes a number. */
export function assertSucceeded(run: MeasuredRun, what: string): void {
  if (run.exitCode !== 0) {
    throw new Error(`${what} exited with ${run.exitCode}\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 2000)}`);
  }
}
