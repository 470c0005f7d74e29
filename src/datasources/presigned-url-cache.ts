import type { AwsCredentialIdentity } from '@smithy/types';
import type { PresignedUrl } from './object-store.js';

/** Signs a GET of `key` with `credentials` as of `signingDate`, valid for `expiresInSeconds` from then. */
export type SignGet = (key: string, expiresInSeconds: number, signingDate: Date, credentials: AwsCredentialIdentity) => Promise<string>;

/**
 * Hands out a presigned GET URL valid for at least `ttlSeconds`, or `minRemainingSeconds` when
 * more (at most the TTL plus one signing window; less only when the credentials expire sooner).
 */
export type CachedPresignGet = (key: string, ttlSeconds: number, credentials: AwsCredentialIdentity, minRemainingSeconds?: number) => Promise<PresignedUrl>;

export interface PresignedUrlCacheOptions {
  /** URLs kept at most (two generations of half each, the older dropped when the newer fills). */
  maxEntries: number;
  now: () => number;
}

/** SigV4 refuses presigned URLs valid for more than a week. */
const MAX_PRESIGNED_MS = 604_800_000;
const MAX_WINDOW_MS = 5 * 60_000;
/** A URL must stop working before the credentials it was signed with do, or the browser sees ExpiredToken. */
const CREDENTIAL_EXPIRY_MARGIN_MS = 30_000;

/**
 * Presigned URLs signed as of the start of a time window (a third of the TTL, at most five
 * minutes) and valid for the TTL plus two windows, so every URL handed out is valid for at
 * least the TTL and at most 5/3 of it. Within a window every request for a key gets the
 * same URL: a grid page is served from memory instead of signing 200 URLs again (12 ms of
 * CPU), and the browser reuses the image it already downloaded instead of fetching it again
 * under a URL that differs only in X-Amz-Date.
 */
/** URLs for a TTL are signed as of the start of windows this long: a third of the TTL in whole seconds, at most five minutes. */
export function signingWindowMs(ttlMs: number): number {
  return Math.min(MAX_WINDOW_MS, Math.max(1000, Math.floor(ttlMs / 3000) * 1000));
}

export function createPresignedUrlCache(sign: SignGet, options: PresignedUrlCacheOptions): CachedPresignGet {
  let current = new Map<string, PresignedUrl>();
  let previous = new Map<string, PresignedUrl>();
  let identity = { accessKeyId: '', sessionToken: undefined as string | undefined, seenAt: 0 };

  const remember = (cacheKey: string, entry: PresignedUrl) => {
    if (current.size >= options.maxEntries / 2) {
      previous = current;
      current = new Map();
    }
    current.set(cacheKey, entry);
  };

  return async (key, ttlSeconds, credentials, minRemainingSeconds = ttlSeconds) => {
    const now = options.now();
    if (credentials.accessKeyId !== identity.accessKeyId || credentials.sessionToken !== identity.sessionToken) {
      identity = { accessKeyId: credentials.accessKeyId, sessionToken: credentials.sessionToken, seenAt: Math.floor(now / 1000) * 1000 };
    }
    const ttlMs = ttlSeconds * 1000;
    const usableUntil = credentials.expiration === undefined ? Infinity : credentials.expiration.getTime() - CREDENTIAL_EXPIRY_MARGIN_MS;
    const windowMs = signingWindowMs(ttlMs);
    let signedAt = Math.floor(now / windowMs) * windowMs;
    // Temporary credentials: never date a signature before the session was first seen here.
    if (credentials.expiration !== undefined) signedAt = Math.max(signedAt, identity.seenAt);
    const expiresInSeconds = Math.max(1, Math.floor((Math.min(signedAt + ttlMs + 2 * windowMs, usableUntil, signedAt + MAX_PRESIGNED_MS) - signedAt) / 1000));
    const freshUntil = signedAt + expiresInSeconds * 1000;
    // A kept URL is never asked for more than a fresh one would give (credentials, SigV4's week).
    const needed = Math.min(now + Math.max(ttlMs, minRemainingSeconds * 1000), freshUntil);
    const cacheKey = `${ttlSeconds}\u0000${key}`;
    const cached = current.get(cacheKey) ?? previous.get(cacheKey);
    if (cached !== undefined && cached.validUntil >= needed) {
      if (!current.has(cacheKey)) remember(cacheKey, cached);
      return cached;
    }

    const presigned = { url: await sign(key, expiresInSeconds, new Date(signedAt), credentials), validUntil: freshUntil };
    remember(cacheKey, presigned);
    return presigned;
  };
}
