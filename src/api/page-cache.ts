/** Serialised responses kept by key, the least recently used dropped once they hold more than `maxBytes`. */
export interface PageCache {
  /** The body stored under `key` if it stays valid until `validAt`. */
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
