/**
 * The server under load, in its own process (so the bench's own heap and the load tool stay out
 * of its profile). Reads the catalog from WINNOW_* like `winnow serve`, prints `READY <url>`.
 *
 * WINNOW_PAGE_CACHE_MB=0 turns the samples route's page cache off, as for `winnow serve`.
 * On SIGUSR2 it prints `STATS <json>`: what it saw since the last SIGUSR2 (bench/api-server-stats.ts).
 *
 *   node --import tsx bench/api-server.ts src            # startServer as src has it
 *   node --import tsx bench/api-server.ts get-signed-url # the same app, a getSignedUrl per URL (the peer)
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/api/app.js';
import { startServer } from '../src/api/server.js';
import { loadConfig } from '../src/config/config.js';
import { createContext } from '../src/context.js';
import { createDatasetStoreCache } from '../src/workflows/dataset-store-cache.js';
import { createDatasetRowCache } from '../src/catalog/dataset-row-cache.js';
import { createSyncJobs } from '../src/jobs/sync-jobs.js';
import { createEmbedJobs } from '../src/jobs/embed-jobs.js';
import { getSignedUrlPerCallStores } from './api-presign-peers.js';
import { recordServerStats } from './api-server-stats.js';

export type ServerVariant = 'src' | 'get-signed-url';

async function main(): Promise<void> {
  const variant = process.argv[2] as ServerVariant;
  const stats = recordServerStats();
  process.on('SIGUSR2', () => process.stdout.write(`STATS ${JSON.stringify(stats.take())}\n`));
  const context = await createContext(loadConfig({}, { ...process.env, WINNOW_PORT: '0' }));
  let url: string;
  let close: () => Promise<void>;
  if (variant === 'src') {
    const server = await startServer(context);
    url = server.url;
    close = () => server.close();
  } else {
    // As startServer wires it, with only the store cache replaced.
    const app = createApp({
      context,
      syncJobs: createSyncJobs(context),
      embedJobs: createEmbedJobs(context),
      stores: getSignedUrlPerCallStores(context, createDatasetStoreCache(context)),
      datasetRows: createDatasetRowCache(context),
      signIn: undefined,
      urlTtlSeconds: context.config.urlTtlSeconds,
      publicOrigin: (origin) => origin ?? '',
      webRoot: undefined,
    });
    const server = serve({ fetch: app.fetch, hostname: context.config.serveHost, port: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    url = `http://${context.config.serveHost}:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  }
  process.stdout.write(`READY ${url}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await close();
  await context.close();
  // --cpu-prof writes its profile on a normal exit.
  process.exit(0);
}

await main();
