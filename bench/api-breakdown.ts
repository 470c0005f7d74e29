/**
 * Where one grid request's time goes, one request at a time and without HTTP: the whole route
 * through Hono's `app.request`, with the page cache warm and off, and each stage on its own
 * (auth, the page query, presigning 200 keys, JSON). Under closed-loop load a single-threaded
 * server answers in about connections x (time per request), so these costs predict the
 * latencies wrk measures.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createApp } from '../src/api/app.js';
import { authenticateToken } from '../src/auth/token.service.js';
import { requireDatasetRow } from '../src/catalog/dataset.service.js';
import { browseSamples } from '../src/catalog/sample-browse.service.js';
import { loadConfig } from '../src/config/config.js';
import { createContext, type Context } from '../src/context.js';
import { createDatasetStoreCache } from '../src/workflows/dataset-store-cache.js';
import { createDatasetRowCache } from '../src/catalog/dataset-row-cache.js';
import { createSyncJobs } from '../src/jobs/sync-jobs.js';
import { createEmbedJobs } from '../src/jobs/embed-jobs.js';
import { DATASET_NAME } from './api-catalog.js';
import { getSignedUrlPerCallStores } from './api-presign-peers.js';
import { samplesPath } from './api-load.js';
import { BENCH_PREFIX } from './api-presign.js';
import type { CatalogDialect } from './winnow-cli.js';

export interface StageCost {
  stage: string;
  /** Requests (pages of 200 for the presigning stages) timed. */
  iterations: number;
  /** Mean milliseconds per request. */
  ms: number;
  /** Mean CPU milliseconds of this process (PostgreSQL's own work is in its processes, not here). */
  cpuMs: number;
}

export interface RouteBreakdown {
  dialect: CatalogDialect;
  /** At most this many requests per stage (slow stages stop after a few seconds). */
  iterations: number;
  stages: StageCost[];
}

const ITERATIONS = 200;
/** Slow stages stop early: at least MIN_ITERATIONS, then until this much time has passed. */
const STAGE_BUDGET_MS = 4_000;
const MIN_ITERATIONS = 10;
const WARM_UP_CURSORS = 5;

interface Cursors {
  /** Run before timing; never timed. */
  warmUp: readonly string[];
  timed: readonly string[];
}

/** With `fresh`, no timed cursor is run twice: each request is for a page the stage has not asked for before. */
async function measure(stage: string, cursors: Cursors, run: (cursor: string) => Promise<unknown>, fresh = false): Promise<StageCost> {
  for (const cursor of cursors.warmUp) await run(cursor);
  const limit = fresh ? Math.min(ITERATIONS, cursors.timed.length) : ITERATIONS;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let iterations = 0;
  while (iterations < limit && (iterations < MIN_ITERATIONS || performance.now() - started < STAGE_BUDGET_MS))
    await run(cursors.timed[iterations++ % cursors.timed.length]!);
  const cpu = process.cpuUsage(cpuBefore);
  return { stage, iterations, ms: (performance.now() - started) / iterations, cpuMs: (cpu.user + cpu.system) / 1000 / iterations };
}

function appOf(context: Context): OpenAPIHono {
  return createApp({
    context,
    syncJobs: createSyncJobs(context),
    embedJobs: createEmbedJobs(context),
    stores: createDatasetStoreCache(context),
    datasetRows: createDatasetRowCache(context),
    signIn: undefined,
    urlTtlSeconds: context.config.urlTtlSeconds,
    publicOrigin: () => '',
    webRoot: undefined,
  });
}

export async function measureRouteBreakdown(
  dialect: CatalogDialect,
  env: Record<string, string>,
  token: string,
  deepCursors: readonly string[],
  pageSize: number,
): Promise<RouteBreakdown> {
  const context = await createContext(loadConfig({}, env));
  const uncachedContext = await createContext(loadConfig({}, { ...env, WINNOW_PAGE_CACHE_MB: '0' }));
  try {
    const app = appOf(context);
    const uncachedApp = appOf(uncachedContext);
    const headers = { authorization: `Bearer ${token}` };
    const route = (target: OpenAPIHono, urls: boolean) => async (cursor: string) => {
      const response = await target.request(samplesPath(`limit=${pageSize}&sort=key`, urls, cursor), { headers });
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      return response.text();
    };
    const browse = async (cursor: string) =>
      browseSamples(context, await requireDatasetRow(context, DATASET_NAME), { limit: pageSize, cursor, sort: 'key', order: 'asc' });
    const cursors: Cursors = { warmUp: deepCursors.slice(0, WARM_UP_CURSORS), timed: deepCursors.slice(WARM_UP_CURSORS, WARM_UP_CURSORS + ITERATIONS) };
    const pageKeys = new Map<string, string[]>();
    for (const cursor of [...cursors.warmUp, ...cursors.timed])
      pageKeys.set(
        cursor,
        (await browse(cursor)).samples.map((sample) => `${BENCH_PREFIX}${sample.key}`),
      );
    const keysOf = (cursor: string) => pageKeys.get(cursor)!;
    // A store of its own, so the timed pages' keys are new to its URL cache.
    const { stores } = await createDatasetStoreCache(context).get(DATASET_NAME);
    const { stores: perCallStores } = await getSignedUrlPerCallStores(context, createDatasetStoreCache(context)).get(DATASET_NAME);
    const presign = (store: typeof stores.input.store) => (cursor: string) => Promise.all(keysOf(cursor).map((key) => store.presignGet(key, 900)));
    const askForEvery = async (run: (cursor: string) => Promise<unknown>) => {
      for (const cursor of cursors.timed) await run(cursor);
    };
    const size = keysOf(cursors.timed[0]!).length;

    const stages: StageCost[] = [];
    stages.push(await measure('route in-process, urls=false, page cache off', cursors, route(uncachedApp, false)));
    stages.push(await measure('route in-process, urls=true, page cache off, new pages', cursors, route(uncachedApp, true), true));
    await askForEvery(route(uncachedApp, true));
    stages.push(await measure('route in-process, urls=true, page cache off, URLs cached', cursors, route(uncachedApp, true)));
    await askForEvery(route(app, true));
    stages.push(await measure('route in-process, urls=true, page cache warm', cursors, route(app, true)));
    stages.push(await measure('  auth: authenticateToken', cursors, () => authenticateToken(context, token)));
    stages.push(await measure('  requireDatasetRow + browseSamples', cursors, browse));
    stages.push(await measure(`  presign ${size} keys: store.presignGet, new keys`, cursors, presign(stores.input.store), true));
    await askForEvery(presign(stores.input.store));
    stages.push(await measure(`  presign ${size} keys: store.presignGet, keys seen before`, cursors, presign(stores.input.store)));
    stages.push(await measure(`  presign ${size} keys: getSignedUrl per call (peer)`, cursors, presign(perCallStores.input.store)));
    const withUrls: unknown = JSON.parse(await route(app, true)(cursors.timed[0]!));
    stages.push(await measure('  JSON.stringify of the page with URLs', cursors, async () => JSON.stringify(withUrls)));
    return { dialect, iterations: ITERATIONS, stages };
  } finally {
    await uncachedContext.close();
    await context.close();
  }
}
