/**
 * Until when a page whose URLs work until `urlsValidUntil` may be served: its URLs must still work
 * for the TTL after it is handed out. Pages built in the same signing window would otherwise all
 * expire at the same moment and be rebuilt together (a burst of signing that shows in p99); a random
 * part of `spreadMs` spreads their rebuilds over that much time.
 */
export function pageServableUntil(urlsValidUntil: number, ttlMs: number, spreadMs: number, random: () => number = Math.random): number {
  return urlsValidUntil - ttlMs - random() * spreadMs;
}

/** Serialised responses kept by key, the least recently used dropped once they hold more than `maxBytes`. */
export interface PageCache {
  /** The body stored under `key` if it may still be served at `validAt`. */
  get(key: string, validAt: number): Uint8Array<ArrayBuffer> | undefined;
  set(key: string, body: Uint8Array<ArrayBuffer>, validUntil: number): void;
}

interface CachedPage {
  body: Uint8Array<ArrayBuffer>;
  validUntil: number;
}

export function createPageCache(maxBytes: number): PageCache {
  const pages = new Map<string, CachedPage>();
  let bytes = 0;
  const drop = (key: string, page: CachedPage) => {
    pages.delete(key);
    bytes -= page.body.length;
  };
  return {
    get(key, validAt) {
      const page = pages.get(key);
      if (page === undefined) return undefined;
      drop(key, page);
      if (page.validUntil < validAt) return undefined;
      // Re-inserting moves it to the end of the Map's order: the Map is the LRU list.
      pages.set(key, page);
      bytes += page.body.length;
      return page.body;
    },
    set(key, body, validUntil) {
      if (body.length > maxBytes) return;
      const existing = pages.get(key);
      if (existing !== undefined) drop(key, existing);
      pages.set(key, { body, validUntil });
      bytes += body.length;
      for (const [oldest, page] of pages) {
        if (bytes <= maxBytes) break;
        drop(oldest, page);
      }
    },
  };
}
