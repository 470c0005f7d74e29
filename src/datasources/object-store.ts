import { AppError } from '../errors.js';

export interface ObjectSummary {
  /** Full key inside the bucket (or path relative to the local root, with '/'). */
  key: string;
  size: number;
  etag: string | undefined;
  lastModified: Date | undefined;
}

export interface ListOptions {
  /** List keys strictly after this one (resuming an interrupted listing). */
  startAfter?: string;
  /** Page size; the store may return fewer. */
  pageSize?: number;
}

/** A storage call that failed in a way worth trying again (throttling, 5xx, a broken connection), retried after a backoff. */
export interface StorageRetry {
  /** The attempt going out now, after the backoff (2 for the first retry). */
  attempt: number;
  maxAttempts: number;
  /** What went wrong: `503 SlowDown`, `ECONNRESET`, `TimeoutError`, … */
  reason: string;
  /** When the retry went out (ISO 8601). */
  at: string;
  /** The storage call being retried: `ListObjectsV2`, `GetObject`, `PutObject`, … */
  operation?: string | undefined;
  /** How long the backoff waits before this attempt goes out. */
  delayMs?: number | undefined;
  /** The last error's code alone: `SlowDown`, `InternalError`, `ECONNRESET`, … */
  code?: string | undefined;
}

export interface WholeObject {
  body: Buffer;
  etag: string | undefined;
}

/** What Winnow needs from a bucket or a folder. Keys are full keys; callers add prefixes. */
export interface ObjectStore {
  /** e.g. `s3://datalake/` or `/data/photos`, for messages. */
  readonly description: string;
  listPages(prefix: string, options?: ListOptions): AsyncIterable<ObjectSummary[]>;
  /** The full prefixes of the folders right under `prefix` (a delimiter listing), after `startAfter`, at most `limit`; stores without one leave it out. */
  listSubPrefixes?(prefix: string, options: { startAfter?: string | undefined; limit: number }): Promise<string[]>;
  /** The first key under `prefix` after `startAfter` (one listing call of one key), null when there is none; stores without a cheap one leave it out. */
  firstKeyAfter?(prefix: string, startAfter: string): Promise<string | null>;
  /** Bytes `start`..`endInclusive`; fewer when the object is shorter. */
  readRange(key: string, start: number, endInclusive: number): Promise<Uint8Array>;
  /** The whole object and the etag of the bytes returned; refused (`ImageTooLarge`) before its body is read when it exceeds `maxBytes`. */
  readObject(key: string, maxBytes: number): Promise<WholeObject>;
  write(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * A GET URL valid for at least `expiresInSeconds` (less only when the credentials expire sooner); the same URL
   * for a while. A caller that keeps the URL (a cached page) asks for more remaining time with `minRemainingSeconds`,
   * up to `expiresInSeconds` plus one signing window (see presigned-url-cache.ts).
   */
  presignGet(key: string, expiresInSeconds: number, minRemainingSeconds?: number): Promise<PresignedUrl>;
}

/**
 * Refuses any write outside `writablePrefix` (`<output>/.winnow/`): a bug elsewhere must
 * never be able to overwrite or delete a user's object.
 */
export function assertWritable(key: string, writablePrefix: string | undefined, description: string): void {
  if (writablePrefix === undefined || !key.startsWith(writablePrefix) || key.split('/').includes('..')) {
    throw new AppError('InputInvalid', `Refusing to write ${description}${key}: Winnow only writes under ${description}${writablePrefix ?? '<nothing>'}.`);
  }
}

/** S3's key order: by UTF-8 bytes (JavaScript's `<` compares UTF-16 units, which differs above U+FFFF). */
export interface PresignedUrl {
  url: string;
  /** Epoch milliseconds after which the URL stops working. */
  validUntil: number;
}

export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function objectTooLarge(description: string, key: string, size: number, maxBytes: number): AppError {
  return new AppError(
    'ImageTooLarge',
    `${description}${key} is ${size.toLocaleString('en-US')} bytes, more than the ${maxBytes.toLocaleString('en-US')} bytes Winnow reads into memory for one image.`,
    {
      hint: 'Raise WINNOW_THUMBNAIL_BUFFER_MB if images this large are expected.',
    },
  );
}
