/**
 * `npm run bench:load`: concurrent API clients against a large catalog while a sync runs.
 *
 *   npm run bench:load                                   # 1,000,000 samples, 50 clients, 60 s per phase, SQLite
 *   npm run bench:load -- --quick                        # 100,000 samples, 20 s per phase
 *   npm run bench:load -- --rows 300000 --clients 20 --duration 30 --dialect postgres
 *
 * The server runs in its own process (bench/api-server.ts, as `winnow serve` builds it). Each client loops over a
 * weighted mix of what the web app and scripts ask: grid pages (first and deep, by cursor), one sample with fresh
 * URLs, the sync job's status, dataset details, and a verify (five real probes) of a second dataset whose input
 * is a seeded s3rver. Two phases side by side: the catalog alone (the peer), then the same load while that second
 * dataset syncs over and over. It prints throughput, errors and p50/p99 per route for both, their ratio, the
 * server's RSS over time and the load average.
 */
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { DATASET_NAME, fillCatalog } from './api-catalog.js';
import { startApiServer, type RunningApiServer } from './api-load.js';
import { BUCKET, INPUT_PREFIX } from './bucket-layout.js';
import { cleanUpAll, cleanUpOnSignals } from './cleanup.js';
import { startSeededS3rver } from './seeded-s3rver.js';

interface Options {
  rows: number;
  clients: number;
  durationSeconds: number;
  dialect: 'sqlite' | 'postgres';
  syncObjects: number;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    return index === -1 ? undefined : argv[index + 1];
  };
  const quick = argv.includes('--quick');
  return {
    rows: Number(value('--rows') ?? (quick ? 100_000 : 1_000_000)),
    clients: Number(value('--clients') ?? 50),
    durationSeconds: Number(value('--duration') ?? (quick ? 20 : 60)),
    dialect: value('--dialect') === 'postgres' ? 'postgres' : 'sqlite',
    syncObjects: Number(value('--sync-objects') ?? (quick ? 5_000 : 20_000)),
  };
}

const LIVE = 'live-sync';
type Route = 'grid first page' | 'grid deep page' | 'sample' | 'sync status' | 'dataset' | 'verify';
/** Per 100 requests, about what a few people browsing and a script polling a job would send. */
const MIX: Array<[Route, number]> = [
  ['grid first page', 15],
  ['grid deep page', 40],
  ['sample', 25],
  ['sync status', 10],
  ['dataset', 9],
  ['verify', 1],
];

interface Measured {
  latencies: Map<Route, number[]>;
  errors: Map<Route, string[]>;
  requests: number;
  seconds: number;
}

