import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { onCleanup } from './cleanup.js';

export interface ListOnlyGateway {
  endpoint: string;
  port: number;
  /** Object reads answered with AccessDenied so far. */
  deniedReads(): number;
  stop(): Promise<void>;
}

const ACCESS_DENIED_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>winnow-bench</RequestId></Error>';

/**
 * A pass-through in front of s3rver that denies object reads, like a list-only IAM policy.
 * `dataset sync --skip-verify` then stops reading headers at the first denial, so a
 * listing run measures listing + catalog writes without minutes of header reads.
 * Both peers list through it, so its hop costs them the same.
 */
export async function startListOnlyGateway(upstreamPort: number): Promise<ListOnlyGateway> {
  const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let denied = 0;
  const server = http.createServer((request, response) => {
    if (isObjectRead(request)) {
      denied++;
      response.writeHead(403, { 'content-type': 'application/xml' }).end(ACCESS_DENIED_XML);
      return;
    }
    forward(request, response, upstreamPort, upstreamAgent).catch((error: Error) => {
      if (!response.headersSent) response.writeHead(502);
      response.end(error.message);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stop = onCleanup('stop list-only gateway', async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    upstreamAgent.destroy();
  });
  return { endpoint: `http://127.0.0.1:${port}`, port, deniedReads: () => denied, stop };
}

/** Path-style `GET /bucket/key` or `HEAD /bucket/key`; bucket-level listings have no key. */
function isObjectRead(request: IncomingMessage): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = (request.url ?? '/').split('?')[0]!;
  const key = path.split('/').slice(2).join('/');
  return key !== '';
}

async function forward(request: IncomingMessage, response: ServerResponse, upstreamPort: number, agent: http.Agent): Promise<void> {
  const upstreamRequest = http.request({ host: '127.0.0.1', port: upstreamPort, method: request.method, path: request.url, headers: request.headers, agent });
  const upstreamResponse = new Promise<IncomingMessage>((resolve, reject) => upstreamRequest.once('response', resolve).once('error', reject));
  await pipeline(request, upstreamRequest);
  const upstream = await upstreamResponse;
  response.writeHead(upstream.statusCode ?? 502, upstream.headers);
  await pipeline(upstream, response);
}
