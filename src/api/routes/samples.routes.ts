import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context as HonoContext } from 'hono';
import { browseSamples } from '../../catalog/sample-browse.service.js';
import { findSample, type SampleView } from '../../catalog/sample.service.js';
import { resolveLocalFile } from '../../datasources/local.object-store.js';
import { encodeKeyPath, sampleUrlSigner } from '../../datasources/sample-urls.js';
import { AppError } from '../../errors.js';
import type { ApiDeps } from '../app.js';
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

export function sampleRoutes(deps: ApiDeps) {
  const { context } = deps;
  /** URLs for a dataset's images (input) and thumbnails (output); thumbnail keys are full keys of the output location. */
  const signers = async (name: string) => {
    const { stores } = await deps.stores.get(name);
    const localUrl = (location: Location) => (key: string) => `/api/datasets/${encodeURIComponent(name)}/${location}/${encodeKeyPath(key)}`;
    const image = sampleUrlSigner(stores.input, { ttlSeconds: deps.urlTtlSeconds, localFileUrl: localUrl('files') });
    const outputRoot = { ...stores.output, prefix: '' };
    const thumbnail = sampleUrlSigner(outputRoot, { ttlSeconds: deps.urlTtlSeconds, localFileUrl: localUrl('thumbnails') });
    return async (sample: SampleView) => ({
      ...sample,
      url: await image(sample.key),
      thumbnailUrl: sample.thumbnail ? await thumbnail(sample.thumbnail.key) : null,
    });
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
        const page = await browseSamples(context, name, query);
        const withUrls: (sample: SampleView) => Promise<SampleView & { url: string | null; thumbnailUrl: string | null }> =
          urls === 'true' ? await signers(name) : async (sample) => ({ ...sample, url: null, thumbnailUrl: null });
        const samples = await Promise.all(page.samples.map(withUrls));
        return c.json({ samples, nextCursor: page.nextCursor }, 200);
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
        return c.json(await (await signers(name))(sample), 200);
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
