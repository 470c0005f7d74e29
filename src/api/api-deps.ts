import type { Hook } from '@hono/zod-openapi';
import type { Env } from 'hono';
import type { SignInLink } from '../auth/token.service.js';
import type { DatasetRowCache } from '../catalog/dataset-row-cache.js';
import type { Context } from '../context.js';
import type { EmbedJobs } from '../jobs/embed-jobs.js';
import type { SyncJobs } from '../jobs/sync-jobs.js';
import type { DatasetStoreCache } from '../workflows/dataset-store-cache.js';
import type { AcceptedCredentials } from './auth.middleware.js';
import { errorBody } from './http-errors.js';

/** What every route module gets from the app that mounts it. */
export interface ApiDeps {
  context: Context;
  syncJobs: SyncJobs;
  embedJobs: EmbedJobs;
  stores: DatasetStoreCache;
  datasetRows: DatasetRowCache;
  /** The one-time sign-in link of this server process, if any. */
  signIn: Pick<SignInLink, 'consume'> | undefined;
  urlTtlSeconds: number;
  /** The origin browsers load the app from (for the bucket CORS check). */
  publicOrigin: (requestOrigin: string | undefined) => string;
  /** Folder of the built web app; undefined serves the API only. */
  webRoot: string | undefined;
  validationHook: Hook<unknown, Env, string, unknown>;
  acceptedCredentials: AcceptedCredentials;
}

/** Zod failures become `{ error }` bodies that name each bad field. */
export const validationHook: Hook<unknown, Env, string, unknown> = (result, c) => {
  if (result.success) return;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
  return c.json(errorBody('InputInvalid', `Invalid request: ${problems.join('; ')}.`, 'Check the request against /api/openapi.json.'), 400);
};
