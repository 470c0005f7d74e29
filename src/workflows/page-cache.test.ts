import { describe, expect, it } from 'vitest';
import { createPageCache, pageServableUntil } from './page-cache.js';

const body = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes));

describe('page cache', () => {
  it('serves a page while its URLs work for the TTL, pages built together expiring spread over the window given', () => {
    const ttl = 900_000;
    const spread = 300_000;
    expect(pageServableUntil(Infinity, ttl, spread)).toBe(Infinity);
    expect(pageServableUntil(10_000_000, ttl, spread, () => 0)).toBe(10_000_000 - ttl);
    const until = Array.from({ length: 1_000 }, () => pageServableUntil(10_000_000, ttl, spread));
    expect(Math.max(...until)).toBeLessThanOrEqual(10_000_000 - ttl);
    expect(Math.min(...until)).toBeGreaterThan(10_000_000 - ttl - spread);
    // Spread, not bunched: every fifth of the window holds some.
    const fifths = new Set(until.map((moment) => Math.floor((10_000_000 - ttl - moment) / (spread / 5))));
    expect(fifths.size).toBe(5);
  });

  it('serves a page until the moment it is no longer valid', () => {
    const cache = createPageCache(1_000);
    cache.set('a', body('page a'), 5_000);
    expect(text(cache.get('a', 5_000))).toBe('page a');
    expect(cache.get('a', 5_001)).toBeUndefined();
    expect(cache.get('a', 0)).toBeUndefined();
  });

  it('drops the least recently used pages beyond its byte budget, and keeps none larger than it', () => {
    const cache = createPageCache(30);
    cache.set('a', body('0123456789'), Infinity);
    cache.set('b', body('0123456789'), Infinity);
    cache.set('c', body('0123456789'), Infinity);
    expect(cache.get('a', 0)).toBeDefined();
    cache.set('d', body('0123456789'), Infinity);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(['a', 'c', 'd'].map((key) => cache.get(key, 0)?.length)).toEqual([10, 10, 10]);
    cache.set('huge', body('x'.repeat(31)), Infinity);
    expect(cache.get('huge', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBeDefined();
  });

  it('replaces a page stored again under the same key', () => {
    const cache = createPageCache(25);
    cache.set('a', body('0123456789'), Infinity);
    cache.set('a', body('abcdefghij'), Infinity);
    cache.set('b', body('0123456789'), Infinity);
    expect(text(cache.get('a', 0))).toBe('abcdefghij');
    expect(cache.get('b', 0)).toBeDefined();
  });
});
