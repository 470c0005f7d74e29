/**
 * Where one grid request's time goes, one request at a time and without HTTP: the whole route
 * through Hono's `app.request`, and each stage on its own (auth, the page query, presigning 200
 * keys, JSON). Under closed-loop load a single-threaded server answers in about
 * connections x (time per request), so these costs predict the latencies wrk measures.
 */
import { createHash } from 'node:crypto';
import { createApp } from '../src/api/app.js';
import { findApiTokenByHash } from '../src/auth/token.repository.js';
import { authenticateToken } from '../src/auth/token.service.js';
import { browseSamples } from '../src/catalog/sample-browse.service.js';
import { loadConfig } from '../src/config/config.js';
import { createContext } from '../src/context.js';
import { createDatasetStoreCache } from '../src/datasources/store-cache.js';
import { createSyncJobs } from '../src/jobs/sync-jobs.js';
import { DATASET_NAME } from './api-catalog.js';
import { presignPeerStores, type PresignPeer } from './api-presign-peers.js';
import { samplesPath } from './api-load.js';
import { BENCH_PREFIX } from './api-presign.js';
import type { CatalogDialect } from './winnow-cli.js';

export interface StageCost {
  stage: string;
  /** Mean milliseconds per request (per page of 200 for the presigning stages). */
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

async function measure(stage: string, cursors: readonly string[], run: (cursor: string) => Promise<unknown>): Promise<StageCost> {
  for (const cursor of cursors.slice(0, 5)) await run(cursor);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let iterations = 0;
  while (iterations < ITERATIONS && (iterations < MIN_ITERATIONS || performance.now() - started < STAGE_BUDGET_MS)) await run(cursors[iterations++ % cursors.length]!);
  const cpu = process.cpuUsage(cpuBefore);
  return { stage, ms: (performance.now() - started) / iterations, cpuMs: (cpu.user + cpu.system) / 1000 / iterations };
}

export async function measureRouteBreakdown(dialect: CatalogDialect, env: Record<string, string>, token: string, cursors: readonly string[], pageSize: number): Promise<RouteBreakdown> {
  const context = await createContext(loadConfig({}, env));
  try {
    const stores = createDatasetStoreCache(context);
    const app = createApp({ context, syncJobs: createSyncJobs(context), stores, signIn: undefined, urlTtlSeconds: context.config.urlTtlSeconds, publicOrigin: () => '', webRoot: undefined });
    const headers = { authorization: `Bearer ${token}` };
    const route = async (urls: boolean, cursor: string) => {
      const response = await app.request(samplesPath(`limit=${pageSize}&sort=key`, urls, cursor), { headers });
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      return response.text();
    };
    const browse = (cursor: string) => browseSamples(context, DATASET_NAME, { limit: pageSize, cursor, sort: 'key', order: 'asc' });
    const { stores: datasetStores } = await stores.get(DATASET_NAME);
    const peerStore = async (peer: PresignPeer) => (await presignPeerStores(context, createDatasetStoreCache(context), peer).get(DATASET_NAME)).stores.input.store;
    const perCall = await peerStore({ kind: 'get-signed-url-per-call' });
    const fast = await peerStore({ kind: 'fast' });
    const cached = await peerStore({ kind: 'fast-cached', windowSeconds: 3_600 });
    const page = await browse(cursors[0]!);
    const keys = page.samples.map((sample) => `${BENCH_PREFIX}${sample.key}`);
    const withUrls = { samples: await Promise.all(page.samples.map(async (sample) => ({ ...sample, url: await datasetStores.input.store.presignGet(`${BENCH_PREFIX}${sample.key}`, 900) }))), nextCursor: page.nextCursor };
    const stages: StageCost[] = [
      await measure('route in-process, urls=false (app.request)', cursors, (cursor) => route(false, cursor)),
      await measure('route in-process, urls=true (app.request)', cursors, (cursor) => route(true, cursor)),
      await measure('  auth: authenticateToken (hash, select, update)', cursors, () => authenticateToken(context, token)),
      await measure('  auth without the last_used_at update (select only)', cursors, () => findApiTokenByHash(context.database.db, createHash('sha256').update(token).digest('hex'))),
      await measure('  browseSamples (dataset + page query + views)', cursors, browse),
      await measure(`  presign ${keys.length} keys: store.presignGet (src)`, cursors, () => Promise.all(keys.map((key) => datasetStores.input.store.presignGet(key, 900)))),
      await measure(`  presign ${keys.length} keys: getSignedUrl per call (peer)`, cursors, () => Promise.all(keys.map((key) => perCall.presignGet(key, 900)))),
      await measure(`  presign ${keys.length} keys: fast presigner (bench)`, cursors, () => Promise.all(keys.map((key) => fast.presignGet(key, 900)))),
      await measure(`  presign ${keys.length} keys: fast+cache, warm (bench)`, cursors, () => Promise.all(keys.map((key) => cached.presignGet(key, 900)))),
      await measure('  JSON.stringify of the page with URLs', cursors, async () => JSON.stringify(withUrls)),
    ];
    return { dialect, iterations: ITERATIONS, stages };
  } finally {
    await context.close();
  }
}
