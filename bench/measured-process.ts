import { spawn } from 'node:child_process';
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
}

export interface MeasuredRunOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Runs a command under GNU time for its peak RSS and measures its wall time from spawn to exit.
 * It runs in its own process group so a timeout or an interrupted bench kills it with its children.
 */
export async function runMeasured(command: string, args: readonly string[], options: MeasuredRunOptions): Promise<MeasuredRun> {
  const rssFile = join(tmpdir(), `winnow-bench-rss-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  const child = spawn(GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
  const peakRssKib = await readPeakRss(rssFile);
  return { exitCode, stdout, stderr, wallMs, peakRssKib };
}

async function readPeakRss(rssFile: string): Promise<number> {
  try {
    // GNU time prefixes "Command exited with non-zero status N" lines when the command fails.
    const lines = (await readFile(rssFile, 'utf8')).trim().split('\n');
    return Number(lines.at(-1));
  } catch {
    return Number.NaN;
  } finally {
    await rm(rssFile, { force: true });
  }
}

/** Throws with the command's output when it failed, so a broken run never becomes a number. */
export function assertSucceeded(run: MeasuredRun, what: string): void {
  if (run.exitCode !== 0) {
    throw new Error(`${what} exited with ${run.exitCode}\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 2000)}`);
  }
}
