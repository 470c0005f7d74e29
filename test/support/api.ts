import { createApiToken, type SignInLink } from '../../src/auth/token.service.js';
import { createDatasetRowCache } from '../../src/catalog/dataset-row-cache.js';
import type { Context } from '../../src/context.js';
import { apiAccessRules } from '../../src/datasources/access-rules.js';
import { createDatasetStoreCache } from '../../src/workflows/dataset-store-cache.js';
import { createSyncJobs, type SyncJobs } from '../../src/jobs/sync-jobs.js';
import { createEmbedJobs } from '../../src/jobs/embed-jobs.js';
import { createApp } from '../../src/api/app.js';
import { createTestContext } from './context.js';

export interface TestApi {
  context: Context & { drop(): Promise<void> };
  app: ReturnType<typeof createApp>;
  jobs: SyncJobs;
  /** A valid API token. */
  token: string;
  /** A request with the token and a JSON content type, as a script would send it. */
  request(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * The API as `winnow serve` builds it (the API's access rules, on a fresh SQLite catalog), called
 * without a listening server; `settings` are WINNOW_* variables (e.g. WINNOW_LOCAL_ROOTS).
 */
export async function createTestApi(settings: Record<string, string> = {}, signIn?: Pick<SignInLink, 'consume'>): Promise<TestApi> {
  const base = await createTestContext('sqlite', settings);
  const context = { ...base, access: apiAccessRules(base.config) };
  const jobs = createSyncJobs(context);
  const app = createApp({
    context,
    syncJobs: jobs,
    embedJobs: createEmbedJobs(context),
    stores: createDatasetStoreCache(context),
    datasetRows: createDatasetRowCache(context),
    signIn,
    urlTtlSeconds: 900,
    publicOrigin: () => 'http://127.0.0.1:8080',
    webRoot: undefined,
  });
  const token = (await createApiToken(context, 'tests')).token;
  const request = async (path: string, init: RequestInit = {}) =>
    app.request(path, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    });
  return { context, app, jobs, token, request };
}
