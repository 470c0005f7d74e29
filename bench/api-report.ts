import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CursorWalk, WrkResult } from './api-load.js';
import type { RouteBreakdown } from './api-breakdown.js';
import type { PagePlan } from './api-pg-plans.js';
import type { WaitShare } from './api-pg-waits.js';
import type { PresignResults } from './api-presign.js';
import type { CatalogDialect } from './winnow-cli.js';

export type UrlVariant = 'urls=false, page cache off' | 'urls=true, page cache warm' | 'urls=true, page cache off' | 'urls=true getSignedUrl/call';

/** A run against a server with the page cache on: every one of its pages was served once just before it. */
export interface WarmPageCache {
  distinctPaths: number;
  /** The serialised pages of those paths, against the cache's size: more than it holds means some requests miss. */
  pagesMiB: number;
  cacheMiB: number;
}

export interface LoadRun {
  dialect: CatalogDialect;
  scenario: string;
  variant: UrlVariant;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  bytesPerResponse: number;
  failedRequests: number;
  /** Server CPU time per answered request: what the route costs, whatever else the machine was doing. */
  serverCpuMsPerRequest: number;
  /** Server CPU seconds per second of the run: 1.0 is a whole core (Node runs JavaScript on one). */
  serverCores: number;
  /** This run's requests/s over the same scenario's urls=false run. */
  throughputVsNoUrls: number;
  pageCache: WarmPageCache | undefined;
  /** PostgreSQL only: what the server's connections were doing, on average. */
  postgresWaits?: WaitShare[];
  wrk: WrkResult;
}

export interface CatalogFigures {
  dialect: CatalogDialect;
  rows: number;
  liveRows: number;
  insertMethod: string;
  insertMs: number;
  rowsPerSecond: number;
  analyzeMs: number;
  walks: Array<Omit<CursorWalk, 'cursors'> & { cursorsKept: number }>;
}

