import { describe, expect, it } from 'vitest';
import { listingPagesAfter, objectReadsAfter, thumbnailWritesAfter, type ProxyLogEntry } from './s3-policy-proxy.js';

const PREFIX = 'projects/farm-animals/';
const listing = (query: Record<string, string>): ProxyLogEntry => ({
  method: 'GET',
  path: '/datalake/',
  query: { 'list-type': '2', prefix: PREFIX, 'max-keys': '7', ...query },
  action: 's3:ListBucket',
  context: {},
  decision: 'Allowed',
  status: 0,
});
const read = (key: string): ProxyLogEntry => ({
  method: 'GET',
  path: `/datalake/${key}`,
  query: {},
  action: 's3:GetObject',
  resource: `arn:aws:s3:::datalake/${key}`,
  context: {},
  decision: 'Allowed',
  status: 0,
});
const write = (key: string): ProxyLogEntry => ({ ...read(key), method: 'PUT', action: 's3:PutObject' });

describe('hold matchers', () => {
  it('holds listing pages after the first n, and a retry of a held page too, but never a retry of a passed one', () => {
    const matches = listingPagesAfter(2, PREFIX);
    expect(matches(listing({}))).toBe(false);
    expect(matches(listing({ 'continuation-token': 'second' }))).toBe(false);
    expect(matches(listing({ 'continuation-token': 'second' }))).toBe(false);
    expect(matches(listing({ 'continuation-token': 'third' }))).toBe(true);
    expect(matches(listing({ 'continuation-token': 'third' }))).toBe(true);
    expect(matches(listing({}))).toBe(false);
  });

  it('ignores one-key verify probes and listings of other prefixes', () => {
    const matches = listingPagesAfter(0, PREFIX);
    expect(matches(listing({ 'max-keys': '1' }))).toBe(false);
    expect(matches(listing({ prefix: 'elsewhere/' }))).toBe(false);
    expect(matches(listing({ 'start-after': `${PREFIX}batch-1/a.jpg` }))).toBe(true);
  });

  it('lets reads of the first n keys through, again and again, and holds every read of the others', () => {
    const matches = objectReadsAfter(2);
    expect([read('a'), read('b'), read('a'), read('c'), read('b'), read('c')].map(matches)).toEqual([false, false, false, true, false, true]);
    expect(matches(listing({}))).toBe(false);
  });

  it('lets the first n thumbnail writes through, again and again, and holds every write of another thumbnail, never other writes or reads', () => {
    const matches = thumbnailWritesAfter(1);
    const thumb = (name: string) => write(`${PREFIX}.winnow/thumbnails/${name}`);
    expect([thumb('a.jpg_thumb.jpg'), thumb('b.jpg_thumb.jpg'), thumb('a.jpg_thumb.jpg'), thumb('b.jpg_thumb.jpg')].map(matches)).toEqual([
      false,
      true,
      false,
      true,
    ]);
    expect(matches(thumb('logo.png_thumb.webp'))).toBe(true);
    expect(matches(write(`${PREFIX}.winnow/thumbnails/README.txt`))).toBe(false);
    expect(matches(read(`${PREFIX}.winnow/thumbnails/c.jpg_thumb.jpg`))).toBe(false);
  });
});
