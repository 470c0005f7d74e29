/**
 * The server under load: started in its own process, its keyset cursors collected through the
 * API, then driven by wrk (Debian's `wrk`) with bench/api-pages.lua.
 */
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DATASET_NAME } from './api-catalog.js';
import type { ServerVariant } from './api-server.js';
import type { ServerRunStats } from './api-server-stats.js';
import { onCleanup } from './cleanup.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LUA_SCRIPT = join(ROOT, 'bench/api-pages.lua');
const SAMPLES_PATH = `/api/datasets/${DATASET_NAME}/samples`;
/** wrk leaves requests slower than this out of its latency figures (and counts them as timeouts). */
const WRK_TIMEOUT_SECONDS = 30;

export interface RunningApiServer {
  url: string;
  pid: number;
  /** What the server saw since the last call (the first call only starts the count). */
  takeStats(): Promise<ServerRunStats>;
  stop(): Promise<void>;
}

/** Starts bench/api-server.ts with the catalog's WINNOW_* variables; with `profileDir`, under --cpu-prof. */
export async function startApiServer(variant: ServerVariant, env: Record<string, string>, profileDir?: string): Promise<RunningApiServer> {
  const profile = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(ROOT, 'bench/api-server.ts'), variant], {
    cwd: ROOT,
    env: { ...process.env, ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = onCleanup(`stop the ${variant} API server`, async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  const statsWaiting: Array<(stats: ServerRunStats) => void> = [];
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve(line.slice('READY '.length));
      if (line.startsWith('STATS ')) statsWaiting.shift()?.(JSON.parse(line.slice('STATS '.length)) as ServerRunStats);
    });
    void exited.then(() => reject(new Error(`the ${variant} API server exited before it was ready`)));
  });
  const takeStats = () =>
    new Promise<ServerRunStats>((resolve) => {
      statsWaiting.push(resolve);
      child.kill('SIGUSR2');
    });
  return { url, pid: child.pid!, takeStats, stop };
}

/** Linux clock ticks per second (USER_HZ), the unit of /proc/<pid>/stat times. */
const TICKS_PER_SECOND = 100;

/** A process's /proc/<pid>/stat: its command name and CPU ticks, its own (utime + stime) and its waited-for children's (cutime + cstime). */
function readStat(pid: number | 'self'): { command: string; ticks: number; reapedChildrenTicks: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name is parenthesised and may hold spaces or parentheses itself; fields 14-17 follow the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    ticks: Number(fields[11]) + Number(fields[12]),
    reapedChildrenTicks: Number(fields[13]) + Number(fields[14]),
  };
}

const cpuTicks = (pid: number): number => readStat(pid).ticks;

/**
 * Waits until the server has finished the requests wrk left behind: when wrk stops, up to one
 * request per connection is still being served, and on a slow route that backlog would eat into
 * the next run. Idle means under 5% of a CPU over a quarter of a second.
 */
export async function waitUntilIdle(server: RunningApiServer, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const windowMs = 250;
  while (Date.now() < deadline) {
    const before = cpuTicks(server.pid);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    if ((cpuTicks(server.pid) - before) / TICKS_PER_SECOND < 0.05 * (windowMs / 1000)) return;
  }
  throw new Error(`the API server was still busy ${timeoutMs / 1000} s after the load stopped`);
}

/** CPU ticks of every process on the machine by command name (`postgres`, `node`, ...), the server's own under `server`, this process's under `bench`. */
function ticksByCommand(serverPid: number): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: ReturnType<typeof readStat>;
    try {
      stat = readStat(Number(entry));
    } catch {
      continue; // exited meanwhile
    }
    const command = Number(entry) === serverPid ? 'server' : Number(entry) === process.pid ? 'bench' : stat.command;
    ticks.set(command, (ticks.get(command) ?? 0) + stat.ticks);
  }
  return ticks;
}

/** Cores each command used between two snapshots, the busiest first; processes that ended between them are not counted. */
function coresByCommand(before: Map<string, number>, after: Map<string, number>, seconds: number): Array<{ command: string; cores: number }> {
  return [...after]
    .map(([command, ticks]) => ({ command, cores: (ticks - (before.get(command) ?? 0)) / TICKS_PER_SECOND / seconds }))
    .filter((usage) => usage.cores >= 0.01)
    .sort((a, b) => b.cores - a.cores);
}

export interface CursorWalk {
  query: string;
  pages: number;
  rows: number;
  ms: number;
  /** nextCursor of every page but the last. */
  cursors: string[];
}

