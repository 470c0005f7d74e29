/**
 * Prototype: presigned URLs that stay the same for a time window, cached per key.
 *
 * Every URL of a window is signed as of the window's start (`signingDate`), with its expiry
 * stretched by one window, so it is valid for at least the requested TTL whenever it is handed
 * out (callers that cap the TTL by expiring credentials must cap it one window lower). The
 * same key then gets the same URL for the whole window: the store can hand out a cached URL
 * instead of signing again, and browsers can reuse the image they already downloaded (today's
 * URLs differ every second through X-Amz-Date, so every grid page re-downloads its images).
 */
import type { PresignGet } from './fast-presigner.js';

const MAX_PRESIGNED_SECONDS = 604_800;

export interface WindowedUrlCache {
  presign(key: string, expiresIn: number): Promise<string>;
  size(): number;
}

export function createWindowedUrlCache(presign: PresignGet, options: { windowSeconds: number; maxEntries: number; now?: () => number }): WindowedUrlCache {
  const now = options.now ?? Date.now;
  const windowMs = options.windowSeconds * 1000;
  let windowStart = 0;
  let urls = new Map<string, string>();
  return {
    async presign(key, expiresIn) {
      const at = now();
      const start = Math.floor(at / windowMs) * windowMs;
      if (start !== windowStart) {
        windowStart = start;
        urls = new Map();
      }
      // The TTL is part of the cache key: callers cap it by the credentials' remaining lifetime.
      const cacheKey = `${expiresIn}\u0000${key}`;
      const cached = urls.get(cacheKey);
      if (cached !== undefined) return cached;
      const stretched = Math.min(MAX_PRESIGNED_SECONDS, expiresIn + options.windowSeconds);
      const url = await presign(key, stretched, new Date(start));
      if (urls.size >= options.maxEntries) urls = new Map();
      urls.set(cacheKey, url);
      return url;
    },
    size: () => urls.size,
  };
}
