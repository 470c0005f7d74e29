/**
 * API benchmark: a grid page of 200 samples (GET /api/datasets/{name}/samples) from a catalog
 * of 1,000,000 samples, with presigned URLs and, in the same run, without; first pages, deep
 * keyset pages and a filter, on SQLite and PostgreSQL, under wrk at 20 connections; src with
 * its page cache warm and off, against the peer, a getSignedUrl per URL. Plus presigning
 * throughput in one process against getSignedUrl per call and the raw SigV4 signer.
 *
 *   npm run bench:api                          # 1,000,000 rows, 15 s per load run (~35 min)
 *   npm run bench:api -- --quick               # 100,000 rows, 5 s per run
 *   npm run bench:api -- --rows 300000 --duration 10 --dialect sqlite --profile
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { fillCatalog } from './api-catalog.js';
import { measureRouteBreakdown } from './api-breakdown.js';
import { checkPage, runWrk, samplesPath, startApiServer, walkCursors, type LoadOptions, type RunningApiServer } from './api-load.js';
import { explainPagePlans } from './api-pg-plans.js';
import { sampleWaits } from './api-pg-waits.js';
import { measurePresigning } from './api-presign.js';
import {
  loadRun,
  printBreakdown,
  printPagePlans,
  printLoadRun,
  printPostgresWaits,
  printPresigning,
  printTable,
  summaryTable,
  writeResultsJson,
  type ApiBenchResults,
  type CatalogFigures,
  type LoadRun,
  type UrlVariant,
  type WarmPageCache,
} from './api-report.js';
import { seededRandom } from '../src/selection/seeded-random.js';
import type { ServerVariant } from './api-server.js';
import { cleanUpAll, cleanUpOnSignals, makeTempDir } from './cleanup.js';
import type { CatalogDialect } from './winnow-cli.js';

const PAGE_SIZE = 200;
const CURSORS_KEPT = 500;
const WARM_UP_SECONDS = 3;

interface Settings {
  rows: number;
  durationSeconds: number;
  connections: number;
  threads: number;
  dialects: CatalogDialect[];
  presignKeys: number;
  profile: boolean;
}

function parseArgs(argv: readonly string[]): Settings {
  const settings: Settings = {
    rows: 1_000_000,
    durationSeconds: 15,
    connections: 20,
    threads: 2,
    dialects: ['sqlite', 'postgres'],
    presignKeys: 200_000,
    profile: false,
  };
  const number = (flag: string, value: string | undefined, min: number): number => {
    const parsed = Number(value?.replaceAll('_', ''));
    if (!Number.isInteger(parsed) || parsed < min) throw new Error(`${flag} needs an integer of at least ${min}, got "${value}"`);
    return parsed;
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]!;
    const value = argv[index + 1];
    if (flag === '--quick') Object.assign(settings, { rows: 100_000, durationSeconds: 5, presignKeys: 20_000 });
    else if (flag === '--profile') settings.profile = true;
    else if (flag === '--rows') settings.rows = number(flag, value, 10_000);
    else if (flag === '--duration') settings.durationSeconds = number(flag, value, 1);
    else if (flag === '--connections') settings.connections = number(flag, value, 1);
    else if (flag === '--presign-keys') settings.presignKeys = number(flag, value, 0);
    else if (flag === '--dialect' && (value === 'sqlite' || value === 'postgres')) settings.dialects = [value];
    else throw new Error(`unknown argument "${flag}" (see the top of bench/api.ts)`);
    if (flag !== '--quick' && flag !== '--profile') index++;
  }
  return settings;
}

/** `count` items of `items`, picked without replacement by a seeded shuffle. */
function sample<T>(items: readonly T[], count: number, seed: number): T[] {
  const next = seededRandom(seed);
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(next() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy.slice(0, count);
}

interface Scenario {
  name: string;
  paths: (urls: boolean) => string[];
}

type ServerName = 'src' | 'src, page cache off' | 'getSignedUrl/call';

/** The servers under load, side by side; `pageCache: false` starts them with WINNOW_PAGE_CACHE_MB=0. */
const SERVERS: Record<ServerName, { variant: ServerVariant; pageCache: boolean }> = {
  src: { variant: 'src', pageCache: true },
  'src, page cache off': { variant: 'src', pageCache: false },
  // What src did before: a getSignedUrl per URL and no page cache.
  'getSignedUrl/call': { variant: 'get-signed-url', pageCache: false },
};

/**
 * What each timed run sends and to which server; a scenario's runs follow each other directly.
 * urls=false goes to the server without a page cache, so every ratio is against building a page.
 */
const RUNS: ReadonlyArray<{ variant: UrlVariant; server: ServerName; urls: boolean }> = [
  { variant: 'urls=false, page cache off', server: 'src, page cache off', urls: false },
  { variant: 'urls=true, page cache warm', server: 'src', urls: true },
  { variant: 'urls=true, page cache off', server: 'src, page cache off', urls: true },
  { variant: 'urls=true getSignedUrl/call', server: 'getSignedUrl/call', urls: true },
];

/** Serves every path once, so that a run with the page cache on measures what it does for pages asked for before. */
async function fillPageCache(server: RunningApiServer, token: string, paths: readonly string[], urls: boolean, cacheMiB: number): Promise<WarmPageCache> {
  const distinct = [...new Set(paths)];
  let bytes = 0;
  for (const path of distinct) bytes += (await checkPage(server, token, path, PAGE_SIZE, urls)).bytes;
  return { distinctPaths: distinct.length, pagesMiB: bytes / 2 ** 20, cacheMiB };
}

async function loadScenarios(
  dialect: CatalogDialect,
  servers: Record<ServerName, RunningApiServer>,
  token: string,
  scenarios: readonly Scenario[],
  options: LoadOptions & { databaseUrl: string | undefined; pageCacheMb: number },
  results: LoadRun[],
): Promise<void> {
  for (const scenario of scenarios) {
    for (const { variant, server: serverName, urls } of RUNS) {
      const server = servers[serverName];
      const paths = scenario.paths(urls);
      await checkPage(server, token, paths[0]!, PAGE_SIZE, urls);
      const pageCache = SERVERS[serverName].pageCache ? await fillPageCache(server, token, paths, urls, options.pageCacheMb) : undefined;
      // A warm page cache never reaches the catalog, and on 2 cores the sampler's own CPU would show in that run's tail.
      const waits = options.databaseUrl === undefined || pageCache !== undefined ? undefined : await sampleWaits(options.databaseUrl);
      const wrk = await runWrk(server, token, paths, options);
      const baseline = results.find((run) => run.dialect === dialect && run.scenario === scenario.name && run.variant === 'urls=false, page cache off');
      const run = loadRun(dialect, scenario.name, variant, wrk, baseline, pageCache);
      if (waits) run.postgresWaits = (await waits.stop()).busy;
      printLoadRun(run);
      if (run.postgresWaits) printPostgresWaits(run.postgresWaits);
      results.push(run);
    }
  }
}

async function benchDialect(
  dialect: CatalogDialect,
  settings: Settings,
  workDir: string,
  profileDir: string | undefined,
  results: ApiBenchResults,
): Promise<void> {
  console.log(`\n[${dialect}] filling the catalog with ${settings.rows.toLocaleString('en-US')} samples...`);
  const catalog = await fillCatalog(dialect, settings.rows);
  console.log(
    `  inserted in ${(catalog.insertMs / 1000).toFixed(1)} s: ${Math.round(catalog.rowsPerSecond).toLocaleString('en-US')} rows/s (${catalog.insertMethod})${catalog.analyzeMs > 0 ? `; vacuum analyze + checkpoint ${(catalog.analyzeMs / 1000).toFixed(1)} s` : ''}`,
  );
  const figures: CatalogFigures = {
    dialect,
    rows: catalog.rows,
    liveRows: catalog.liveRows,
    insertMethod: catalog.insertMethod,
    insertMs: catalog.insertMs,
    rowsPerSecond: catalog.rowsPerSecond,
    analyzeMs: catalog.analyzeMs,
    walks: [],
  };
  results.catalogs.push(figures);
  const options = {
    connections: settings.connections,
    threads: settings.threads,
    durationSeconds: settings.durationSeconds,
    workDir,
    databaseUrl: catalog.env.WINNOW_DATABASE_URL,
    // What the server process reads: the bench's own environment with the catalog's on top.
    pageCacheMb: loadConfig({}, { ...process.env, ...catalog.env }).pageCacheMb,
  };

  // All three servers run side by side (an idle one costs nothing), so a scenario's runs follow each other directly.
  const start = (name: ServerName) =>
    startApiServer(SERVERS[name].variant, { ...catalog.env, ...(SERVERS[name].pageCache ? {} : { WINNOW_PAGE_CACHE_MB: '0' }) }, profileDir);
  const servers: Record<ServerName, RunningApiServer> = {
    src: await start('src'),
    'src, page cache off': await start('src, page cache off'),
    'getSignedUrl/call': await start('getSignedUrl/call'),
  };
  const base = `limit=${PAGE_SIZE}&sort=key`;
  const all = await walkCursors(servers['src, page cache off'], catalog.token, 'sort=key');
  const png = await walkCursors(servers['src, page cache off'], catalog.token, 'sort=key&extension=png');
  for (const [walk, expected] of [
    [all, catalog.liveRows],
    [png, catalog.pngLiveRows],
  ] as const) {
    if (walk.rows !== expected) throw new Error(`walking ${walk.query} returned ${walk.rows} samples, the catalog has ${expected}`);
    console.log(
      `  keyset walk ${walk.query}: ${walk.rows.toLocaleString('en-US')} samples in ${walk.pages} pages of 1,000, ${(walk.ms / 1000).toFixed(1)} s (${Math.round(walk.rows / (walk.ms / 1000)).toLocaleString('en-US')} samples/s)`,
    );
    figures.walks.push({ query: walk.query, pages: walk.pages, rows: walk.rows, ms: walk.ms, cursorsKept: Math.min(CURSORS_KEPT, walk.cursors.length - 1) });
  }
  // The last cursor of a walk can leave fewer than a page; every other one leaves at least 1,000 samples.
  const deepCursors = sample(all.cursors.slice(0, -1), CURSORS_KEPT, 11);
  const pngCursors = sample(png.cursors.slice(0, -1), CURSORS_KEPT, 13);
  const scenarios: Scenario[] = [
    { name: 'first page', paths: (urls) => [samplesPath(base, urls)] },
    { name: 'deep pages', paths: (urls) => deepCursors.map((cursor) => samplesPath(base, urls, cursor)) },
    { name: 'extension=png, deep', paths: (urls) => pngCursors.map((cursor) => samplesPath(`${base}&extension=png`, urls, cursor)) },
  ];

  // JIT, statement caches, URL caches and connection pools warm before the first timed run.
  const everyPath = (urls: boolean) => scenarios.flatMap((scenario) => scenario.paths(urls));
  for (const { server, urls } of RUNS) await runWrk(servers[server], catalog.token, everyPath(urls), { ...options, durationSeconds: WARM_UP_SECONDS });

  console.log(
    `  wrk: ${settings.connections} connections, ${settings.threads} threads, ${settings.durationSeconds} s per run, ${PAGE_SIZE} samples a page; deep runs pick one of ${deepCursors.length} cursors (png: ${pngCursors.length}) per request`,
  );
  console.log(
    `  'page cache warm' figures are of pages asked for before: each of the run's paths is served once just before it; 'page cache off' builds every page (query, URLs from the store's URL cache or signed, JSON), and urls=false is measured there too`,
  );
  await loadScenarios(dialect, servers, catalog.token, scenarios, options, results.load);
  for (const server of Object.values(servers)) await server.stop();

  if (catalog.env.WINNOW_DATABASE_URL !== undefined) {
    const plans = await explainPagePlans(catalog.env.WINNOW_DATABASE_URL, [undefined, 'png'], [0, 0.5, 0.9], [PAGE_SIZE, 1_000]);
    printPagePlans(plans);
    results.pagePlans.push(...plans);
  }
  const breakdown = await measureRouteBreakdown(dialect, catalog.env, catalog.token, deepCursors, PAGE_SIZE);
  printBreakdown(breakdown);
  results.breakdowns.push(breakdown);
  await catalog.remove();
}

function describeEnvironment(): Record<string, string | number> {
  const run = (command: string, ...args: string[]): string => {
    try {
      return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch (error) {
      return `unknown (${(error as Error).message.split('\n')[0]})`;
    }
  };
  return {
    node: process.version,
    wrk: run('dpkg-query', '-W', '-f', '${Version}', 'wrk'),
    postgres: run('psql', '-X', '-A', '-t', '-h', '127.0.0.1', '-U', 'postgres', '-c', 'show server_version'),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    commit: run('git', 'rev-parse', '--short', 'HEAD'),
    uncommittedFiles: run('git', 'status', '--porcelain').split('\n').filter(Boolean).length,
    loadAverageAtStart: Number(loadavg()[0]!.toFixed(2)),
  };
}

async function main(): Promise<void> {
  const settings = parseArgs(process.argv.slice(2));
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  cleanUpOnSignals();
  const results: ApiBenchResults = {
    startedAt: new Date().toISOString(),
    command: `npm run bench:api${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    environment: describeEnvironment(),
    settings: {
      rows: settings.rows,
      connections: settings.connections,
      threads: settings.threads,
      durationSeconds: settings.durationSeconds,
      pageSize: PAGE_SIZE,
      presignKeys: settings.presignKeys,
    },
    presigning: undefined,
    catalogs: [],
    breakdowns: [],
    pagePlans: [],
    load: [],
  };
  console.log(`winnow API bench: ${settings.rows.toLocaleString('en-US')} samples, ${settings.dialects.join(' + ')}, ${results.environment.cpus} CPUs`);
  const [lastMinute] = loadavg();
  if (lastMinute! > 0.5)
    console.log(`note: load average ${lastMinute!.toFixed(2)} before starting; on ${results.environment.cpus} CPUs other work shows up directly in latencies`);

  if (settings.presignKeys > 0) {
    results.presigning = await measurePresigning(settings.presignKeys, 2_000);
    printPresigning(results.presigning);
  }
  const workDir = await makeTempDir('winnow-bench-api-wrk-');
  // Profiles outlive the run (they are what --profile is for), so they are not cleaned up.
  const profileDir = settings.profile ? await mkdtemp(join(tmpdir(), 'winnow-api-profile-')) : undefined;
  for (const dialect of settings.dialects) await benchDialect(dialect, settings, workDir.path, profileDir, results);

  results.environment.loadAverageAtEnd = Number(loadavg()[0]!.toFixed(2));
  printTable(summaryTable(results));
  if (profileDir !== undefined) console.log(`\nserver CPU profiles (one per server process): ${profileDir}`);
  console.log(`\nwritten to ${writeResultsJson(results)}`);
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  await cleanUpAll();
}
