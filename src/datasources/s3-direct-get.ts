import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';

export interface DirectGetOptions {
  httpAgent: HttpAgent;
  httpsAgent: HttpsAgent;
  /** Longest wait for the next bytes of the answer. */
  requestTimeoutMs: number;
}

/**
 * What a direct GET got: the whole body, the size of an object over the limit (its body left unread),
 * or `refused` (an answer other than 200: the caller asks the SDK, which explains it) or `failed`
 * (no complete answer: a network error, a timeout, a body cut short).
 */
export type DirectGetResult =
  | { outcome: 'read'; body: Buffer; etag: string | undefined }
  | { outcome: 'too-large'; size: number }
  /** `code`: S3's error code from the answer's XML (`SlowDown`, `AccessDenied`, ...). */
  | { outcome: 'refused'; status: number; code: string | undefined }
  | { outcome: 'failed' };

/**
 * GETs a presigned URL over the store's keep-alive agents and collects the body. Never throws:
 * whatever is not a complete 200 answer is reported for the caller to hand to the AWS SDK, which
 * retries and translates errors as for every other call.
 */
export function directGet(url: string, maxBytes: number, signal: AbortSignal, options: DirectGetOptions): Promise<DirectGetResult> {
  return new Promise((resolve) => {
    const https = url.startsWith('https:');
    // The path goes as signed: a URL object would drop `.` and `..` segments, which are part of some keys.
    const pathStart = url.indexOf('/', url.indexOf('//') + 2);
    const { hostname, port } = new URL(url.slice(0, pathStart));
    let settled = false;
    const settle = (result: DirectGetResult) => {
      settled = true;
      resolve(result);
    };
    const request = (https ? httpsRequest : httpRequest)(
      {
        hostname: hostname.replace(/^\[(.*)\]$/, '$1'),
        port: port || undefined,
        path: url.slice(pathStart),
        agent: https ? options.httpsAgent : options.httpAgent,
        signal,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status !== 200) {
          // Read to the end (an error document is small), so the connection is kept for the next call.
          collect(response, Number.NaN, (body) =>
            settle({ outcome: 'refused', status, code: body?.toString('utf8', 0, 2_000).match(/<Code>([^<]+)<\/Code>/)?.[1] }),
          );
          return;
        }
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          response.destroy();
          settle({ outcome: 'too-large', size: declared });
          return;
        }
        collect(
          response,
          declared,
          (body) => settle(body === undefined ? { outcome: 'failed' } : { outcome: 'read', body, etag: response.headers.etag?.replaceAll('"', '') }),
          maxBytes,
          (size) => settle({ outcome: 'too-large', size }),
        );
      },
    );
    request.setTimeout(options.requestTimeoutMs, () => request.destroy(new Error('no answer in time')));
    request.on('error', () => {
      if (!settled) settle({ outcome: 'failed' });
    });
    request.end();
  });
}

/**
 * Hands over the body, or undefined when it broke off or ended short of its Content-Length. An answer
 * without a Content-Length (chunked) that grows past `maxBytes` is cut off and reported to `tooLarge`.
 */
function collect(
  response: IncomingMessage,
  declared: number,
  done: (body: Buffer | undefined) => void,
  maxBytes = Number.POSITIVE_INFINITY,
  tooLarge?: (size: number) => void,
): void {
  const chunks: Buffer[] = [];
  let received = 0;
  let cut = false;
  response.on('data', (chunk: Buffer) => {
    if (cut) return;
    chunks.push(chunk);
    received += chunk.length;
    if (received > maxBytes && tooLarge !== undefined) {
      cut = true;
      response.removeAllListeners('end');
      response.removeAllListeners('error');
      response.on('error', () => undefined);
      response.destroy();
      tooLarge(received);
    }
  });
  response.on('error', () => done(undefined));
  response.on('end', () => {
    if (!response.complete || (Number.isFinite(declared) && received !== declared)) done(undefined);
    else done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
  });
}
