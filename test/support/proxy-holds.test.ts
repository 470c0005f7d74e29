import { describe, expect, it } from 'vitest';
import { listingPagesAfter, objectReadsAfter, type ProxyLogEntry } from './s3-policy-proxy.js';

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
});
