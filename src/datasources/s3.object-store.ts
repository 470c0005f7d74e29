import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentityProvider, StandardRetryToken } from '@smithy/types';
import { AppError, isAppError } from '../errors.js';
import { checkEndpointUrl, endpointRefusedByGuard, guardedLookup, isGuardRefusal, type EndpointRules } from './endpoint-guard.js';
import type { StaticCredentials } from './aws-credentials.js';
import { assertWritable, objectTooLarge, type ListOptions, type ObjectStore, type ObjectSummary, type StorageRetry, type WholeObject } from './object-store.js';
import { observedRetryStrategy } from './s3-retries.js';
import { createPresignedUrlCache, type SignGet } from './presigned-url-cache.js';
import { createPresigner } from './s3-presigner.js';
import { directGet, type DirectGetResult } from './s3-direct-get.js';
import { translateS3Error, type S3CallContext, type S3Flavor, type S3Operation } from './s3-errors.js';

/**
 * The first listing page is small: the SDK parses it while V8 still interprets its XML deserializer, which
 * costs ~2x a warm parse per key; a 100-key page warms it at little cost (10k keys listed 14% faster from s3rver).
 */
const FIRST_PAGE_KEYS = 100;

export type S3Credentials = StaticCredentials | AwsCredentialIdentityProvider;

/** How long the URL of a direct read is valid: it is used at once, so this only has to outlast a slow connect. */
const DIRECT_GET_EXPIRES_SECONDS = 300;

/** About 100 pages of the grid's 200 images and thumbnails; some 600 bytes each (more with a session token). */
const PRESIGNED_URLS_KEPT = 100_000;

export interface S3StoreOptions {
  bucket: string;
  region: string;
  endpoint: string | undefined;
  pathStyle: boolean;
  /** Undefined uses the AWS SDK's default credential chain (environment, profile, instance role). */
  credentials: S3Credentials | undefined;
  /** For messages: the key id of static credentials, or the role being assumed. */
  identity: string | undefined;
  sseKmsKeyId: string | undefined;
  /** Writes and deletes are refused outside this prefix. */
  writablePrefix: string | undefined;
  maxAttempts: number;
  connectTimeoutMs: number;
  /** Longest wait for the next bytes of an answer, per attempt. */
  requestTimeoutMs: number;
  /** Longest one call may take, all attempts included. */
  callDeadlineMs: number;
  /** Addresses the endpoint may resolve to; checked on every connection. */
  endpointRules: EndpointRules;
  maxSockets?: number;
  /** `gcs`: Google Cloud Storage's XML API (gs:// locations): descriptions and errors speak GCS. */
  flavor?: S3Flavor;
  /** Told before each retry of a failed call (a progress line shows it). */
  onRetry?: (retry: StorageRetry) => void;
}

/** An answer whose body broke off (connection reset, closed early): the SDK has already returned, so Winnow retries the call. */
class BrokenBody extends Error {
  constructor(
    readonly received: number | undefined,
    readonly expected: number | undefined,
    cause: unknown,
  ) {
    super(received === undefined ? 'the connection broke while the body was read' : `the body ended after ${received} of ${expected} bytes`, { cause });
  }
}

/** The whole body of a GetObject answer, or BrokenBody when fewer bytes arrived than it announced. */
async function readBody(response: { Body?: { transformToByteArray(): Promise<Uint8Array> }; ContentLength?: number }): Promise<Uint8Array> {
  if (!response.Body) return new Uint8Array();
  let bytes: Uint8Array;
  try {
    bytes = await response.Body.transformToByteArray();
  } catch (error) {
    throw new BrokenBody(undefined, response.ContentLength, error);
  }
  if (response.ContentLength !== undefined && bytes.byteLength !== response.ContentLength) {
    throw new BrokenBody(bytes.byteLength, response.ContentLength, undefined);
  }
  return bytes;
}

