import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { validationHook, type ApiDeps } from './api-deps.js';
import { createAcceptedCredentials, requireAuth } from './auth.middleware.js';
import { errorBody, handleError } from './http-errors.js';
import { swaggerUiHtml, swaggerUiAsset } from './docs.js';
import { BEARER, errors, json, PUBLIC } from './openapi.js';
import { allowedHostNames, hostAllowList, requestBodyLimit, requireJsonBody, securityHeaders } from './request-guards.js';
import { datasetRoutes } from './routes/datasets.routes.js';
import { curationRoutes, IMAGE_UPLOAD_TYPES } from './routes/curation.routes.js';
import { embeddingRoutes } from './routes/embeddings.routes.js';
import { jobRoutes } from './routes/jobs.routes.js';
import { policyRoutes } from './routes/policy.routes.js';
import { sampleRoutes } from './routes/samples.routes.js';
import { sessionRoutes } from './routes/session.routes.js';
import { syncRoutes } from './routes/sync.routes.js';

const PUBLIC_API_PATHS = new Set(['/api/health', '/api/session']);

const HealthSchema = z.strictObject({ status: z.literal('ok') }).openapi('Health');

const API_TAGS = [
  { name: 'datasets', description: 'Datasets: a folder of a bucket (or of this machine) and where Winnow may write.' },
  { name: 'datasources', description: "What the dataset's credentials may do, and the policy they need." },
  { name: 'sync', description: "Indexing a dataset's objects into the catalog, in the background." },
  { name: 'samples', description: 'The indexed images, with presigned URLs.' },
  { name: 'embeddings', description: 'One vector per image: computing them, the 2-D map, nearest neighbours, the models.' },
  { name: 'curation', description: 'Selections, tags and their exports, metadata and labels, images similar to an upload.' },
  { name: 'session', description: 'Health and browser sign-in.' },
];

export function createApp(deps: Omit<ApiDeps, 'validationHook' | 'acceptedCredentials'>): OpenAPIHono {
  const full: ApiDeps = { ...deps, validationHook, acceptedCredentials: createAcceptedCredentials(deps.context.clock) };
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError((error, c) => handleError(error, c, deps.context.log));
  app.notFound((c) => c.json(errorBody('NotFound', `No route ${c.req.method} ${c.req.path}.`, 'See /api/docs for the routes.'), 404));

  // Guards that run before anything reads or authenticates a request.
  const { config } = deps.context;
  app.use('*', hostAllowList(allowedHostNames(config.serveHost, config.allowedHosts)));
  app.use('*', securityHeaders());
  app.use('/api/*', requestBodyLimit(config.apiBodyLimitKb * 1024, config.apiImageLimitMb * 1024 * 1024));
  app.use('/api/*', requireJsonBody(IMAGE_UPLOAD_TYPES));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/health',
      operationId: 'getHealth',
      tags: ['session'],
      summary: 'Whether the server is up (no token needed)',
      security: PUBLIC,
      responses: { 200: json(HealthSchema, 'Up'), ...errors() },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );
  const auth = requireAuth(deps.context, full.acceptedCredentials);
  app.use('/api/*', async (c, next) => (PUBLIC_API_PATHS.has(c.req.path) ? next() : auth(c, next)));
  app.route('/', sessionRoutes(full));
  app.route('/api', datasetRoutes(full));
  app.route('/api', policyRoutes(full));
  app.route('/api', syncRoutes(full));
  app.route('/api', sampleRoutes(full));
  app.route('/api', embeddingRoutes(full));
  app.route('/api', curationRoutes(full));
  app.route('/api', jobRoutes(full));
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token from `winnow token create <name>` (the web app signs in with a session cookie instead).',
  });
  // The server a generated client talks to is the one that served the document.
  app.doc31('/api/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'Winnow API',
      version: '0.1.0',
      description:
        'Curate image datasets that live in your own bucket. Every operation but getHealth and the session ones needs `Authorization: Bearer <token>`.',
      license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
    },
    servers: [{ url: new URL(c.req.url).origin, description: 'This Winnow server' }],
    security: BEARER,
    tags: API_TAGS,
  }));
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

const WEB_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** The single-page app: its built files, and index.html for every other non-API path. */
function serveWebApp(app: OpenAPIHono, webRoot: string): void {
  const root = resolve(webRoot);
  app.get('*', async (c) => {
    if (c.req.path.startsWith('/api/')) return c.notFound();
    const candidate = resolve(join(root, safeDecode(c.req.path)));
    const file = candidate.startsWith(`${root}/`) && existsSync(candidate) && extname(candidate) !== '' ? candidate : join(root, 'index.html');
    const body = await readFile(file);
    const immutable = file.includes(`${root}/assets/`);
    return c.body(body, 200, {
      'content-type': WEB_TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  });
}