async function main(): Promise<void> {
  cleanUpOnSignals();
  const options = parseOptions(process.argv.slice(2));
  console.log(
    `bench:load — ${options.rows.toLocaleString('en-US')} samples (${options.dialect}), ${options.clients} clients, ${options.durationSeconds} s per phase`,
  );
  console.log(
    `load average at start: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );

  const catalog = await fillCatalog(options.dialect, options.rows);
  console.log(`catalog filled in ${(catalog.insertMs / 1000).toFixed(1)} s`);
  const s3 = await startSeededS3rver(options.syncObjects);
  const server = await startApiServer('src', { ...catalog.env, WINNOW_API_ALLOW_PRIVATE_ENDPOINTS: 'true' });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${catalog.token}`, 'content-type': 'application/json' } });

  const created = await api('/api/datasets', {
    method: 'POST',
    body: JSON.stringify({
      name: LIVE,
      input: { uri: `s3://${BUCKET}/${INPUT_PREFIX}`, endpoint: s3.endpoint, pathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    }),
  });
  if (created.status !== 201) throw new Error(`creating the live dataset answered ${created.status}: ${await created.text()}`);
  const { cursors, keys } = await collectCursorsAndKeys(api);
  console.log(`collected ${cursors.length} deep cursors and ${keys.length} keys`);

  // A short unmeasured run first, so neither phase pays for the server's warm-up (JIT, caches, connections).
  await measure({ ...options, durationSeconds: Math.min(10, options.durationSeconds) }, api, cursors, keys, server, false);
  const quiet = await measure(options, api, cursors, keys, server, false);
  const syncing = await measure(options, api, cursors, keys, server, true);
  printReport(quiet, syncing);
  console.log(
    `load average at end: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );
  await api(`/api/datasets/${LIVE}/sync`, { method: 'DELETE' });
  await server.stop();
  await s3.stop();
  await catalog.remove();
}

/** Cursors from across the first 300,000 samples (pages of 1,000, no URLs) and keys to ask for one by one. */
async function collectCursorsAndKeys(api: (path: string) => Promise<Response>): Promise<{ cursors: string[]; keys: string[] }> {
  const cursors: string[] = [];
  const keys: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 300; page++) {
    const response = await api(`/api/datasets/${DATASET_NAME}/samples?limit=1000&urls=false${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    const body = (await response.json()) as { samples: Array<{ key: string }>; nextCursor: string | null };
    if (body.samples.length > 0) keys.push(body.samples[Math.floor(Math.random() * body.samples.length)]!.key);
    cursor = body.nextCursor;
    if (cursor === null) break;
    cursors.push(cursor);
  }
  return { cursors, keys };
}

async function measure(
  options: Options,
  api: (path: string, init?: RequestInit) => Promise<Response>,
  cursors: readonly string[],
  keys: readonly string[],
  server: RunningApiServer,
  withSync: boolean,
): Promise<Measured & { rss: Array<[number, number]>; syncs: number }> {
  const latencies = new Map<Route, number[]>(MIX.map(([route]) => [route, []]));
  const errors = new Map<Route, string[]>(MIX.map(([route]) => [route, []]));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
  const deadline = performance.now() + options.durationSeconds * 1000;
  const rss: Array<[number, number]> = [];
  const started = performance.now();
  let syncs = 0;
  let requests = 0;

  const sampler = setInterval(() => rss.push([(performance.now() - started) / 1000, rssMiB(server.pid)]), 5_000);
  // Keeps a sync of the live dataset running for the whole phase: a new one as soon as one ends.
  const syncLoop = async () => {
    while (withSync && performance.now() < deadline) {
      const job = ((await (await api(`/api/datasets/${LIVE}/sync`)).json()) as { job: { status: string } | null }).job;
      if (job?.status !== 'running') {
        await api(`/api/datasets/${LIVE}/sync`, { method: 'POST' });
        syncs++;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const request = (route: Route): [string, RequestInit?] => {
    switch (route) {
      case 'grid first page':
        return [`/api/datasets/${DATASET_NAME}/samples?limit=200`];
      case 'grid deep page':
        return [`/api/datasets/${DATASET_NAME}/samples?limit=200&cursor=${encodeURIComponent(pick(cursors))}`];
      case 'sample':
        return [`/api/datasets/${DATASET_NAME}/sample?key=${encodeURIComponent(pick(keys))}`];
      case 'sync status':
        return [`/api/datasets/${LIVE}/sync`];
      case 'dataset':
        return [`/api/datasets/${pick([DATASET_NAME, LIVE])}`];
      case 'verify':
        return [`/api/datasets/${LIVE}/verify`, { method: 'POST' }];
    }
  };
  const weighted = MIX.flatMap(([route, weight]) => Array.from({ length: weight }, () => route));
  const client = async () => {
    while (performance.now() < deadline) {
      const route = pick(weighted);
      const [path, init] = request(route);
      const sent = performance.now();
      try {
        const response = await api(path, init);
        await response.arrayBuffer();
        if (response.status >= 400) errors.get(route)!.push(`${response.status}`);
        else latencies.get(route)!.push(performance.now() - sent);
      } catch (error) {
        // fetch says only "fetch failed"; the cause names the socket error (ECONNRESET, a timeout, …).
        const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
        errors.get(route)!.push(`${(error as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`);
      }
      requests++;
    }
  };
  await Promise.all([syncLoop(), ...Array.from({ length: options.clients }, client)]);
  clearInterval(sampler);
  rss.push([(performance.now() - started) / 1000, rssMiB(server.pid)]);
  return { latencies, errors, requests, seconds: (performance.now() - started) / 1000, rss, syncs };
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(/\d+/.exec(line ?? '')?.[0] ?? 0) / 1024;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function printReport(quiet: Measured & { rss: Array<[number, number]> }, syncing: Measured & { rss: Array<[number, number]>; syncs: number }): void {
  const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(1));
  const rows = [['route', 'req/s quiet', 'req/s syncing', 'p50 quiet', 'p50 syncing', 'p99 quiet', 'p99 syncing', 'p99 ratio', 'errors']];
  for (const [route] of MIX) {
    const [a, b] = [quiet, syncing].map((phase) => [...phase.latencies.get(route)!].sort((x, y) => x - y));
    rows.push([
      route,
      (a!.length / quiet.seconds).toFixed(0),
      (b!.length / syncing.seconds).toFixed(0),
      ms(percentile(a!, 50)),
      ms(percentile(b!, 50)),
      ms(percentile(a!, 99)),
      ms(percentile(b!, 99)),
      (percentile(b!, 99) / percentile(a!, 99)).toFixed(2),
      `${quiet.errors.get(route)!.length} / ${syncing.errors.get(route)!.length}`,
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
  console.log(
    `total: ${(quiet.requests / quiet.seconds).toFixed(0)} req/s quiet, ${(syncing.requests / syncing.seconds).toFixed(0)} req/s while syncing (${syncing.syncs} syncs started); latencies in ms`,
  );
  const errorSamples = [...quiet.errors, ...syncing.errors].flatMap(([route, list]) => list.slice(0, 3).map((error) => `${route}: ${error}`));
  if (errorSamples.length > 0) console.log(`errors (first of each route): ${errorSamples.join('; ')}`);
  console.log(`server RSS (MiB) over time, quiet:   ${quiet.rss.map(([t, mib]) => `${t.toFixed(0)}s ${mib.toFixed(0)}`).join(', ')}`);
  console.log(`server RSS (MiB) over time, syncing: ${syncing.rss.map(([t, mib]) => `${t.toFixed(0)}s ${mib.toFixed(0)}`).join(', ')}`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanUpAll());
