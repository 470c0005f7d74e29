/**
 * A test-only pass-through in front of any S3 endpoint (s3rver here, a worker's endpoint later) that injects
 * the faults real object stores produce: 503 SlowDown bursts, 500s, connections reset in the middle of a body,
 * bodies cut short, latency spikes, and the endpoint gone for a while. Faults are drawn from a seeded
 * generator, so a failing run can be replayed; every injected fault is counted and logged.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from '../../src/selection/seeded-random.js';

export type FaultKind = 'slowDown' | 'internalError' | 'resetMidBody' | 'truncatedBody' | 'latency';

export interface FaultPlan {
  /** Share of requests (0-1) that get each fault; the rest pass untouched. */
  rates: Partial<Record<FaultKind, number>>;
  /** How long a latency spike holds a request before forwarding it. */
  latencyMs: number;
  /** A SlowDown comes in bursts: this many requests in a row after the first. */
  slowDownBurst: number;
  /** Only requests with these methods get faults (e.g. GET only, so seeding and writes stay clean). */
  methods: readonly string[];
  seed: number;
}

export interface InjectedFault {
  kind: FaultKind | 'gone';
  method: string;
  path: string;
}

export interface FaultProxy {
  endpoint: string;
  plan: FaultPlan;
  /** Every fault injected so far, in order. */
  injected: InjectedFault[];
  count(kind: InjectedFault['kind']): number;
  /** Every request that reached the proxy. */
  requests: number;
  /** Refuses every connection (reset on arrival) until `endOutage()`, or for `ms`. */
  startOutage(ms?: number): void;
  endOutage(): void;
  /** Resolves once `count` requests arrived while the endpoint was gone. */
  refusedDuringOutage(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const SLOW_DOWN_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>FAULT</RequestId></Error>';
const INTERNAL_ERROR_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>FAULT</RequestId></Error>';
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

export const NO_FAULTS: FaultPlan = { rates: {}, latencyMs: 0, slowDownBurst: 0, methods: ['GET'], seed: 1 };

export async function startFaultProxy(upstream: string, plan: FaultPlan = NO_FAULTS): Promise<FaultProxy> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const random = seededRandom(plan.seed);
  let slowDownsLeft = 0;
  let goneUntil = 0;
  let refused = 0;
  const refusalWaiters: Array<{ count: number; resolve: () => void }> = [];
  const sockets = new Set<Socket>();

  const proxy: FaultProxy = {
    endpoint: '',
    plan,
    injected: [],
    requests: 0,
    count: (kind) => proxy.injected.filter((fault) => fault.kind === kind).length,
    startOutage(ms) {
      goneUntil = ms === undefined ? Infinity : Date.now() + ms;
      for (const socket of sockets) socket.destroy();
    },
    endOutage() {
      goneUntil = 0;
    },
    refusedDuringOutage(count, timeoutMs = 30_000) {
      if (refused >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${refused} of ${count} requests arrived during the outage within ${timeoutMs} ms`)), timeoutMs);
        refusalWaiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    stop: async () => undefined,
  };
  const gone = () => Date.now() < goneUntil;
  const noteRefusal = (method: string, path: string) => {
    refused++;
    proxy.injected.push({ kind: 'gone', method, path });
    for (const waiter of refusalWaiters.filter((candidate) => refused >= candidate.count)) waiter.resolve();
  };

  /** Which fault, if any, this request gets. */
  const draw = (method: string): FaultKind | undefined => {
    if (!proxy.plan.methods.includes(method)) return undefined;
    if (slowDownsLeft > 0) {
      slowDownsLeft--;
      return 'slowDown';
    }
    let roll = random();
    for (const [kind, rate] of Object.entries(proxy.plan.rates) as Array<[FaultKind, number]>) {
      if (roll < rate) {
        if (kind === 'slowDown') slowDownsLeft = proxy.plan.slowDownBurst;
        return kind;
      }
      roll -= rate;
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    proxy.requests++;
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    if (gone()) {
      noteRefusal(method, path);
      req.socket.destroy();
      return;
    }
    const fault = draw(method);
    if (fault !== undefined) proxy.injected.push({ kind: fault, method, path });
    if (fault === 'slowDown' || fault === 'internalError') {
      for await (const _chunk of req);
      const body = fault === 'slowDown' ? SLOW_DOWN_XML : INTERNAL_ERROR_XML;
      res.writeHead(fault === 'slowDown' ? 503 : 500, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(body);
      return;
    }
    if (fault === 'latency') await new Promise((resolve) => setTimeout(resolve, proxy.plan.latencyMs));
    if (req.socket.destroyed) return;

    const upstreamResponse = await new Promise<IncomingMessage>((resolve, reject) => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
      const forwarded = http.request({ agent, host: target.hostname, port: target.port, method, path, headers }, resolve);
      forwarded.once('error', reject);
      req.pipe(forwarded);
    });
    const headers = Object.fromEntries(Object.entries(upstreamResponse.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
    const chunks: Buffer[] = [];
    for await (const chunk of upstreamResponse) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const cutsBody = (fault === 'resetMidBody' || fault === 'truncatedBody') && body.length > 1;
    if (!cutsBody) {
      res.writeHead(upstreamResponse.statusCode ?? 502, { ...headers, 'content-length': String(body.length) }).end(body);
      return;
    }
    // Announce the whole body, send half, then break the connection: abruptly (RST) or politely (FIN).
    res.writeHead(upstreamResponse.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
      if (fault === 'resetMidBody') req.socket.resetAndDestroy();
      else req.socket.end();
    });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    if (gone()) {
      noteRefusal('CONNECT', '');
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
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
