/**
 * Azurite's blob service in a child process (port chosen by the system), plus helpers that seed
 * containers with the account key and make SAS tokens that Azurite really enforces
 * (permissions, expiry, the container they are signed for).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContainerSASPermissions, BlobServiceClient, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';

/** Azurite's built-in account and key (public, documented; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const BIN = fileURLToPath(new URL('../../node_modules/azurite/dist/src/blob/main.js', import.meta.url));
const STARTUP_TIMEOUT_MS = 30_000;

export interface Azurite {
  /** `http://127.0.0.1:<port>`: give it as the datasource's endpoint (Winnow adds the account). */
  endpoint: string;
  service: BlobServiceClient;
  createContainer(name: string): Promise<void>;
  putBlobs(container: string, blobs: Array<{ key: string; body: Uint8Array | string }>): Promise<void>;
  /** A container SAS token (without '?') with these permission letters, valid until `expiresOn` (default: in an hour). */
  containerSas(container: string, permissions: string, expiresOn?: Date): string;
  stop(): Promise<void>;
}

export async function startAzurite(): Promise<Azurite> {
  const directory = await mkdtemp(path.join(tmpdir(), 'azurite-'));
  const child = spawn(
    process.execPath,
    [BIN, '--blobHost', '127.0.0.1', '--blobPort', '0', '--location', directory, '--silent', '--disableTelemetry', '--skipApiVersionCheck'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let port: number;
  try {
    port = await waitForPort(child);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  child.unref();
  const endpoint = `http://127.0.0.1:${port}`;
  const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
  const service = new BlobServiceClient(`${endpoint}/${AZURITE_ACCOUNT}`, credential);
  return {
    endpoint,
    service,
    createContainer: async (name) => {
      await service.getContainerClient(name).createIfNotExists();
    },
    putBlobs: async (container, blobs) => {
      const client = service.getContainerClient(container);
      for (const { key, body } of blobs) {
        const bytes = typeof body === 'string' ? Buffer.from(body) : body;
        await client.getBlockBlobClient(key).upload(bytes, bytes.byteLength);
      }
    },
    containerSas: (container, permissions, expiresOn = new Date(Date.now() + 3_600_000)) =>
      generateBlobSASQueryParameters({ containerName: container, permissions: ContainerSASPermissions.parse(permissions), expiresOn }, credential).toString(),
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const escalation = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(escalation);
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Azurite prints "successfully listens on http://127.0.0.1:<port>" once it accepts connections. */
function waitForPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => done(new Error(`Azurite did not start within ${STARTUP_TIMEOUT_MS} ms: ${output}`)), STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listens on https?:\/\/[^:]+:(\d+)/.exec(output);
      if (match) done(undefined, Number(match[1]));
    };
    const onExit = (code: number | null): void => done(new Error(`Azurite exited (code ${code}) before it was ready: ${output}`));
    function done(error: Error | undefined, port?: number): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining its output so a chatty Azurite never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      if (error) reject(error);
      else resolve(port!);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}