export function createS3ObjectStore(options: S3StoreOptions): ObjectStore {
  const endpointLabel = options.endpoint ?? `https://s3.${options.region}.amazonaws.com`;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, lookup: guardedLookup(options.endpointRules) };
  const agents = { httpAgent: new HttpAgent(agentOptions), httpsAgent: new Agent(agentOptions) };
  // An IP-literal endpoint is never looked up, so it is checked here, once; the error is thrown by the first call.
  let endpointRefusal: AppError | undefined;
  try {
    if (options.endpoint !== undefined) checkEndpointUrl(options.endpoint, options.endpointRules);
  } catch (error) {
    endpointRefusal = error as AppError;
  }
  // The SDK's retry strategy is the client's, shared by every call; this tells it which call it is retrying.
  const callInFlight = new AsyncLocalStorage<{ operation: S3Operation; spentAttempt?: StandardRetryToken | undefined }>();
  const retryStrategy = observedRetryStrategy(options.maxAttempts, (retry) => options.onRetry?.({ ...retry, operation: callInFlight.getStore()?.operation }));
  // A direct read that failed in a way worth retrying was the call's first attempt: the SDK goes on from its token.
  const clientRetryStrategy: typeof retryStrategy = {
    ...retryStrategy,
    acquireInitialRetryToken: async (scope: string) => {
      const call = callInFlight.getStore();
      const spent = call?.spentAttempt;
      if (call !== undefined) call.spentAttempt = undefined;
      return spent ?? retryStrategy.acquireInitialRetryToken(scope);
    },
  };
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    // Dotted bucket names break virtual-hosted TLS certificates, so they always go path-style.
    forcePathStyle: options.pathStyle || options.bucket.includes('.'),
    credentials: options.credentials,
    maxAttempts: options.maxAttempts,
    retryStrategy: clientRetryStrategy,
    // Many S3-compatible stores reject the newer default CRC32 checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      throwOnRequestTimeout: true,
      ...agents,
    }),
  });
  let presigner: ReturnType<typeof createPresigner> | undefined;
  const signGet: SignGet = async (key, expiresIn, signingDate, credentials) => {
    presigner ??= createPresigner(client, options.bucket);
    presigner.catch(() => (presigner = undefined));
    return (await presigner)(key, expiresIn, signingDate, credentials);
  };
  const presignedUrls = createPresignedUrlCache(signGet, { maxEntries: PRESIGNED_URLS_KEPT, now: Date.now });
  const description = `${options.flavor === 'gcs' ? 'gs' : 's3'}://${options.bucket}/`;

  async function call<T>(operation: S3Operation, key: string, run: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    if (endpointRefusal !== undefined) throw endpointRefusal;
    const deadline = AbortSignal.timeout(options.callDeadlineMs);
    try {
      return await callInFlight.run({ operation }, () => retryingBrokenBodies(() => run(deadline), deadline));
    } catch (error) {
      if (isAppError(error)) throw error;
      if (error instanceof BrokenBody && !deadline.aborted) {
        throw new AppError('DatasourceUnavailable', `S3 ${operation} of ${description}${key} from ${endpointLabel}: ${error.message}, also when retried.`, {
          cause: error,
          hint: 'The connection to the storage keeps breaking; the next run tries this object again. WINNOW_S3_MAX_ATTEMPTS sets how often a call is tried.',
          details: { operation, endpoint: endpointLabel },
        });
      }
      if (isGuardRefusal(error)) throw endpointRefusedByGuard(endpointLabel, error, options.endpointRules);
      if (deadline.aborted) {
        throw new AppError(
          'DatasourceUnreachable',
          `S3 ${operation} of ${description}${key} got no complete answer from ${endpointLabel} within ${options.callDeadlineMs / 1000} s.`,
          {
            cause: error,
            hint: 'Check the endpoint URL and the network; WINNOW_S3_CALL_DEADLINE_MS sets how long one call may take.',
            details: { operation, endpoint: endpointLabel },
          },
        );
      }
      const context: S3CallContext = {
        operation,
        bucket: options.bucket,
        key,
        accessKeyId: options.identity,
        endpoint: endpointLabel,
        sseKmsKeyId: operation === 'PutObject' ? options.sseKmsKeyId : undefined,
        flavor: options.flavor,
      };
      throw translateS3Error(error, context);
    }
  }

  /**
   * The SDK retries a call until its answer's headers arrive; a body that breaks off later is retried here,
   * with the same strategy (same backoff, same retry budget), so a truncated read is never taken for the object.
   */
  async function retryingBrokenBodies<T>(attempt: () => Promise<T>, deadline: AbortSignal): Promise<T> {
    let token = await retryStrategy.acquireInitialRetryToken('winnow:body');
    for (;;) {
      try {
        const result = await attempt();
        if (token.getRetryCount() > 0) retryStrategy.recordSuccess(token);
        return result;
      } catch (error) {
        if (!(error instanceof BrokenBody) || deadline.aborted) throw error;
        try {
          token = await retryStrategy.refreshRetryTokenForRetry(token, {
            errorType: 'TRANSIENT',
            error: { name: 'BodyCutShort', message: error.message, $metadata: {} },
          });
        } catch {
          throw error;
        }
      }
    }
  }

  async function readWithSdk(key: string, maxBytes: number, abortSignal: AbortSignal): Promise<WholeObject> {
    const response = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }), { abortSignal });
    const size = response.ContentLength ?? 0;
    if (size > maxBytes) {
      (response.Body as Readable | undefined)?.destroy();
      throw objectTooLarge(description, key, size, maxBytes);
    }
    const bytes = await readBody(response);
    return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), etag: response.ETag?.replaceAll('"', '') };
  }

  /**
   * Whole-object reads skip the SDK's per-call path: its middleware stack, serialisers, endpoint
   * rules and signing took 2.4 CPU-ms a 13 KB thumbnail where node:http takes 0.4-0.5
   * (bench:embed-stages; response checksums were already off, CRC32 was 0.7% of a profile).
   * A GET of a URL signed as `presignGet` signs (the SDK's endpoint, credentials and clock
   * offset) goes over the same agents; anything but a complete 200 goes to the SDK, which
   * retries and explains errors as before. They start after the SDK's first successful
   * GetObject, so a datasource that refuses reads sees one denied GET, not two, and stop
   * for good when the SDK is answered where they were refused (a store that rejects presigned GETs).
   */
  let directReads: 'waiting' | 'on' | 'off' = 'waiting';
  async function readDirectly(key: string, maxBytes: number, abortSignal: AbortSignal): Promise<DirectGetResult> {
    let url: string;
    try {
      const signingDate = new Date(Date.now() + (client.config.systemClockOffset ?? 0));
      url = await signGet(key, DIRECT_GET_EXPIRES_SECONDS, signingDate, await client.config.credentials());
    } catch {
      // The SDK's call meets the same trouble (credentials, say) and reports it.
      return { outcome: 'failed' };
    }
    return directGet(url, maxBytes, abortSignal, { ...agents, requestTimeoutMs: options.requestTimeoutMs });
  }

  /**
   * When a direct read met throttling, a server error or a broken connection, it counts as the call's first
   * try: the backoff is waited and the retry reported here, and the SDK makes the remaining tries, so
   * WINNOW_S3_MAX_ATTEMPTS still bounds the requests. With no try left, the SDK makes one.
   */
  async function spendFirstAttempt(direct: DirectGetResult, abortSignal: AbortSignal): Promise<void> {
    const status = direct.outcome === 'refused' ? direct.status : undefined;
    if (abortSignal.aborted || (status !== undefined && status < 500 && status !== 429)) return;
    const code = direct.outcome === 'refused' ? direct.code : undefined;
    const throttled = status === 429 || code === 'SlowDown' || code === 'Throttling';
    try {
      const first = (await retryStrategy.acquireInitialRetryToken('winnow:direct-get')) as StandardRetryToken;
      const spent = await retryStrategy.refreshRetryTokenForRetry(first, {
        errorType: throttled ? 'THROTTLING' : 'TRANSIENT',
        error: {
          name: code ?? (status === undefined ? 'ConnectionBroken' : 'Error'),
          message: `direct GET: ${code ?? status ?? 'no complete answer'}`,
          $metadata: { httpStatusCode: status },
        },
      });
      const call = callInFlight.getStore();
      if (call !== undefined) call.spentAttempt = spent as StandardRetryToken;
    } catch {
      // No retry left for it (WINNOW_S3_MAX_ATTEMPTS=1, or the retry budget is spent): the SDK's try is the one that counts.
    }
  }

  return {
    description,

    async *listPages(prefix: string, listOptions: ListOptions = {}): AsyncIterable<ObjectSummary[]> {
      let continuationToken: string | undefined;
      let maxKeys = Math.min(FIRST_PAGE_KEYS, listOptions.pageSize ?? 1000);
      do {
        const page = await call('ListObjectsV2', prefix, (abortSignal) =>
          client.send(
            new ListObjectsV2Command({
              Bucket: options.bucket,
              Prefix: prefix,
              MaxKeys: maxKeys,
              ContinuationToken: continuationToken,
              StartAfter: continuationToken === undefined ? listOptions.startAfter : undefined,
            }),
            { abortSignal },
          ),
        );
        yield (page.Contents ?? []).map((entry) => ({
          key: entry.Key ?? '',
          size: entry.Size ?? 0,
          etag: entry.ETag?.replaceAll('"', ''),
          lastModified: entry.LastModified,
        }));
        continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
        maxKeys = listOptions.pageSize ?? 1000;
        if (page.IsTruncated && continuationToken === undefined) {
          throw new AppError('DatasourceError', `ListObjectsV2 on ${description}${prefix} said there is more but gave no continuation token.`);
        }
      } while (continuationToken !== undefined);
    },

    async listSubPrefixes(prefix, listOptions) {
      const prefixes: string[] = [];
      let continuationToken: string | undefined;
      do {
        const page = await call('ListObjectsV2', prefix, (abortSignal) =>
          client.send(
            new ListObjectsV2Command({
              Bucket: options.bucket,
              Prefix: prefix,
              Delimiter: '/',
              ContinuationToken: continuationToken,
              StartAfter: continuationToken === undefined ? listOptions.startAfter : undefined,
            }),
            { abortSignal },
          ),
        );
        for (const common of page.CommonPrefixes ?? []) if (common.Prefix !== undefined) prefixes.push(common.Prefix);
        continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (continuationToken !== undefined && prefixes.length < listOptions.limit);
      return prefixes.slice(0, listOptions.limit);
    },

    async firstKeyAfter(prefix, startAfter) {
      const page = await call('ListObjectsV2', prefix, (abortSignal) =>
        client.send(new ListObjectsV2Command({ Bucket: options.bucket, Prefix: prefix, MaxKeys: 1, StartAfter: startAfter }), { abortSignal }),
      );
      return page.Contents?.[0]?.Key ?? null;
    },

    async readRange(key, start, endInclusive) {
      return call('GetObject', key, async (abortSignal) => {
        const response = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key, Range: `bytes=${start}-${endInclusive}` }), {
          abortSignal,
        });
        return readBody(response);
      });
    },

    async readObject(key, maxBytes) {
      return call('GetObject', key, async (abortSignal) => {
        if (directReads === 'on') {
          const direct = await readDirectly(key, maxBytes, abortSignal);
          if (direct.outcome === 'read') return { body: direct.body, etag: direct.etag };
          if (direct.outcome === 'too-large') throw objectTooLarge(description, key, direct.size, maxBytes);
          await spendFirstAttempt(direct, abortSignal);
          const whole = await readWithSdk(key, maxBytes, abortSignal);
          // The SDK's request was answered where ours was refused: this endpoint wants the SDK's (some S3-compatible stores refuse presigned GETs).
          if (direct.outcome === 'refused' && direct.status < 500) directReads = 'off';
          return whole;
        }
        const whole = await readWithSdk(key, maxBytes, abortSignal);
        if (directReads === 'waiting') directReads = 'on';
        return whole;
      });
    },

    async write(key, body, contentType) {
      assertWritable(key, options.writablePrefix, description);
      await call('PutObject', key, (abortSignal) =>
        client.send(
          new PutObjectCommand({
            Bucket: options.bucket,
            Key: key,
            Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
            ContentType: contentType,
            ...(options.sseKmsKeyId === undefined ? {} : { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: options.sseKmsKeyId }),
          }),
          { abortSignal },
        ),
      );
    },

    async delete(key) {
      assertWritable(key, options.writablePrefix, description);
      await call('DeleteObject', key, (abortSignal) => client.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key }), { abortSignal }));
    },

    async presignGet(key, expiresInSeconds, minRemainingSeconds) {
      return presignedUrls(key, expiresInSeconds, await client.config.credentials(), minRemainingSeconds);
    },
  };
}
