import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Context } from 'hono';

// Served from the npm package, never a CDN: Winnow runs where nothing may be downloaded at run time.
const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = { 'swagger-ui.css': 'text/css', 'swagger-ui-bundle.js': 'text/javascript' };
// A file of its own, not an inline script: the content security policy allows scripts from this server only.
const INIT_SCRIPT = "window.onload = () => { window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#docs' }); };\n";

export function swaggerUiHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Winnow API</title><link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><nav style="font: 15px system-ui, sans-serif; padding: 0.75rem 1.25rem; border-bottom: 1px solid #d8dee8"><a href="/">← Back to Winnow</a></nav><div id="docs"></div><script src="/api/docs/swagger-ui-bundle.js"></script><script src="/api/docs/init.js"></script></body></html>`;
}

export async function swaggerUiAsset(c: Context, asset: string): Promise<Response> {
  if (asset === 'init.js') return c.body(INIT_SCRIPT, 200, { 'content-type': 'text/javascript', 'cache-control': 'no-cache' });
  const type = ASSETS[asset];
  if (type === undefined) return c.notFound();
  return c.body(await readFile(join(SWAGGER_DIR, asset)), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
}
