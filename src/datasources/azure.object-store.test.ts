import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '../errors.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from '../../test/support/azurite.js';
import { azureServiceUrl, createAzureObjectStore, type AzureStoreOptions } from './azure.object-store.js';
import type { AzureCredential } from './datasource-settings.js';
import type { ObjectStore } from './object-store.js';

const KEYS = ['farm/a b#?.jpg', 'farm/a-b/x.jpg', 'farm/a.jpg', 'farm/a/x.jpg', 'farm/é.jpg', 'farm-2/x.jpg', 'other/y.jpg'];
const LOOPBACK = { privateAddresses: true, linkLocalAddresses: false };

async function listAll(store: ObjectStore, prefix: string, options: { pageSize?: number; startAfter?: string } = {}): Promise<string[][]> {
  const pages: string[][] = [];
  for await (const page of store.listPages(prefix, options)) pages.push(page.map((object) => object.key));
  return pages;
}

async function caught(run: () => Promise<unknown>): Promise<AppError> {
  try {
    await run();
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('Azure Blob object store (Azurite)', () => {
  let azurite: Azurite;
  let options: (credential: AzureCredential) => AzureStoreOptions;

  beforeAll(async () => {
    azurite = await startAzurite();
    await azurite.createContainer('images');
    await azurite.createContainer('other-images');
    await azurite.putBlobs(
      'images',
      KEYS.map((key) => ({ key, body: `bytes of ${key}` })),
    );
    options = (credential) => ({
      account: AZURITE_ACCOUNT,
      container: 'images',
      endpoint: azurite.endpoint,
      credential,
      writablePrefix: 'farm/.winnow/',
      maxAttempts: 1,
      requestTimeoutMs: 5_000,
      callDeadlineMs: 10_000,
      endpointRules: LOOPBACK,
    });
  });
  afterAll(() => azurite?.stop());

  const withKey = () => createAzureObjectStore(options({ kind: 'shared-key', accountKey: AZURITE_KEY }));
  const withSas = (permissions: string, container = 'images', expiresOn?: Date) =>
    createAzureObjectStore(options({ kind: 'sas', token: azurite.containerSas(container, permissions, expiresOn) }));

  it('lists only the prefix, page by page, and resumes after a key', async () => {
    const store = withKey();
    expect((await listAll(store, 'farm/', { pageSize: 2 })).flat()).toEqual(['farm/a b#?.jpg', 'farm/a-b/x.jpg', 'farm/a.jpg', 'farm/a/x.jpg', 'farm/é.jpg']);
    expect((await listAll(store, 'farm/', { pageSize: 2 })).map((page) => page.length)).toEqual([2, 2, 1]);
    expect((await listAll(store, 'farm/', { pageSize: 2, startAfter: 'farm/a.jpg' })).flat()).toEqual(['farm/a/x.jpg', 'farm/é.jpg']);
  });

  it('reads a range and a whole blob, refusing one over the size cap before reading it', async () => {
    const store = withKey();
    expect(Buffer.from(await store.readRange('farm/a.jpg', 0, 4)).toString()).toBe('bytes');
    const whole = await store.readObject('farm/a.jpg', 1_000);
    expect(whole.body.toString()).toBe('bytes of farm/a.jpg');
    expect(whole.etag).toMatch(/^[^"]+$/);
    expect((await caught(() => store.readObject('farm/a.jpg', 5))).code).toBe('ImageTooLarge');
  });

  it('writes and deletes only under the writable prefix', async () => {
    const store = withKey();
    await store.write('farm/.winnow/probes/p.txt', 'probe', 'text/plain');
    await store.delete('farm/.winnow/probes/p.txt');
    expect((await caught(() => store.write('farm/a.jpg', 'x'))).code).toBe('InputInvalid');
    expect((await caught(() => store.delete('farm/a.jpg'))).code).toBe('InputInvalid');
    expect((await caught(() => store.write('farm/.winnow/../a.jpg', 'x'))).code).toBe('InputInvalid');
  });

  it('presigns a read-only SAS URL for one blob, never the account key', async () => {
    const store = withKey();
    const { url, validUntil } = await store.presignGet('farm/a b#?.jpg', 900);
    expect(validUntil).toBeGreaterThanOrEqual(Date.now() + 899_000);
    const parsed = new URL(url);
    expect(parsed.searchParams.get('sp')).toBe('r');
    expect(parsed.searchParams.get('sr')).toBe('b');
    expect(url).not.toContain(encodeURIComponent(AZURITE_KEY));
    expect(await (await fetch(url)).text()).toBe('bytes of farm/a b#?.jpg');
    // The same signature neither writes nor reads another blob.
    expect((await fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'x' })).status).toBe(403);
    const other = new URL(url);
    other.pathname = other.pathname.replace(/[^/]+$/, 'a.jpg');
    expect((await fetch(other)).status).toBe(403);
    expect((await store.presignGet('farm/a b#?.jpg', 900)).url).toBe(url);
  });

  it('does not presign with a SAS token: the stored token is never handed out', async () => {
    const error = await caught(() => withSas('rl').presignGet('farm/a.jpg', 900));
    expect(error.message).toContain('never hands out the stored token');
  });

  it('names the missing SAS letter when a read-only token lists', async () => {
    const error = await caught(() => listAll(withSas('r'), 'farm/'));
    expect(error.code).toBe('DatasourceAccessDenied');
    expect(error.message).toContain('List Blobs needs l (list)');
    expect(error.hint).toContain('--permissions rl');
  });

  it('names the missing letters when a list-only token reads, writes and deletes', async () => {
    const store = withSas('l');
    expect((await listAll(store, 'farm/')).flat()).toHaveLength(5);
    expect((await caught(() => store.readRange('farm/a.jpg', 0, 0))).message).toContain('needs r (read)');
    const write = await caught(() => store.write('farm/.winnow/p.txt', 'x'));
    expect(write.message).toContain('c (create)');
    expect(write.hint).toContain('Add c and w');
    expect((await caught(() => store.delete('farm/.winnow/p.txt'))).message).toContain('needs d (delete)');
  });

  it('tells create from overwrite: c alone writes a new blob but cannot replace it', async () => {
    const store = withSas('rlc');
    await store.write('farm/.winnow/probes/once.txt', 'one');
    const overwrite = await caught(() => store.write('farm/.winnow/probes/once.txt', 'two'));
    expect(overwrite.code).toBe('DatasourceAccessDenied');
    expect(overwrite.hint).toContain('Add w');
  });

  it('says when the SAS token expired', async () => {
    const error = await caught(() => listAll(withSas('rl', 'images', new Date(Date.now() - 60_000)), 'farm/'));
    expect(error.code).toBe('DatasourceCredentialsExpired');
    expect(error.message).toMatch(/SAS token expired at \d{4}-/);
  });

  it('says when the SAS token is signed for another container', async () => {
    const error = await caught(() => listAll(withSas('rlwcd', 'other-images'), 'farm/'));
    expect(error.code).toBe('DatasourceAccessDenied');
    expect(error.message).toContain('scoped to another container or directory');
  });

  it('says a wrong account key was refused', async () => {
    const store = createAzureObjectStore(options({ kind: 'shared-key', accountKey: Buffer.alloc(64, 7).toString('base64') }));
    const error = await caught(() => listAll(store, 'farm/'));
    // Azure answers AuthenticationFailed (DatasourceSignatureMismatch); Azurite answers AuthorizationFailure.
    expect(error.code).toBe('DatasourceAccessDenied');
    expect(error.message).toContain('the account key was refused');
  });

  it('reports a missing container', async () => {
    const store = createAzureObjectStore({ ...options({ kind: 'shared-key', accountKey: AZURITE_KEY }), container: 'nope' });
    expect((await caught(() => listAll(store, 'farm/'))).code).toBe('DatasourceBucketNotFound');
  });

  it('refuses a loopback endpoint when private addresses are not allowed', async () => {
    const store = createAzureObjectStore({
      ...options({ kind: 'shared-key', accountKey: AZURITE_KEY }),
      endpointRules: { privateAddresses: false, linkLocalAddresses: false },
    });
    expect((await caught(() => listAll(store, 'farm/'))).code).toBe('EndpointRefused');
  });
});

describe('azureServiceUrl', () => {
  it('uses the account host by default and adds the account to an emulator address', () => {
    expect(azureServiceUrl('acct', undefined)).toBe('https://acct.blob.core.windows.net');
    expect(azureServiceUrl('devstoreaccount1', 'http://127.0.0.1:10000')).toBe('http://127.0.0.1:10000/devstoreaccount1');
    expect(azureServiceUrl('devstoreaccount1', 'http://127.0.0.1:10000/devstoreaccount1/')).toBe('http://127.0.0.1:10000/devstoreaccount1');
    expect(azureServiceUrl('acct', 'https://acct.privatelink.blob.core.windows.net')).toBe('https://acct.privatelink.blob.core.windows.net');
  });
});
