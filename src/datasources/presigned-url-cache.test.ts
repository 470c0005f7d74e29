import { describe, expect, it } from 'vitest';
import type { PresignedUrl } from './object-store.js';
import { createPresignedUrlCache, signingWindowMs, type SignGet } from './presigned-url-cache.js';

const STATIC = { accessKeyId: 'AKIAREFERENCE0000001', secretAccessKey: 'unused-here' };
const T0 = Date.parse('2026-12-02T10:00:00.000Z');
const MINUTE = 60_000;

/** Records every signature and encodes its inputs in the URL, so tests can read what was signed. */
function recordingSigner() {
  const calls: Array<{ key: string; expiresIn: number; signedAt: number }> = [];
  const sign: SignGet = async (key, expiresIn, signingDate) => {
    calls.push({ key, expiresIn, signedAt: signingDate.getTime() });
    return `https://bucket.example/${key}?date=${signingDate.getTime()}&expires=${expiresIn}`;
  };
  return { sign, calls };
}

/** What the URL says of itself, checked against what the cache says of it. */
function validity(presigned: PresignedUrl): { signedAt: number; until: number } {
  const query = new URL(presigned.url).searchParams;
  const signedAt = Number(query.get('date'));
  const until = signedAt + Number(query.get('expires')) * 1000;
  expect(presigned.validUntil).toBe(until);
  return { signedAt, until };
}

describe('presigned URL cache', () => {
  it('hands out one URL per key for a whole window, signed as of its start and valid for at least the TTL', async () => {
    let now = T0 + 7_000;
    const { sign, calls } = recordingSigner();
    const presign = createPresignedUrlCache(sign, { maxEntries: 100, now: () => now });
    const first = await presign('cows/a b.jpg', 900, STATIC);
    now = T0 + 4 * MINUTE + 59_000;
    expect(await presign('cows/a b.jpg', 900, STATIC)).toBe(first);
    expect(calls).toEqual([{ key: 'cows/a b.jpg', expiresIn: 900 + 600, signedAt: T0 }]);
    expect(validity(first).until - now).toBeGreaterThanOrEqual(900_000);
  });

  it('keeps using a URL while it is valid for the TTL, then signs a new one as of the current window', async () => {
    let now = T0;
    const { sign, calls } = recordingSigner();
    const presign = createPresignedUrlCache(sign, { maxEntries: 100, now: () => now });
    const first = await presign('a.jpg', 900, STATIC);
    now = T0 + 9 * MINUTE;
    expect(await presign('a.jpg', 900, STATIC)).toBe(first);
    now = T0 + 10 * MINUTE + 1;
    const second = await presign('a.jpg', 900, STATIC);
    expect(second).not.toBe(first);
    expect(calls.at(-1)?.signedAt).toBe(T0 + 10 * MINUTE);
  });

  it('gives a caller that keeps URLs one valid a window beyond the TTL, re-signing older ones as of the current window', async () => {
    let now = T0;
    const { sign, calls } = recordingSigner();
    const presign = createPresignedUrlCache(sign, { maxEntries: 100, now: () => now });
    const window = signingWindowMs(900_000) / 1000;
    expect(window).toBe(300);
    const first = await presign('a.jpg', 900, STATIC);
    now = T0 + 6 * MINUTE;
    // Still valid for the TTL, so a plain request reuses it; not for the TTL plus a window.
    expect(await presign('a.jpg', 900, STATIC)).toBe(first);
    const kept = await presign('a.jpg', 900, STATIC, 900 + window);
    expect(validity(kept)).toEqual({ signedAt: T0 + 5 * MINUTE, until: T0 + 30 * MINUTE });
    for (now = T0 + 5 * MINUTE; now < T0 + 10 * MINUTE; now += 7_000) {
      expect(await presign('a.jpg', 900, STATIC, 900 + window)).toBe(kept);
    }
    expect(calls).toHaveLength(2);
  });

  it('never asks a kept URL for more than a fresh one would give (a week-long TTL, expiring credentials)', async () => {
    let now = T0 + 90_000;
    const { sign, calls } = recordingSigner();
    const presign = createPresignedUrlCache(sign, { maxEntries: 100, now: () => now });
    const week = 604_800;
    const url = await presign('a.jpg', week, STATIC, week + 300);
    now += 60_000;
    expect(await presign('a.jpg', week, STATIC, week + 300)).toBe(url);
    const session = { ...STATIC, sessionToken: 'session-1', expiration: new Date(T0 + 20 * MINUTE) };
    const capped = await presign('b.jpg', 900, session, 1_200);
    now += 60_000;
    expect(await presign('b.jpg', 900, session, 1_200)).toBe(capped);
    expect(calls).toHaveLength(2);
  });

  it('never hands out a URL valid for less than the TTL, nor for more than 5/3 of it', async () => {
    const { sign } = recordingSigner();
    let now = T0;
    const presign = createPresignedUrlCache(sign, { maxEntries: 1_000, now: () => now });
    for (const ttl of [60, 900, 3_600]) {
      for (let step = 0; step < 400; step++) {
        now = T0 + step * 7_919;
        const url = await presign(`k${step % 37}.jpg`, ttl, STATIC);
        const { until } = validity(url);
        expect(until - now).toBeGreaterThanOrEqual(ttl * 1000);
        expect(until - now).toBeLessThanOrEqual((ttl * 1000 * 5) / 3);
      }
    }
  });

  it('ends URLs 30 s before expiring credentials and dates no signature before the session was first seen', async () => {
    let now = T0 + 2 * MINUTE + 500;
    const { sign, calls } = recordingSigner();
    const presign = createPresignedUrlCache(sign, { maxEntries: 100, now: () => now });
    const session = { ...STATIC, sessionToken: 'session-1', expiration: new Date(T0 + 12 * MINUTE) };
    const url = await presign('a.jpg', 900, session);
    expect(validity(url)).toEqual({ signedAt: T0 + 2 * MINUTE, until: T0 + 12 * MINUTE - 30_000 });
    now += 60_000;
    expect(await presign('a.jpg', 900, session)).toBe(url);
    expect(calls).toHaveLength(1);

    const renewed = { ...STATIC, sessionToken: 'session-2', expiration: new Date(T0 + 72 * MINUTE) };
    now = T0 + 8 * MINUTE + 300;
    const fresh = await presign('a.jpg', 900, renewed);
    expect(validity(fresh).signedAt).toBe(T0 + 8 * MINUTE);
    expect(validity(fresh).until - now).toBeGreaterThanOrEqual(900_000);
  });

  it('keeps at most maxEntries URLs, the most recently used surviving', async () => {
    const now = T0;
    const { sign, calls } = recordingSigner();
    const presign = createPresignedUrlCache(sign, { maxEntries: 10, now: () => now });
    for (let index = 0; index < 5; index++) await presign(`old-${index}.jpg`, 900, STATIC);
    for (let index = 0; index < 5; index++) await presign(`new-${index}.jpg`, 900, STATIC);
    await presign('old-0.jpg', 900, STATIC);
    expect(calls).toHaveLength(10);
    for (let index = 0; index < 5; index++) await presign(`newer-${index}.jpg`, 900, STATIC);
    await presign('old-0.jpg', 900, STATIC);
    await presign('old-1.jpg', 900, STATIC);
    expect(calls.filter((call) => call.key === 'old-0.jpg')).toHaveLength(1);
    expect(calls.filter((call) => call.key === 'old-1.jpg')).toHaveLength(2);
  });
});
