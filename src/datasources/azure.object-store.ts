import { Agent as HttpsAgent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import type { Readable } from 'node:stream';
import {
  AnonymousCredential,
  BlobSASPermissions,
  ContainerClient,
  generateBlobSASQueryParameters,
  Pipeline,
  StorageSharedKeyCredential,
  type RequestPolicyFactory,
  type StoragePipelineOptions,
} from '@azure/storage-blob';
import { AppError, isAppError } from '../errors.js';
import { translateAzureError, type AzureOperation } from './azure-errors.js';
import { parseSasToken, type SasToken } from './azure-sas.js';
import type { AzureCredential } from './datasource-settings.js';
import { checkEndpointUrl, endpointRefusedByGuard, guardedLookup, isGuardRefusal, type EndpointRules } from './endpoint-guard.js';
import { assertWritable, compareKeys, objectTooLarge, type ListOptions, type ObjectStore, type ObjectSummary } from './object-store.js';
import { createPresignedUrlCache } from './presigned-url-cache.js';

export interface AzureStoreOptions {
  account: string;
  container: string;
  /** The blob service URL; default `https://<account>.blob.core.windows.net`. */
  endpoint: string | undefined;
  credential: AzureCredential;
  /** Writes and deletes are refused outside this prefix. */
  writablePrefix: string | undefined;
  maxAttempts: number;
  /** Longest one try may take. */
  requestTimeoutMs: number;
  /** Longest one call may take, all tries included. */
  callDeadlineMs: number;
  /** Addresses the endpoint may resolve to; checked on every connection. */
  endpointRules: EndpointRules;
  maxSockets?: number;
  now?: () => number;
}

/** Azure refuses pages of more than 5,000 blobs. */
const MAX_PAGE = 5_000;
const PRESIGNED_URLS_KEPT = 100_000;

/**
 * The blob service URL of an account. A custom endpoint with no path whose host is not the
 * account's own (`http://127.0.0.1:10000`, Azurite's layout) takes the account as its first path segment.
 */
export function azureServiceUrl(account: string, endpoint: string | undefined): string {
  if (endpoint === undefined) return `https://${account}.blob.core.windows.net`;
  const url = new URL(endpoint);
  const trimmed = endpoint.replace(/\/+$/, '');
  return url.pathname.replace(/\/+$/, '') === '' && !url.hostname.startsWith(`${account}.`) ? `${trimmed}/${account}` : trimmed;
}

/** A container of an Azure storage account seen as a bucket; keys are blob names. */
export function createAzureObjectStore(options: AzureStoreOptions): ObjectStore {
  const serviceUrl = azureServiceUrl(options.account, options.endpoint);
  const now = options.now ?? Date.now;
  let endpointRefusal: AppError | undefined;
  try {
    checkEndpointUrl(serviceUrl, options.endpointRules);
  } catch (error) {
    endpointRefusal = error as AppError;
  }
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, lookup: guardedLookup(options.endpointRules) };
  const agent = serviceUrl.startsWith('https:') ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  // Every request goes through the guarded agent, so the endpoint's name is checked on each connection.
  const useGuardedAgent: RequestPolicyFactory = {
    create: (next) => ({
      sendRequest: (request) => {
        request.agent = agent;
        return next.sendRequest(request);
      },
    }),
  };
  const sas: SasToken | undefined = options.credential.kind === 'sas' ? (parseSasToken(options.credential.token) as SasToken) : undefined;
  const sharedKey = options.credential.kind === 'shared-key' ? new StorageSharedKeyCredential(options.account, options.credential.accountKey) : undefined;
  // Pipeline's own type names only httpClient, but it passes every StoragePipelineOptions on (retries included).
  const pipelineOptions: StoragePipelineOptions = { retryOptions: { maxTries: options.maxAttempts, tryTimeoutInMs: options.requestTimeoutMs } };
  const pipeline = new Pipeline([useGuardedAgent, sharedKey ?? new AnonymousCredential()], pipelineOptions);
  const containerUrl = `${serviceUrl}/${encodeURIComponent(options.container)}${sas ? `?${sas.token}` : ''}`;
  const container = new ContainerClient(containerUrl, pipeline);
  const description = `azure://${options.account}/${options.container}/`;

  async function call<T>(operation: AzureOperation, key: string, run: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    if (endpointRefusal !== undefined) throw endpointRefusal;
    const deadline = AbortSignal.timeout(options.callDeadlineMs);
    try {
      return await run(deadline);
    } catch (error) {
      if (isAppError(error)) throw error;
      if (isGuardRefusal(error)) throw endpointRefusedByGuard(serviceUrl, error, options.endpointRules);
      if (deadline.aborted) {
        throw new AppError(
          'DatasourceUnreachable',
          `Azure ${operation} of ${description}${key} got no complete answer from ${serviceUrl} within ${options.callDeadlineMs / 1000} s.`,
          {
            hint: 'Check the endpoint URL and the network; WINNOW_S3_CALL_DEADLINE_MS sets how long one call may take.',
            details: { operation, endpoint: serviceUrl },
          },
        );
      }
      throw translateAzureError(error, {
        operation,
        account: options.account,
        container: options.container,
        key,
        endpoint: serviceUrl,
        sas,
        now: new Date(now()),
      });
    }
  }

  const presignedUrls = createPresignedUrlCache(
    async (key, expiresIn, signingDate) => {
      if (sharedKey === undefined) throw presignNeedsKey(description, key);
      const query = generateBlobSASQueryParameters(
        {
          containerName: options.container,
          blobName: key,
          permissions: BlobSASPermissions.parse('r'),
          expiresOn: new Date(signingDate.getTime() + expiresIn * 1000),
        },
        sharedKey,
      ).toString();
      return `${container.getBlobClient(key).url}?${query}`;
    },
    { maxEntries: PRESIGNED_URLS_KEPT, now },
  );
  // The URL cache tells identities apart by key id; an Azure account has one identity here, and its key never expires.
  const accountIdentity = { accessKeyId: options.account, secretAccessKey: '' };

  return {
    description,

    async *listPages(prefix: string, listOptions: ListOptions = {}): AsyncIterable<ObjectSummary[]> {
      const pageSize = Math.min(listOptions.pageSize ?? 1000, MAX_PAGE);
      // List Blobs has no "start after": a resumed listing starts over and skips the keys already taken.
      // Azure lists "in alphabetical order" (Azurite by UTF-16 code units, which differs from byte order
      // only where characters above U+FFFF meet U+E000-U+FFFF), so skipping ends at the cursor key itself
      // as well as past it in byte order: a key the service lists after the cursor is never lost.
      const startAfter = listOptions.startAfter;
      let skipping = startAfter !== undefined;
      const taken = (key: string): boolean => {
        if (!skipping) return true;
        if (key === startAfter) {
          skipping = false;
          return false;
        }
        return compareKeys(key, startAfter!) > 0;
      };
      let continuationToken: string | undefined;
      do {
        const response = await call('List Blobs', prefix, async (abortSignal) => {
          const page = await container.listBlobsFlat({ prefix, abortSignal }).byPage({ continuationToken, maxPageSize: pageSize }).next();
          return page.done ? undefined : page.value;
        });
        const blobs = (response?.segment.blobItems ?? [])
          .map((blob) => ({
            key: blob.name,
            size: blob.properties.contentLength ?? 0,
            etag: blob.properties.etag?.replaceAll('"', ''),
            lastModified: blob.properties.lastModified,
          }))
          .filter((blob) => taken(blob.key));
        continuationToken = response?.continuationToken || undefined;
        if (blobs.length > 0 || continuationToken === undefined) yield blobs;
      } while (continuationToken !== undefined);
    },

    async readRange(key, start, endInclusive) {
      return call('Get Blob', key, async (abortSignal) => {
        try {
          const response = await container.getBlobClient(key).download(start, endInclusive - start + 1, { abortSignal });
          return await readAll(response.readableStreamBody);
        } catch (error) {
          // A range that starts past the end (an empty blob): fewer bytes, as the interface allows.
          if ((error as { statusCode?: number }).statusCode === 416) return new Uint8Array();
          throw error;
        }
      });
    },

    async readObject(key, maxBytes) {
      return call('Get Blob', key, async (abortSignal) => {
        const response = await container.getBlobClient(key).download(0, undefined, { abortSignal });
        const size = response.contentLength ?? 0;
        if (size > maxBytes) {
          (response.readableStreamBody as Readable | undefined)?.destroy();
          throw objectTooLarge(description, key, size, maxBytes);
        }
        return { body: Buffer.from(await readAll(response.readableStreamBody)), etag: response.etag?.replaceAll('"', '') };
      });
    },

    async write(key, body, contentType) {
      assertWritable(key, options.writablePrefix, description);
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      await call('Put Blob', key, (abortSignal) =>
        container.getBlockBlobClient(key).upload(bytes, bytes.byteLength, { abortSignal, blobHTTPHeaders: { blobContentType: contentType } }),
      );
    },

    async delete(key) {
      assertWritable(key, options.writablePrefix, description);
      await call('Delete Blob', key, (abortSignal) => container.getBlobClient(key).delete({ abortSignal }));
    },

    async presignGet(key, expiresInSeconds, minRemainingSeconds) {
      if (endpointRefusal !== undefined) throw endpointRefusal;
      return presignedUrls(key, expiresInSeconds, accountIdentity, minRemainingSeconds);
    },
  };
}

function presignNeedsKey(description: string, key: string): AppError {
  return new AppError(
    'InputInvalid',
    `Cannot give a browser a read-only link to ${description}${key}: a SAS token cannot sign another SAS, and Winnow never hands out the stored token.`,
    {
      hint: 'Winnow serves the images of SAS-token datasets itself; connect with the account key for short-lived read-only SAS links instead.',
    },
  );
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Uint8Array> {
  if (stream === undefined) return new Uint8Array();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
