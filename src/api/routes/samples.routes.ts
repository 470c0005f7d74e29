import { Readable } from 'node:stream';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context as HonoContext } from 'hono';
import { AppError } from '../../errors.js';
import { createSampleBrowser } from '../../workflows/browse-samples.js';
import { openServedSampleFile, type ServedSampleFile } from '../../workflows/local-sample-files.js';
import type { ApiDeps } from '../api-deps.js';
import { BEARER, DATASET_ERRORS, errors, json } from '../openapi.js';
import { DatasetNameParam, SamplePageSchema, SampleQuerySchema, SampleSchema } from '../schemas.js';

type Location = 'files' | 'thumbnails';

export function sampleRoutes(deps: ApiDeps) {
  const { context } = deps;
  const browser = createSampleBrowser(context, {
    stores: deps.stores,
    datasets: deps.datasetRows,
    urlTtlSeconds: deps.urlTtlSeconds,
    pageCacheBytes: context.config.pageCacheMb * 1024 * 1024,
  });

  return new OpenAPIHono({ defaultHook: deps.validationHook })
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets/{name}/samples',
        operationId: 'listSamples',
        tags: ['samples'],
        summary: 'One keyset page of samples with image and thumbnail URLs (presigned for S3)',
        security: BEARER,
        request: { params: DatasetNameParam, query: SampleQuerySchema },
        responses: { 200: json(SamplePageSchema, 'A page; pass nextCursor back as cursor'), ...errors(...DATASET_ERRORS) },
      }),
      async (c) => {
        const { urls, ...query } = c.req.valid('query');
        const body = await browser.pageJson(c.req.valid('param').name, { ...query, urls: urls === 'true' });
        // Already serialised (a kept page costs no JSON work); its shape is SamplePageSchema's, which typing cannot see through bytes.
        return c.body(body, 200, { 'content-type': 'application/json' }) as never;
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets/{name}/sample',
        operationId: 'getSample',
        tags: ['samples'],
        summary: 'One sample by key, with fresh URLs (ask again when an image fails with 403/expired)',
        security: BEARER,
        request: {
          params: DatasetNameParam,
          query: z.object({ key: z.string().min(1).max(4_096).openapi({ description: 'The key relative to the input folder.', example: 'cows/cow-001.jpg' }) }),
        },
        responses: { 200: json(SampleSchema, 'The sample'), ...errors(...DATASET_ERRORS) },
      }),
      async (c) => c.json(await browser.sample(c.req.valid('param').name, c.req.valid('query').key), 200),
    )
    .get('/datasets/:name/files/*', (c) => serveSampleFile(c, deps, 'files'))
    .get('/datasets/:name/thumbnails/*', (c) => serveSampleFile(c, deps, 'thumbnails'));
}

/**
 * Serves an image (from the input) or a thumbnail (from the output) of a dataset whose bytes Winnow serves
 * itself (local folders, Azure SAS-token datasets), with Range support, and only for a sample in the
 * catalog: the path names the sample's key either way.
 */
async function serveSampleFile(c: HonoContext, deps: ApiDeps, location: Location): Promise<Response> {
  const name = c.req.param('name') ?? '';
  const prefix = `/api/datasets/${encodeURIComponent(name)}/${location}/`;
  const rawKey = c.req.path.startsWith(prefix) ? c.req.path.slice(prefix.length) : '';
  const key = decodePathSegments(rawKey);
  const served = await openServedSampleFile(deps.context, deps.stores, name, key, location === 'files' ? 'image' : 'thumbnail');
  if (served.kind === 'object') return serveStoredObject(c, served);
  const { handle, contentType } = served;
  let handedOver = false;
  try {
    const info = await handle.stat();
    const range = parseRange(c.req.header('range'), info.size);
    const headers = {
      'content-type': contentType,
      'accept-ranges': 'bytes',
      'cache-control': 'private, max-age=300',
      'last-modified': info.mtime.toUTCString(),
    };
    if (range === 'unsatisfiable') return c.body(null, 416, { ...headers, 'content-range': `bytes */${info.size}` });
    if (info.size === 0) return c.body(new Uint8Array(0), 200, { ...headers, 'content-length': '0' });
    const [start, end] = range ?? [0, info.size - 1];
    // The stream reads the handle that was checked, and closes it when done.
    const body = Readable.toWeb(handle.createReadStream({ start, end, autoClose: true })) as ReadableStream;
    handedOver = true;
    return c.body(body, range ? 206 : 200, {
      ...headers,
      'content-length': String(end - start + 1),
      ...(range ? { 'content-range': `bytes ${start}-${end}/${info.size}` } : {}),
    });
  } finally {
    if (!handedOver) await handle.close();
  }
}

/** An object read from the dataset's store: a Range reads only those bytes when the size is known. */
async function serveStoredObject(c: HonoContext, served: Extract<ServedSampleFile, { kind: 'object' }>): Promise<Response> {
  const headers = { 'content-type': served.contentType, 'accept-ranges': 'bytes', 'cache-control': 'private, max-age=300' };
  const header = c.req.header('range');
  if (header !== undefined && served.size !== undefined) {
    const range = parseRange(header, served.size);
    if (range === 'unsatisfiable') return c.body(null, 416, { ...headers, 'content-range': `bytes */${served.size}` });
    if (range !== undefined) {
      const [start, end] = range;
      const bytes = await served.readRange(start, end);
      return c.body(toArrayBuffer(bytes), 206, {
        ...headers,
        'content-length': String(bytes.byteLength),
        'content-range': `bytes ${start}-${start + bytes.byteLength - 1}/${served.size}`,
      });
    }
  }
  const bytes = await served.readAll();
  const range = header === undefined ? undefined : parseRange(header, bytes.byteLength);
  if (range === 'unsatisfiable') return c.body(null, 416, { ...headers, 'content-range': `bytes */${bytes.byteLength}` });
  if (range !== undefined) {
    const [start, end] = range;
    return c.body(toArrayBuffer(bytes.subarray(start, end + 1)), 206, {
      ...headers,
      'content-length': String(end - start + 1),
      'content-range': `bytes ${start}-${end}/${bytes.byteLength}`,
    });
  }
  return c.body(toArrayBuffer(bytes), 200, { ...headers, 'content-length': String(bytes.byteLength) });
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** `a%20b/c%23.jpg` → `a b/c#.jpg`; a malformed escape is the client's mistake, not the server's. */
function decodePathSegments(raw: string): string {
  try {
    return raw.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw new AppError('InputInvalid', 'The path holds a malformed %-escape.', { hint: 'Encode each path segment with encodeURIComponent.' });
  }
}

/** One `bytes=` range (the only kind browsers send for images), or undefined for the whole file. */
export function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first, last] = match as unknown as [string, string, string];
  const start = first === '' ? Math.max(0, size - Number(last)) : Number(first);
  const end = first === '' || last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return start > end || start >= size ? 'unsatisfiable' : [start, end];
}
