/**
 * A test-only pass-through in front of s3rver that answers chosen requests with S3's
 * throttling error (503 SlowDown), as S3 does under load, and forwards everything else.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';

export interface Fault {
  method: 'GET' | 'PUT';
  /** Matches requests whose decoded path ends with this key. */
  keySuffix: string;
  /** How many matching requests fail before the rest pass; Infinity fails them all. */
  times: number;
}

export interface FlakyRequest {
  method: string;
  /** Decoded path, `/bucket/key`. */
  path: string;
  throttled: boolean;
}

export interface FlakyProxy {
  endpoint: string;
  faults: Fault[];
  requests: FlakyRequest[];
  stop(): Promise<void>;
}

const SLOW_DOWN_XML = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>FLAKY</RequestId></Error>`;

export async function startFlakyProxy(upstream: string): Promise<FlakyProxy> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true });
  const proxy: FlakyProxy = { endpoint: '', faults: [], requests: [], stop: async () => undefined };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const fault = proxy.faults.find((candidate) => candidate.method === req.method && candidate.times > 0 && path.endsWith(candidate.keySuffix));
    proxy.requests.push({ method: req.method ?? '', path, throttled: fault !== undefined });
    if (fault) {
      fault.times--;
      // Read the upload first, so the client sees the 503 rather than a reset connection.
      for await (const _chunk of req);
      res.writeHead(503, { 'content-type': 'application/xml' }).end(SLOW_DOWN_XML);
      return;
    }
    const forwarded = http.request({ agent, host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers });
    const answered = new Promise<void>((resolve, reject) => {
      forwarded.once('error', reject);
      forwarded.once('response', (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        pipeline(response, res).then(resolve, reject);
      });
    });
    await Promise.all([pipeline(req, forwarded), answered]);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return proxy;
}
