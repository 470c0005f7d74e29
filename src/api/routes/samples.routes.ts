import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context as HonoContext } from 'hono';
import { browseSamples } from '../../catalog/sample-browse.service.js';
import { findSample, type SampleView } from '../../catalog/sample.service.js';
import { resolveLocalFile } from '../../datasources/local.object-store.js';
import { signingWindowMs } from '../../datasources/presigned-url-cache.js';
import { encodeKeyPath, sampleUrlSigner } from '../../datasources/sample-urls.js';
import { AppError } from '../../errors.js';
import type { ApiDeps } from '../app.js';
import { createPageCache, pageServableUntil } from '../page-cache.js';
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
    // Thumbnail keys are full keys of the output location.
    const thumbnail = sampleUrlSigner({ ...stores.output, prefix: '' }, { ...urlOptions, localFileUrl: localUrl('thumbnails') });
    let validUntil = Infinity;
    const signed = await Promise.all(
      samples.map(async (sample) => {
        const [url, thumbnailUrl] = await Promise.all([image(sample.key), sample.thumbnail ? thumbnail(sample.thumbnail.key) : undefined]);
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
        request: { params: DatasetNameParam, query: z.object({ key: z.string().min(1) }) },
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

/** Serves a local dataset's image (from its input folder) or thumbnail (from its output folder), with Range support. */
async function serveLocalFile(c: HonoContext, deps: ApiDeps, location: Location): Promise<Response> {
  const name = c.req.param('name') ?? '';
  const prefix = `/api/datasets/${encodeURIComponent(name)}/${location}/`;
  const rawKey = c.req.path.startsWith(prefix) ? c.req.path.slice(prefix.length) : '';
  const key = rawKey.split('/').map(decodeURIComponent).join('/');
  const { stores } = await deps.stores.get(name);
  const bound = location === 'files' ? stores.input : stores.output;
  if (bound.location.kind !== 'local') throw new AppError('NotFound', 'Only local-folder datasets are served by Winnow; S3 samples use presigned URLs.');
  const path = await resolveLocalFile(bound.location.root, key);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new AppError('NotFound', `No file ${key} in dataset "${name}".`);
  const contentType = CONTENT_TYPES[key.slice(key.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
  const range = parseRange(c.req.header('range'), info.size);
  const headers = { 'content-type': contentType, 'accept-ranges': 'bytes', 'cache-control': 'private, max-age=300', 'last-modified': info.mtime.toUTCString() };
  if (range === 'unsatisfiable') return c.body(null, 416, { ...headers, 'content-range': `bytes */${info.size}` });
  const [start, end] = range ?? [0, info.size - 1];
  const body = Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream;
  return c.body(body, range ? 206 : 200, {
    ...headers,
    'content-length': String(Math.max(0, end - start + 1)),
    ...(range ? { 'content-range': `bytes ${start}-${end}/${info.size}` } : {}),
  });
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
