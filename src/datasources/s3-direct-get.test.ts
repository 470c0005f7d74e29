import { Agent as HttpAgent, createServer, type Server } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directGet } from './s3-direct-get.js';

/** Answers `/chunked/<bytes>` in 1 KiB chunks without a Content-Length, `/sized/<bytes>` with one. */
let server: Server;
let base: string;
const agents = { httpAgent: new HttpAgent({ keepAlive: true }), httpsAgent: new HttpsAgent({ keepAlive: true }), requestTimeoutMs: 5_000 };

beforeAll(async () => {
  server = createServer((request, response) => {
    const [, kind, size] = request.url!.split('/');
    const body = Buffer.alloc(Number(size), 7);
    if (kind === 'sized') {
      response.writeHead(200, { 'content-length': body.length, etag: '"abc"' });
      response.end(body);
      return;
    }
    response.writeHead(200, { etag: '"abc"' });
    for (let offset = 0; offset < body.length; offset += 1024) response.write(body.subarray(offset, offset + 1024));
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  agents.httpAgent.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('directGet', () => {
  it('reads a whole body, with or without a Content-Length', async () => {
    const signal = new AbortController().signal;
    expect(await directGet(`${base}/sized/5000`, 10_000, signal, agents)).toMatchObject({ outcome: 'read', etag: 'abc', body: Buffer.alloc(5000, 7) });
    expect(await directGet(`${base}/chunked/5000`, 10_000, signal, agents)).toMatchObject({ outcome: 'read', body: Buffer.alloc(5000, 7) });
  });

  it('stops reading a body past the limit, whether it declares its size or not', async () => {
    const signal = new AbortController().signal;
    expect(await directGet(`${base}/sized/50000`, 10_000, signal, agents)).toEqual({ outcome: 'too-large', size: 50_000 });
    const chunked = await directGet(`${base}/chunked/500000`, 10_000, signal, agents);
    expect(chunked.outcome).toBe('too-large');
    expect(chunked.outcome === 'too-large' && chunked.size > 10_000 && chunked.size < 500_000).toBe(true);
  });
});
