import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../test/support/api.js';
import { createApiToken, createSignInLink, isLiveSession, listSessions, openSession, revokeApiToken } from '../auth/token.service.js';
import type { Context } from '../context.js';
import type { SyncJobs } from '../jobs/sync-jobs.js';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/images');

/**
 * What an attacker holding an API token (or none) can make `winnow serve` do, one class of
 * problem per block. Each test failed before the fix it guards.
 */
describe('API security', () => {
  let context: Context & { drop(): Promise<void> };
  let app: TestApi['app'];
  let jobs: SyncJobs;
  let api: TestApi['request'];
  let roots: string;
  let images: string;
  let home: string;
  const signIn = createSignInLink();
  const create = (body: object) => api('/api/datasets', { method: 'POST', body: JSON.stringify(body) });

  beforeAll(async () => {
    roots = mkdtempSync(join(tmpdir(), 'winnow-roots-'));
    images = join(roots, 'images');
    mkdirSync(images);
    cpSync(join(FIXTURES, 'cat.jpg'), join(images, 'a.jpg'));
    cpSync(join(FIXTURES, 'cat.jpg'), join(images, 'b.jpg'));
    writeFileSync(join(images, 'empty.jpg'), '');
    writeFileSync(join(images, '.env'), 'AWS_SECRET_ACCESS_KEY=do-not-serve-me');
    writeFileSync(join(images, 'notes.txt'), 'not an image');
    // The operator allows the temp folder, which also holds the test's data dir: the data dir must stay out anyway.
    ({ context, app, jobs, request: api } = await createTestApi({ WINNOW_LOCAL_ROOTS: `${roots}:${tmpdir()}` }, signIn));
    home = context.config.home;
    writeFileSync(join(home, 'master.key'), 'the master key');
  });
  afterAll(async () => {
    await context?.drop();
    rmSync(roots, { recursive: true, force: true });
  });

  describe('local folders and the files they serve', () => {
    it("refuses local folders outside the operator's roots, and any when none are configured", async () => {
      const outside = await create({ name: 'etc', input: { uri: '/etc' } });
      expect(outside.status).toBe(403);
      expect(await outside.json()).toMatchObject({ error: { code: 'LocalFolderRefused', hint: expect.stringContaining('WINNOW_LOCAL_ROOTS') } });

      const closed = await createTestApi();
      try {
        const response = await closed.request('/api/datasets', { method: 'POST', body: JSON.stringify({ name: 'imgs', input: { uri: images } }) });
        expect(response.status).toBe(403);
        expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/cannot be added through the API/);
      } finally {
        await closed.context.drop();
      }
    });

    it('refuses the data dir, a folder holding it, and a link to it, even inside a root', async () => {
      symlinkSync(home, join(roots, 'link-to-home'));
      for (const uri of [home, join(home, 'sub'), dirname(home), join(roots, 'link-to-home'), '/']) {
        const response = await create({ name: 'steal', input: { uri } });
        expect(response.status, uri).toBe(403);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('LocalFolderRefused');
      }
      const output = await create({ name: 'steal', input: { uri: images }, output: { uri: home } });
      expect(output.status).toBe(403);
    });

    it('serves only files that are catalogued samples of the dataset', async () => {
      expect((await create({ name: 'imgs', input: { uri: images } })).status).toBe(201);
      expect((await api('/api/datasets/imgs/sync', { method: 'POST' })).status).toBe(202);
      await jobs.settled('imgs');
      expect((await api('/api/datasets/imgs/files/a.jpg')).status).toBe(200);
      for (const path of ['.env', 'notes.txt', 'missing.jpg', '..%2F..%2Fetc%2Fpasswd']) {
        const response = await api(`/api/datasets/imgs/files/${path}`);
        expect([400, 404], path).toContain(response.status);
        expect(await response.text()).not.toContain('do-not-serve-me');
      }
      // The output folder is served only as the thumbnail of a catalogued sample.
      for (const path of ['.env', 'a.jpg', '.winnow/thumbnails/a.jpg_thumb.jpg'])
        expect((await api(`/api/datasets/imgs/thumbnails/${path}`)).status, path).toBe(404);
    });

    it('serves a 0-byte sample as an empty body, not a 500', async () => {
      const response = await api('/api/datasets/imgs/files/empty.jpg');
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBe(0);
    });

    it('checks the file it opened: a sample swapped for a link to the data dir is refused', async () => {
      rmSync(join(images, 'b.jpg'));
      symlinkSync(join(home, 'master.key'), join(images, 'b.jpg'));
      const response = await api('/api/datasets/imgs/files/b.jpg');
      expect(response.status).toBe(400);
      expect(await response.text()).not.toContain('the master key');
    });
  });

  describe('endpoints', () => {
    it.each([
      'http://169.254.169.254',
      'http://[fd00:ec2::254]',
      'http://0.0.0.0',
      'http://10.0.0.1:9000',
      'http://localhost:9000',
      'https://user:password@s3.example.com',
    ])('refuses %s at creation', async (endpoint) => {
      const response = await create({ name: 'ssrf', input: { uri: 's3://bucket/prefix/', endpoint, accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' } });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('EndpointRefused');
      expect(body.error.message).not.toContain('user:password');
    });
  });

  describe('request bodies', () => {
    it('refuses a body over the limit with 413 before authentication', async () => {
      const huge = 'x'.repeat(2 * 1024 * 1024);
      const response = await app.request('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: huge }),
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ error: { code: 'RequestTooLarge' } });
    });

    it('caps lists and strings in the schemas and never echoes the input', async () => {
      const globs = Array.from({ length: 5_000 }, (_, index) => `**/${index}/*.jpg`);
      const many = await create({ name: 'globs', input: { uri: images }, include: globs });
      expect(many.status).toBe(400);
      const long = 'n'.repeat(50_000);
      const named = await create({ name: long, input: { uri: images } });
      expect(named.status).toBe(400);
      expect(await named.text()).not.toContain('n'.repeat(200));
    });
  });

  describe('malformed requests', () => {
    it('answers 4xx, never 500', async () => {
      expect((await api('/api/datasets', { method: 'POST', body: '{"name": "x", ' })).status).toBe(400);
      expect((await api('/api/datasets', { method: 'POST', body: '' })).status).toBe(400);
      expect((await api('/api/datasets', { method: 'POST', body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(
        415,
      );
      expect((await api('/api/datasets/imgs/files/%ZZ.jpg')).status).toBe(400);
      expect((await api('/api/datasets/%ZZ')).status).toBeLessThan(500);
      const nul = await create({ name: 'nul', input: { uri: `${images}\u0000/../../etc` } });
      expect(nul.status).toBe(400);
      expect(await nul.json()).toMatchObject({ error: { code: 'InputInvalid', message: expect.stringContaining('control character U+0000') } });
      const malformed = await api('/api/datasets', { method: 'POST', body: '{"name": "x", ' });
      expect(await malformed.json()).toMatchObject({ error: { code: 'InputInvalid' } });
    });
  });

  describe('headers, hosts and sessions', () => {
    it('sends a content security policy, no framing, nosniff and no referrer', async () => {
      for (const response of [await app.request('/api/health'), await api('/api/datasets')]) {
        const csp = response.headers.get('content-security-policy') ?? '';
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
        expect(response.headers.get('x-frame-options')).toBe('DENY');
      }
    });

    it('answers only to its own host names (DNS rebinding)', async () => {
      const rebound = await app.request('http://attacker.example:8080/api/health');
      expect(rebound.status).toBe(421);
      expect(await rebound.json()).toMatchObject({ error: { code: 'HostNotAllowed' } });
      expect((await app.request('http://127.0.0.1:8080/api/health')).status).toBe(200);
      expect((await app.request('http://localhost:8080/api/health')).status).toBe(200);
    });

    it('lets the sign-in link sign in once', async () => {
      const first = await app.request(`/login?token=${signIn.secret}`);
      expect(first.headers.get('location')).toBe('/');
      expect(first.headers.get('set-cookie')).toContain('winnow_session=');
      const again = await app.request(`/login?token=${signIn.secret}`);
      expect(again.headers.get('location')).toBe('/?signin=expired');
      expect(again.headers.get('set-cookie')).toBeNull();
    });

    it('lists browser sessions and revokes one, every one, or those of a revoked token', async () => {
      const byLink = await openSession(context, null);
      const other = await openSession(context, null);
      const sessions = await listSessions(context);
      expect(sessions.length).toBeGreaterThanOrEqual(2);
      expect(sessions.every((session) => /^session:[0-9a-f]{12}$/.test(session.id))).toBe(true);
      expect(JSON.stringify(sessions)).not.toContain(byLink.cookie);

      const { createHash } = await import('node:crypto');
      const idOf = (cookie: string) => `session:${createHash('sha256').update(cookie).digest('hex').slice(0, 12)}`;
      expect(await revokeApiToken(context, idOf(byLink.cookie))).toEqual({ revoked: 'sessions', count: 1 });
      expect(await isLiveSession(context, byLink.cookie)).toBe(false);
      expect(await isLiveSession(context, other.cookie)).toBe(true);

      const helper = await createApiToken(context, 'helper');
      const withToken = await app.request('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: helper.token }),
      });
      const cookie = withToken.headers.get('set-cookie')!.split(';')[0]!.split('=')[1]!;
      expect((await listSessions(context)).some((session) => session.token === 'helper')).toBe(true);
      await revokeApiToken(context, 'helper');
      expect(await isLiveSession(context, cookie)).toBe(false);

      await revokeApiToken(context, 'session:all');
      expect(await listSessions(context)).toEqual([]);
    });
  });
});
