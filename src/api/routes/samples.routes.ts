import { Readable } from 'node:stream';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context as HonoContext } from 'hono';
import { browseSamples } from '../../catalog/sample-browse.service.js';
import { findSample, type SampleView } from '../../catalog/sample.service.js';
import { openLocalFile } from '../../datasources/local.object-store.js';
import { signingWindowMs } from '../../datasources/presigned-url-cache.js';
import { encodeKeyPath, sampleUrlSigner } from '../../datasources/sample-urls.js';
import { AppError, quoteInput } from '../../errors.js';
import type { ApiDeps } from '../api-deps.js';
import { createPageCache, pageServableUntil } from '../../workflows/page-cache.js';
import { DatasetNameParam, ErrorSchema, SamplePageSchema, SampleQuerySchema, SampleSchema } from '../schemas.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  avif: 'image/avif',
};

type Location = 'files' | 'thumbnails';

const utf8 = new TextEncoder();

type SampleWithUrls = SampleView & { url: string | null; thumbnailUrl: string | null };

export function sampleRoutes(deps: ApiDeps) {
  const { context } = deps;
  const pages = createPageCache(context.config.pageCacheMb * 1024 * 1024);

  /** URLs for a dataset's images (input) and thumbnails (output), and until when all of them work. */
  const ttlMs = deps.urlTtlSeconds * 1000;
  // A cached page asks for URLs that work a signing window beyond the TTL, so it stays servable for up to that window.
  const pageSpareMs = signingWindowMs(ttlMs);

  const withUrls = async (name: string, samples: readonly SampleView[], minRemainingSeconds = deps.urlTtlSeconds): Promise<{ samples: SampleWithUrls[]; validUntil: number }> => {
    const { stores } = await deps.stores.get(name);
    const localUrl = (location: Location) => (key: string) => `/api/datasets/${encodeURIComponent(name)}/${location}/${encodeKeyPath(key)}`;
    const urlOptions = { ttlSeconds: deps.urlTtlSeconds, minRemainingSeconds };
    const image = sampleUrlSigner(stores.input, { ...urlOptions, localFileUrl: localUrl('files') });
    // Thumbnail keys are full keys of the output location. Winnow serves a local folder's thumbnail by its
    // sample's key, so only thumbnails of catalogued samples can be asked for.
    const thumbnail = sampleUrlSigner({ ...stores.output, prefix: '' }, { ...urlOptions, localFileUrl: localUrl('thumbnails') });
    const localThumbnails = stores.output.location.kind === 'local';
    let validUntil = Infinity;
    const signed = await Promise.all(
      samples.map(async (sample) => {
        const [url, thumbnailUrl] = await Promise.all([image(sample.key), sample.thumbnail ? thumbnail(localThumbnails ? sample.key : sample.thumbnail.key) : undefined]);
        validUntil = Math.min(validUntil, url.validUntil, thumbnailUrl?.validUntil ?? Infinity);
        return { ...sample, url: url.url, thumbnailUrl: thumbnailUrl?.url ?? null };
      }),
    );
    return { samples: signed, validUntil };
  };

  return new OpenAPIHono({ defaultHook: deps.validationHook })
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets/{name}/samples',
        tags: ['samples'],
        summary: 'One keyset page of samples with image and thumbnail URLs (presigned for S3)',
        request: { params: DatasetNameParam, query: SampleQuerySchema },
        responses: { 200: json(SamplePageSchema, 'A page; pass nextCursor back as cursor'), 400: json(ErrorSchema, 'Bad query'), 404: json(ErrorSchema, 'No such dataset') },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        const { urls, ...query } = c.req.valid('query');
        const dataset = await deps.datasetRows.get(name);
        // The revision changes with every write to the dataset's samples or thumbnails, so a cached page is never stale.
        const cacheKey = JSON.stringify([dataset.id, dataset.revision, urls, query.limit, query.cursor, query.status, query.extension, query.folder, query.q, query.sort, query.order]);
        let body = pages.get(cacheKey, Date.now());
        if (body === undefined) {
          const page = await browseSamples(context, dataset, query);
          const signed =
            urls === 'true'
              ? await withUrls(name, page.samples, (ttlMs + pageSpareMs) / 1000)
              : { samples: page.samples.map((sample) => ({ ...sample, url: null, thumbnailUrl: null })), validUntil: Infinity };
          body = utf8.encode(JSON.stringify({ samples: signed.samples, nextCursor: page.nextCursor }));
          pages.set(cacheKey, body, pageServableUntil(signed.validUntil, ttlMs, pageSpareMs));
        }
        // Already serialised (a cached page costs no JSON work); its shape is SamplePageSchema's, which typing cannot see through bytes.
        return c.body(body, 200, { 'content-type': 'application/json' }) as never;
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/datasets/{name}/sample',
        tags: ['samples'],
        summary: 'One sample by key, with fresh URLs (ask again when an image fails with 403/expired)',
        request: { params: DatasetNameParam, query: z.object({ key: z.string().min(1).max(4_096) }) },
        responses: { 200: json(SampleSchema, 'The sample'), 404: json(ErrorSchema, 'No such dataset or sample') },
      }),
      async (c) => {
        const { name } = c.req.valid('param');
        const sample = await findSample(context, name, c.req.valid('query').key);
        const [withFreshUrls] = (await withUrls(name, [sample])).samples;
        return c.json(withFreshUrls!, 200);
      },
    )
    .get('/datasets/:name/files/*', (c) => serveLocalFile(c, deps, 'files'))
    .get('/datasets/:name/thumbnails/*', (c) => serveLocalFile(c, deps, 'thumbnails'));
}

/**
 * Serves a local dataset's image (from its input folder) or its thumbnail (from its output folder), with
 * Range support, and only for a sample in the catalog: the path names the sample's key either way.
 */
async function serveLocalFile(c: HonoContext, deps: ApiDeps, location: Location): Promise<Response> {
  const name = c.req.param('name') ?? '';
  const prefix = `/api/datasets/${encodeURIComponent(name)}/${location}/`;
  const rawKey = c.req.path.startsWith(prefix) ? c.req.path.slice(prefix.length) : '';
  const key = decodePathSegments(rawKey);
  const { stores } = await deps.stores.get(name);
  const bound = location === 'files' ? stores.input : stores.output;
  if (bound.location.kind !== 'local') throw new AppError('NotFound', 'Only local-folder datasets are served by Winnow; S3 samples use presigned URLs.');
  const sample = await findSample(deps.context, name, key);
  const fileKey = location === 'files' ? sample.key : sample.thumbnail?.key;
  if (fileKey === undefined) throw new AppError('NotFound', `Sample ${quoteInput(key)} of dataset "${name}" has no thumbnail.`, { hint: 'Make thumbnails with `winnow thumbnails <dataset>`.' });
  const handle = await openLocalFile(bound.location.root, fileKey, deps.context.access.dataDir);
  let handedOver = false;
  try {
    const info = await handle.stat();
    const contentType = location === 'thumbnails' ? 'image/webp' : (CONTENT_TYPES[key.slice(key.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream');
    const range = parseRange(c.req.header('range'), info.size);
    const headers = { 'content-type': contentType, 'accept-ranges': 'bytes', 'cache-control': 'private, max-age=300', 'last-modified': info.mtime.toUTCString() };
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
