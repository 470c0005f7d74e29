/**
 * A bucket of millions of keys that exists only as arithmetic: it answers ListObjectsV2 (prefix, delimiter,
 * start-after, continuation token, max-keys) for `count` generated keys and denies every object read, like a
 * list-only policy. s3rver lists ~1,000 keys/s from its folder tree, so a benchmark of 10^6 keys against it would
 * measure s3rver; this one answers a 1,000-key page in a few milliseconds, leaving Winnow's listing, catalog writes
 * and job fan-out as what is measured. Keys: `<prefix>part-PPP/img-NNNNNNNN.jpg`, `parts` folders of equal size,
 * in lexicographic order equal to their index order. With `latencyMs`, every request is answered that long after
 * it arrives, as a real bucket's would be (requests in flight wait side by side, as they do on S3).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startWorker } from '../src/shared/worker-thread.js';
import { onCleanup } from './cleanup.js';

export interface GeneratedListing {
  endpoint: string;
  /** ListObjectsV2 requests answered so far. */
  listRequests(): number;
  stop(): Promise<void>;
}

export interface GeneratedListingOptions {
  bucket: string;
  /** Ends in '/' (or is empty). */
  prefix: string;
  count: number;
  parts: number;
  /**
   * Delay before each answer (list pages, one-key probes, denied reads alike), in ms; 0 by default. Real S3 takes
   * about 100-300 ms per 1,000-key ListObjectsV2 page (see bench/sync-shards.ts for the figure used and its source).
   */
  latencyMs?: number;
}

const ACCESS_DENIED_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>winnow-bench</RequestId></Error>';
const LAST_MODIFIED = '2026-01-01T00:00:00.000Z';

export function generatedKeys(options: GeneratedListingOptions): { keyAt: (index: number) => string; count: number } {
  const perPart = Math.ceil(options.count / options.parts);
  return {
    count: options.count,
    keyAt: (index) => `${options.prefix}part-${String(Math.floor(index / perPart)).padStart(3, '0')}/img-${String(index).padStart(8, '0')}.jpg`,
  };
}

/**
 * Starts the server on a thread of its own, as a real bucket answers from other machines: its work (a few ms per
 * page) stays off the event loop of the listing it serves.
 */
export async function startGeneratedListing(options: GeneratedListingOptions): Promise<GeneratedListing> {
  const requestCount = new Int32Array(new SharedArrayBuffer(4));
  const worker = startWorker(new URL('./generated-listing.worker.js', import.meta.url), { workerData: { options, requestCount } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (message: { port: number }) => resolve(message.port));
    worker.once('error', reject);
  });
  const stop = onCleanup('stop generated listing', async () => {
    await worker.terminate();
  });
  return { endpoint: `http://127.0.0.1:${port}`, listRequests: () => Atomics.load(requestCount, 0), stop };
}

/** The server itself (run by generated-listing.worker.ts); counts ListObjectsV2 requests in `requestCount[0]`. */
export async function serveGeneratedListing(options: GeneratedListingOptions, requestCount: Int32Array): Promise<{ port: number }> {
  const { keyAt, count } = generatedKeys(options);
  /** The first index whose key is > `after` (or >= when `inclusive`): keys grow with their index. */
  const firstIndexAfter = (after: string, inclusive = false) => {
    let [low, high] = [0, count];
    while (low < high) {
      const middle = (low + high) >>> 1;
      const key = keyAt(middle);
      if (key < after || (!inclusive && key === after)) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const answer = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://bench');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    if (bucket !== options.bucket) return void response.writeHead(404).end();
    if (rest.join('/') !== '') return void response.writeHead(403, { 'content-type': 'application/xml' }).end(ACCESS_DENIED_XML);
    if (url.searchParams.get('list-type') !== '2') return void response.writeHead(200, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Ok/>');
    Atomics.add(requestCount, 0, 1);
    const prefix = url.searchParams.get('prefix') ?? '';
    const delimiter = url.searchParams.get('delimiter') ?? '';
    const maxKeys = Math.min(1000, Number(url.searchParams.get('max-keys') ?? 1000));
    const token = url.searchParams.get('continuation-token');
    const after = [token === null ? '' : Buffer.from(token, 'base64url').toString(), url.searchParams.get('start-after') ?? ''].sort().at(-1)!;
    let index = Math.max(firstIndexAfter(after), firstIndexAfter(prefix, true));
    const contents: string[] = [];
    const prefixes: string[] = [];
    let last = '';
    while (index < count && contents.length + prefixes.length < maxKeys) {
      const key = keyAt(index);
      if (!key.startsWith(prefix)) break;
      const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
      if (cut !== -1) {
        const common = key.slice(0, cut + delimiter.length);
        prefixes.push(common);
        last = common;
        index = firstIndexAfter(`${common}\uffff`);
        continue;
      }
      const etag = createHash('md5').update(key).digest('hex');
      contents.push(
        `<Contents><Key>${key}</Key><LastModified>${LAST_MODIFIED}</LastModified><ETag>&quot;${etag}&quot;</ETag><Size>${1000 + (index % 9000)}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      );
      last = key;
      index++;
    }
    const truncated = index < count && keyAt(index).startsWith(prefix);
    const body = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
      `<Name>${options.bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${contents.length + prefixes.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>`,
      delimiter === '' ? '' : `<Delimiter>${delimiter}</Delimiter>`,
      `<IsTruncated>${truncated}</IsTruncated>`,
      truncated ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>` : '',
      ...contents,
      ...prefixes.map((common) => `<CommonPrefixes><Prefix>${common}</Prefix></CommonPrefixes>`),
      '</ListBucketResult>',
    ].join('');
    response.writeHead(200, { 'content-type': 'application/xml' }).end(body);
  };
  const latencyMs = options.latencyMs ?? 0;
  const server = http.createServer((request, response) => {
    if (latencyMs > 0) setTimeout(() => answer(request, response), latencyMs);
    else answer(request, response);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port };
}