/** Walks every keyset page of a query (urls=false, 1,000 a page) and keeps each page's nextCursor. */
export async function walkCursors(server: RunningApiServer, token: string, query: string): Promise<CursorWalk> {
  const cursors: string[] = [];
  let rows = 0;
  let pages = 0;
  let cursor: string | null = null;
  const started = performance.now();
  do {
    const response = await fetch(`${server.url}${SAMPLES_PATH}?${query}&limit=1000&urls=false${cursor === null ? '' : `&cursor=${cursor}`}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!response.ok) throw new Error(`walking ${query}: HTTP ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { samples: unknown[]; nextCursor: string | null };
    rows += page.samples.length;
    pages++;
    cursor = page.nextCursor;
    if (cursor !== null) cursors.push(cursor);
  } while (cursor !== null);
  return { query, pages, rows, ms: performance.now() - started, cursors };
}

/** Fetches a path once and checks it is a full page, with or without URLs as asked. */
export async function checkPage(
  server: RunningApiServer,
  token: string,
  path: string,
  limit: number,
  urls: boolean,
): Promise<{ bytes: number; exampleUrl: string | null }> {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.text();
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${body}`);
  const page = JSON.parse(body) as { samples: Array<{ url: string | null }> };
  if (page.samples.length !== limit) throw new Error(`GET ${path}: ${page.samples.length} samples, expected ${limit}`);
  if (page.samples.some((sample) => (sample.url !== null) !== urls)) throw new Error(`GET ${path}: urls ${urls ? 'missing' : 'present'}`);
  return { bytes: Buffer.byteLength(body), exampleUrl: page.samples[0]?.url ?? null };
}

export function samplesPath(query: string, urls: boolean, cursor?: string): string {
  return `${SAMPLES_PATH}?${query}&urls=${urls}${cursor === undefined ? '' : `&cursor=${cursor}`}`;
}

export interface WrkResult {
  requests: number;
  durationUs: number;
  bytes: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { min: number; mean: number; p50: number; p90: number; p99: number; max: number };
  /** CPU time the server process used while wrk ran (user + system, all its threads). */
  serverCpuMs: number;
  /** What the server itself measured over the run, including the requests wrk left behind. */
  server: ServerRunStats;
  /** Every process's CPU while wrk ran, by command (the server as `server`): on a 2-core machine the load tool and the catalog compete with the server. */
  machineCores: Array<{ command: string; cores: number }>;
}

export interface LoadOptions {
  connections: number;
  threads: number;
  durationSeconds: number;
  workDir: string;
}

/** Runs wrk against `paths` (picked at random per request) and returns its figures. */
export async function runWrk(server: RunningApiServer, token: string, paths: readonly string[], options: LoadOptions): Promise<WrkResult> {
  const pathsFile = join(options.workDir, `paths-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(pathsFile, `${paths.join('\n')}\n`);
  const args = [
    '-t',
    String(options.threads),
    '-c',
    String(options.connections),
    '-d',
    `${options.durationSeconds}s`,
    '--timeout',
    `${WRK_TIMEOUT_SECONDS}s`,
    '-s',
    LUA_SCRIPT,
    server.url,
  ];
  await server.takeStats();
  const machineBefore = ticksByCommand(server.pid);
  const childrenBefore = readStat('self').reapedChildrenTicks;
  const runStarted = performance.now();
  const ticksBefore = cpuTicks(server.pid);
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      'wrk',
      args,
      { env: { ...process.env, WRK_PATHS: pathsFile, WRK_TOKEN: token }, timeout: (options.durationSeconds + WRK_TIMEOUT_SECONDS + 30) * 1000 },
      (error, out, err) => (error ? reject(new Error(`wrk failed: ${error.message}\n${err}`, { cause: error })) : resolve(out)),
    );
  });
  const serverCpuMs = ((cpuTicks(server.pid) - ticksBefore) / TICKS_PER_SECOND) * 1000;
  const runSeconds = (performance.now() - runStarted) / 1000;
  // wrk has exited by now, so it is not in /proc: its time is in this process's children times.
  const wrkCores = (readStat('self').reapedChildrenTicks - childrenBefore) / TICKS_PER_SECOND / runSeconds;
  const machineCores = [{ command: 'wrk', cores: wrkCores }, ...coresByCommand(machineBefore, ticksByCommand(server.pid), runSeconds)].sort(
    (a, b) => b.cores - a.cores,
  );
  await waitUntilIdle(server);
  const serverStats = await server.takeStats();
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('WRK_JSON '));
  if (line === undefined) throw new Error(`wrk printed no figures:\n${stdout}`);
  return {
    ...(JSON.parse(line.slice('WRK_JSON '.length)) as Omit<WrkResult, 'serverCpuMs' | 'server' | 'machineCores'>),
    serverCpuMs,
    server: serverStats,
    machineCores,
  };
}
