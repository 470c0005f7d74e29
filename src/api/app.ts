import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { validationHook, type ApiDeps } from './api-deps.js';
import { createAcceptedCredentials, requireAuth } from './auth.middleware.js';
import { errorBody, handleError } from './http-errors.js';
import { swaggerUiHtml, swaggerUiAsset } from './docs.js';
import { allowedHostNames, hostAllowList, requestBodyLimit, requireJsonBody, securityHeaders } from './request-guards.js';
import { datasetRoutes } from './routes/datasets.routes.js';
import { embeddingRoutes } from './routes/embeddings.routes.js';
import { createEmbedJobs } from '../jobs/embed-jobs.js';
import { policyRoutes } from './routes/policy.routes.js';
import { sampleRoutes } from './routes/samples.routes.js';
import { sessionRoutes } from './routes/session.routes.js';
import { syncRoutes } from './routes/sync.routes.js';

const PUBLIC_API_PATHS = new Set(['/api/health', '/api/session']);

export function createApp(deps: Omit<ApiDeps, 'validationHook' | 'acceptedCredentials'>): OpenAPIHono {
  const full: ApiDeps = { ...deps, validationHook, acceptedCredentials: createAcceptedCredentials(deps.context.clock) };
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError((error, c) => handleError(error, c, deps.context.log));
  app.notFound((c) => c.json(errorBody('NotFound', `No route ${c.req.method} ${c.req.path}.`, 'See /api/docs for the routes.'), 404));

  // Guards that run before anything reads or authenticates a request.
  const { config } = deps.context;
  app.use('*', hostAllowList(allowedHostNames(config.serveHost, config.allowedHosts)));
  app.use('*', securityHeaders());
  app.use('/api/*', requestBodyLimit(config.apiBodyLimitKb * 1024));
  app.use('/api/*', requireJsonBody());

  app.get('/api/health', (c) => c.json({ status: 'ok' }));
  const auth = requireAuth(deps.context, full.acceptedCredentials);
  app.use('/api/*', async (c, next) => (PUBLIC_API_PATHS.has(c.req.path) ? next() : auth(c, next)));
  app.route('/', sessionRoutes(full));
  app.route('/api', datasetRoutes(full));
  app.route('/api', policyRoutes(full));
  app.route('/api', syncRoutes(full));
  app.route('/api', sampleRoutes(full));
  app.route('/api', embeddingRoutes(full, createEmbedJobs(deps.context)));
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Winnow API', version: '0.1.0', description: 'Curate image datasets that live in your own bucket. Every route but /api/health and /api/session needs `Authorization: Bearer <token>` or a session cookie.' },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.get('/api/docs', (c) => c.html(swaggerUiHtml()));
  app.get('/api/docs/:asset', async (c) => swaggerUiAsset(c, c.req.param('asset')));

  if (deps.webRoot !== undefined) serveWebApp(app, deps.webRoot);
  return app;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return '/';
  }
}

const WEB_TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json' };

/** The single-page app: its built files, and index.html for every other non-API path. */
function serveWebApp(app: OpenAPIHono, webRoot: string): void {
  const root = resolve(webRoot);
  app.get('*', async (c) => {
    if (c.req.path.startsWith('/api/')) return c.notFound();
    const candidate = resolve(join(root, safeDecode(c.req.path)));
    const file = candidate.startsWith(`${root}/`) && existsSync(candidate) && extname(candidate) !== '' ? candidate : join(root, 'index.html');
    const body = await readFile(file);
    const immutable = file.includes(`${root}/assets/`);
    return c.body(body, 200, { 'content-type': WEB_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' });
  });
}
