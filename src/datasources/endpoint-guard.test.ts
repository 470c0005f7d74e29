import { request } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3rverClient, putObjects, startS3Server, type S3Server } from '../../test/support/s3-server.js';
import { localS3StoreOptions } from '../../test/support/s3-store.js';
import { isAppError } from '../errors.js';
import { addressRefusal, checkEndpoint, checkEndpointUrl, classifyAddress, guardedLookup, type EndpointRules, type Resolver } from './endpoint-guard.js';
import { createS3ObjectStore, type S3StoreOptions } from './s3.object-store.js';

const CLI: EndpointRules = { privateAddresses: true, linkLocalAddresses: false };
const API: EndpointRules = { privateAddresses: false, linkLocalAddresses: false };

/** A resolver that answers from a table and records every name it was asked for; nothing reaches DNS. */
function tableResolver(table: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolver = ((hostname, _options, callback) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined) return callback(Object.assign(new Error(`no ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  }) as Resolver & { asked: string[] };
  resolver.asked = asked;
  return resolver;
}

const refusalOf = (run: () => unknown) => {
  try {
    run();
    return undefined;
  } catch (error) {
    return error;
  }
};

describe('classifyAddress', () => {
  it.each([
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.10', 'private'],
    ['fd12:3456::1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unroutable'],
    ['::', 'unroutable'],
    ['224.0.0.1', 'unroutable'],
    ['52.216.8.1', 'public'],
    ['2600:1f18::1', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('refuses metadata and link-local everywhere, private and loopback only for the API', () => {
    expect(addressRefusal('169.254.169.254', CLI)).toMatch(/metadata/);
    expect(addressRefusal('10.0.0.1', CLI)).toBeUndefined();
    expect(addressRefusal('10.0.0.1', API)).toMatch(/private/);
    expect(addressRefusal('127.0.0.1', API)).toMatch(/loopback/);
    expect(addressRefusal('169.254.169.254', { privateAddresses: true, linkLocalAddresses: true })).toBeUndefined();
  });
});

describe('checkEndpointUrl', () => {
  it.each(['http://169.254.169.254', 'http://[fd00:ec2::254]/', 'http://0.0.0.0:9000', 'http://[::ffff:a9fe:a9fe]'])(
    'refuses %s for the CLI and the API',
    (endpoint) => {
      for (const rules of [CLI, API]) {
        const error = refusalOf(() => checkEndpointUrl(endpoint, rules));
        expect(isAppError(error, 'EndpointRefused')).toBe(true);
      }
    },
  );

  it('refuses a private address for the API only', () => {
    expect(refusalOf(() => checkEndpointUrl('http://10.0.0.1:9000', CLI))).toBeUndefined();
    const error = refusalOf(() => checkEndpointUrl('http://10.0.0.1:9000', API));
    expect(isAppError(error, 'EndpointRefused') && error.hint).toMatch(/WINNOW_API_ALLOW_PRIVATE_ENDPOINTS/);
  });

  it('refuses a user name or password in the URL, without echoing it', () => {
    const error = refusalOf(() => checkEndpointUrl('https://admin:hunter2@minio.example.com', CLI));
    expect(isAppError(error, 'EndpointRefused')).toBe(true);
    expect((error as Error).message).toMatch(/user name or password/);
  });

  it('checks the addresses a name resolves to when the dataset is created', async () => {
    const resolver = tableResolver({
      'metadata.example.test': ['52.216.8.1', '169.254.169.254'],
      'minio.example.test': ['10.1.2.3'],
      'unknown.example.test': [],
    });
    await expect(checkEndpoint('http://metadata.example.test', CLI, resolver)).rejects.toMatchObject({
      code: 'EndpointRefused',
      message: expect.stringContaining('metadata.example.test resolves to 169.254.169.254'),
    });
    await expect(checkEndpoint('http://minio.example.test:9000', CLI, resolver)).resolves.toBeUndefined();
    await expect(checkEndpoint('http://minio.example.test:9000', API, resolver)).rejects.toMatchObject({ code: 'EndpointRefused' });
    await expect(checkEndpoint('http://not-in-dns.example.test', API, resolver)).resolves.toBeUndefined();
  });
});

describe('guardedLookup', () => {
  it('refuses the connection after resolution, on every connection (DNS rebinding)', async () => {
    // The name answers a public address first, then the metadata address: the second connection must not happen.
    let answers = 0;
    const rebinding: Resolver = (_hostname, _options, callback) => {
      answers++;
      callback(null, [{ address: answers === 1 ? '52.216.8.1' : '169.254.169.254', family: 4 }]);
    };
    const lookup = guardedLookup(CLI, rebinding);
    const resolveVia = () =>
      new Promise<string>((resolve, reject) =>
        lookup('bucket.rebind.test', { all: false }, (error, address) => (error ? reject(error) : resolve(address as string))),
      );
    await expect(resolveVia()).resolves.toBe('52.216.8.1');
    await expect(resolveVia()).rejects.toMatchObject({ code: 'EWINNOWREFUSED', message: expect.stringContaining('169.254.169.254') });
  });

  it('stops an HTTP request before any socket is opened', async () => {
    const resolver = tableResolver({ 'imds.example.test': ['169.254.169.254'] });
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const sent = request({ host: 'imds.example.test', path: '/latest/meta-data/', lookup: guardedLookup(CLI, resolver), timeout: 2_000 }, () =>
        resolve(new Error('connected')),
      );
      sent.on('error', resolve);
      sent.end();
    });
    expect(error.code).toBe('EWINNOWREFUSED');
    expect(resolver.asked).toEqual(['imds.example.test']);
  });
});

describe('the S3 store behind the guard', () => {
  let s3: S3Server;
  let blackHole: Server;
  const sockets = new Set<Socket>();
  const options = (endpoint: string, rules: EndpointRules, timeouts: Partial<S3StoreOptions> = {}): S3StoreOptions =>
    localS3StoreOptions(endpoint, { bucket: 'guarded', maxAttempts: 3, requestTimeoutMs: 10_000, callDeadlineMs: 10_000, endpointRules: rules, ...timeouts });
  const listAll = async (store: ReturnType<typeof createS3ObjectStore>) => {
    const keys: string[] = [];
    for await (const page of store.listPages('')) keys.push(...page.map((entry) => entry.key));
    return keys;
  };

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: ['guarded'] });
    const client = createS3rverClient(s3.endpoint);
    await putObjects(client, 'guarded', [{ key: 'a.jpg', body: 'x' }]);
    client.destroy();
    // Accepts connections and never answers, like an endpoint behind a black-holing firewall.
    blackHole = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
    await s3?.stop();
  });

  it('lists through a name that resolves to loopback for the CLI, and refuses it for the API', async () => {
    const byName = s3.endpoint.replace('127.0.0.1', 'localhost');
    expect(await listAll(createS3ObjectStore(options(byName, CLI)))).toEqual(['a.jpg']);
    const refused = await listAll(createS3ObjectStore(options(byName, API))).catch((error: unknown) => error);
    expect(isAppError(refused, 'EndpointRefused')).toBe(true);
    expect((refused as Error).message).toMatch(/localhost resolves to (127\.0\.0\.1|::1), which is this machine/);
  });

  it('refuses an IP-literal endpoint of a refused class on the first call', async () => {
    const refused = await listAll(createS3ObjectStore(options(s3.endpoint, API))).catch((error: unknown) => error);
    expect(isAppError(refused, 'EndpointRefused')).toBe(true);
  });

  it('gives up on an endpoint that never answers at the call deadline, retries included', async () => {
    const { port } = blackHole.address() as { port: number };
    const store = createS3ObjectStore(options(`http://127.0.0.1:${port}`, CLI, { requestTimeoutMs: 60_000, callDeadlineMs: 1_500 }));
    const error = await listAll(store).catch((caught: unknown) => caught);
    expect(isAppError(error, 'DatasourceUnreachable')).toBe(true);
    expect((error as Error).message).toContain('within 1.5 s');
  });
});