export interface ApiBenchResults {
  startedAt: string;
  command: string;
  environment: Record<string, string | number>;
  settings: { rows: number; connections: number; threads: number; durationSeconds: number; pageSize: number; presignKeys: number };
  presigning: PresignResults | undefined;
  catalogs: CatalogFigures[];
  breakdowns: RouteBreakdown[];
  /** PostgreSQL's plans for the page query at a few depths (EXPLAIN ANALYZE). */
  pagePlans: PagePlan[];
  load: LoadRun[];
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const pathCount = (cache: WarmPageCache): string => `${count(cache.distinctPaths)} distinct path${cache.distinctPaths === 1 ? '' : 's'}`;
const ms = (value: number): string => `${value.toFixed(1)}`;

export function loadRun(
  dialect: CatalogDialect,
  scenario: string,
  variant: UrlVariant,
  wrk: WrkResult,
  baseline: LoadRun | undefined,
  pageCache: WarmPageCache | undefined,
): LoadRun {
  const requestsPerSecond = wrk.requests / (wrk.durationUs / 1e6);
  return {
    dialect,
    scenario,
    variant,
    requestsPerSecond,
    p50Ms: wrk.latencyUs.p50 / 1000,
    p90Ms: wrk.latencyUs.p90 / 1000,
    p99Ms: wrk.latencyUs.p99 / 1000,
    maxMs: wrk.latencyUs.max / 1000,
    bytesPerResponse: wrk.requests === 0 ? 0 : wrk.bytes / wrk.requests,
    failedRequests: wrk.errors.status + wrk.errors.timeout + wrk.errors.read + wrk.errors.connect + wrk.errors.write,
    serverCpuMsPerRequest: wrk.requests === 0 ? 0 : wrk.serverCpuMs / wrk.requests,
    serverCores: wrk.serverCpuMs / 1000 / (wrk.durationUs / 1e6),
    throughputVsNoUrls: baseline === undefined ? 1 : requestsPerSecond / baseline.requestsPerSecond,
    pageCache,
    wrk,
  };
}

export function printLoadRun(run: LoadRun): void {
  const { status, timeout } = run.wrk.errors;
  // wrk leaves timed-out requests out of its latency figures.
  const failed = run.failedRequests > 0 ? `  FAILED ${run.failedRequests} (${timeout} timeouts > 30 s, ${status} non-2xx)` : '';
  console.log(
    `  ${run.dialect.padEnd(8)} ${run.scenario.padEnd(22)} ${run.variant.padEnd(28)} ${count(run.requestsPerSecond).padStart(6)} req/s  p50 ${ms(run.p50Ms).padStart(6)}  p90 ${ms(run.p90Ms).padStart(6)}  p99 ${ms(run.p99Ms).padStart(6)} ms  ${count(run.bytesPerResponse / 1024)} KiB/page  x${run.throughputVsNoUrls.toFixed(2)} of urls=false  server CPU ${run.serverCpuMsPerRequest.toFixed(1)} ms/req, ${run.serverCores.toFixed(2)} cores${failed}`,
  );
  const { requestMs, eventLoopDelayMs, gc } = run.wrk.server;
  console.log(
    `      server side: ${count(run.wrk.server.requests)} requests, p50 ${ms(requestMs.p50)} p99 ${ms(requestMs.p99)} max ${ms(requestMs.max)} ms from parsed request to last byte; event loop delay p99 ${ms(eventLoopDelayMs.p99)} max ${ms(eventLoopDelayMs.max)} ms; GC ${count(gc.pauses)} pauses, ${count(gc.totalMs)} ms in all, max ${ms(gc.maxMs)} ms, ${gc.over10Ms} over 10 ms; full GCs ${gc.major.pauses}, ${count(gc.major.totalMs)} ms, max ${ms(gc.major.maxMs)} ms`,
  );
  console.log(
    `      CPU while wrk ran (cores): ${run.wrk.machineCores
      .slice(0, 5)
      .map((usage) => `${usage.command} ${usage.cores.toFixed(2)}`)
      .join(', ')}`,
  );
  const cache = run.pageCache;
  if (cache) {
    const fits = cache.pagesMiB <= cache.cacheMiB ? 'warm figures' : 'MORE than the cache holds, so some requests missed';
    console.log(
      `      page cache on: ${pathCount(cache)} over ${count(run.wrk.requests)} requests, each served once just before the run, ${cache.pagesMiB.toFixed(1)} MiB of pages in a cache of ${cache.cacheMiB} MiB: ${fits}; a page nobody asked for before costs what 'urls=true, page cache off' shows`,
    );
  }
}

export function printPostgresWaits(waits: readonly WaitShare[]): void {
  console.log(`      postgres connections busy (avg): ${waits.map((w) => `${w.connections.toFixed(2)} ${w.what}`).join(' | ')}`);
}

export function printBreakdown(breakdown: RouteBreakdown): void {
  console.log(`  one request at a time, no HTTP (mean of up to ${breakdown.iterations} requests, deep cursors):`);
  for (const stage of breakdown.stages)
    console.log(
      `    ${stage.stage.padEnd(58)} ${stage.ms.toFixed(2).padStart(7)} ms  (CPU of this process ${stage.cpuMs.toFixed(2)} ms, ${stage.iterations} timed)`,
    );
}

export function printPagePlans(plans: readonly PagePlan[]): void {
  console.log('  postgres plans of the page query (EXPLAIN ANALYZE; depth = share of keys before the cursor):');
  for (const plan of plans) {
    console.log(
      `    ${plan.query.padEnd(26)} depth ${plan.depth.toFixed(1)} limit ${String(plan.limit).padEnd(5)} ${plan.ms.toFixed(1).padStart(7)} ms  ${plan.plan}`,
    );
  }
}

export function printPresigning(results: PresignResults): void {
  console.log(`\npresigning ${count(results.keys)} unicode keys in one process (target >= 20,000 URLs/s signing with no cache):`);
  for (const rate of results.rates) {
    console.log(
      `  ${rate.method.padEnd(54)} ${count(rate.urlsPerSecond).padStart(7)} URLs/s  x${rate.ratio.toFixed(2)}  (${count(rate.urlsPerCpuSecond)} per CPU-second, ${count(rate.keys)} keys)${rate.target ? '  <- target' : ''}`,
    );
  }
  const v = results.verification;
  console.log(
    `  createPresigner checked on ${v.keysCompared} keys: ${v.identicalToGetSignedUrl} byte-identical to getSignedUrl at the same signing date, ${v.acceptedByVerifier} accepted by the SigV4 verifier of test/support; store.presignGet: ${v.storeUrlsAccepted} accepted by it and valid until their validUntil, at least the TTL away`,
  );
  if (v.firstMismatch) console.log(`  first mismatch: ${JSON.stringify(v.firstMismatch)}`);
}

export function summaryTable(results: ApiBenchResults): string[][] {
  const rows: string[][] = [['measure', 'dialect', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'CPU ms/req', 'vs urls=false', 'target']];
  for (const run of results.load) {
    const target = run.variant.startsWith('urls=false') ? '' : run.p99Ms < 50 ? 'p99 < 50: met' : 'p99 < 50: MISSED';
    rows.push([
      `${run.scenario}, ${run.variant}${run.pageCache ? ` (${pathCount(run.pageCache)})` : ''}`,
      run.dialect,
      count(run.requestsPerSecond),
      ms(run.p50Ms),
      ms(run.p90Ms),
      ms(run.p99Ms),
      ms(run.serverCpuMsPerRequest),
      `x${run.throughputVsNoUrls.toFixed(2)} req/s`,
      target,
    ]);
  }
  for (const rate of results.presigning?.rates ?? []) {
    rows.push([
      `presign: ${rate.method}`,
      '',
      `${count(rate.urlsPerSecond)} URLs/s`,
      '',
      '',
      '',
      `${count(rate.urlsPerCpuSecond)}/CPU-s`,
      `x${rate.ratio.toFixed(2)}`,
      !rate.target ? '' : rate.urlsPerSecond >= 20_000 ? '>= 20k: met' : '>= 20k: MISSED',
    ]);
  }
  for (const breakdown of results.breakdowns) {
    for (const stage of breakdown.stages)
      rows.push([`per request: ${stage.stage.trim()}`, breakdown.dialect, '', `${stage.ms.toFixed(2)} ms`, '', '', `${stage.cpuMs.toFixed(2)}`, '', '']);
  }
  for (const catalog of results.catalogs)
    rows.push([
      `insert ${count(catalog.rows)} rows (${catalog.insertMethod})`,
      catalog.dialect,
      `${count(catalog.rowsPerSecond)} rows/s`,
      '',
      '',
      '',
      '',
      '',
      '',
    ]);
  return rows;
}

export function printTable(rows: readonly string[][]): void {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  console.log('\nsummary');
  for (const row of rows)
    console.log(
      `  ${row
        .map((cell, column) => (column >= 2 && column <= 6 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd()}`,
    );
}

/** Writes bench/results/api-<timestamp>.json (git-ignored) and returns its path. */
export function writeResultsJson(results: ApiBenchResults): string {
  const folder = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `api-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
