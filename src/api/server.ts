import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createSignInLink } from '../auth/token.service.js';
import { createDatasetRowCache } from '../catalog/dataset-row-cache.js';
import type { Context } from '../context.js';
import { createDatasetStoreCache } from '../workflows/dataset-store-cache.js';
import { createQueuedEmbedJobs, createQueuedSyncJobs } from '../jobs/queued-dataset-jobs.js';
import { winnowJobHandlers } from '../jobs/winnow-jobs.js';
import { apiAccessRules } from '../datasources/access-rules.js';
import { createApp } from './app.js';
import { isLoopbackBind } from './request-guards.js';

export interface RunningServer {
  url: string;
  /** Why this bind needs care (reachable from other machines over plain HTTP), or undefined. */
  exposureWarning: string | undefined;
  signInUrl: string;
  /** Whether the built web app is being served (else the API only). */
  servesWebApp: boolean;
  close(): Promise<void>;
}

const DEFAULT_WEB_ROOT = resolve(import.meta.dirname, '../web');

/**
 * Starts the API and web app in this process. Its syncs and embedding runs go to the job queue: with
 * the embedded default, the in-process queue this process works; on PostgreSQL, pg-boss, which this
 * process also works unless `worker` is false (then `winnow worker` processes run them).
 */
export async function startServer(processContext: Context, options: { webRoot?: string; worker?: boolean } = {}): Promise<RunningServer> {
  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  const servesWebApp = existsSync(resolve(webRoot, 'index.html'));
  // Everything this process does for an API request follows the API's rules (local roots, endpoints).
  const context: Context = { ...processContext, access: apiAccessRules(processContext.config) };
  const signIn = createSignInLink();
  // Both dialects queue their syncs and embedding runs, so the jobs view lists them; the embedded
  // default's in-process queue has no other worker than this process.
  const queue = await context.jobs();
  if (options.worker !== false || queue.kind === 'in-process') await queue.work(winnowJobHandlers(context, queue), { concurrency: 1 });
  const syncJobs = createQueuedSyncJobs(queue);
  const embedJobs = createQueuedEmbedJobs(queue);
  const datasetRows = createDatasetRowCache(context);
  let origin = '';
  const app = createApp({
    context,
    syncJobs,
    embedJobs,
    stores: createDatasetStoreCache(context),
    datasetRows,
    signIn,
    urlTtlSeconds: context.config.urlTtlSeconds,
    publicOrigin: (requestOrigin) => requestOrigin ?? origin,
    webRoot: servesWebApp ? webRoot : undefined,
  });
  const server = serve({ fetch: app.fetch, hostname: context.config.serveHost, port: context.config.servePort });
  await new Promise<void>((resolveListening, reject) => {
    server.once('listening', resolveListening);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = context.config.serveHost.includes(':') ? `[${context.config.serveHost}]` : context.config.serveHost;
  origin = `http://${host}:${port}`;
  return {
    url: origin,
    exposureWarning: isLoopbackBind(context.config.serveHost)
      ? undefined
      : `Winnow listens on ${context.config.serveHost}, reachable from other machines, over plain HTTP: tokens, session cookies and presigned URLs cross the network unencrypted. Put a TLS-terminating reverse proxy in front (and list its host name in WINNOW_ALLOWED_HOSTS), or bind to 127.0.0.1.`,
    signInUrl: `${origin}/login?token=${signIn.secret}`,
    servesWebApp,
    close: async () => {
      await new Promise<void>((resolveClosed) => server.close(() => resolveClosed()));
      await datasetRows.close();
    },
  };
}
