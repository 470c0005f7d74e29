import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/context.js';
import { closeSession, createApiToken, openSession, revokeApiToken } from '../auth/token.service.js';
import { createAcceptedCredentials, CREDENTIAL_RECHECK_MS, requireAuth, SESSION_COOKIE } from './auth.middleware.js';

describe.each(['sqlite', 'postgres'] as const)('auth middleware on %s', (dialect) => {
  let context: Awaited<ReturnType<typeof createTestContext>>;
  let now = Date.parse('2026-12-02T10:00:00.000Z');
  let app: Hono;

  beforeAll(async () => {
    context = { ...(await createTestContext(dialect)), clock: () => new Date(now) };
    app = new Hono().use(requireAuth(context, createAcceptedCredentials(context.clock))).get('/private', (c) => c.text('ok'));
  });
  afterAll(async () => context?.drop());

  const status = async (headers: Record<string, string>) => (await app.request('/private', { headers })).status;

  it('stops accepting a revoked token within the recheck time, and never accepts an unknown one', async () => {
    const { token } = await createApiToken(context, 'revoked-soon');
    const bearer = { authorization: `Bearer ${token}` };
    expect(await status(bearer)).toBe(200);
    await revokeApiToken(context, 'revoked-soon');
    now += CREDENTIAL_RECHECK_MS - 1;
    expect(await status(bearer)).toBe(200);
    now += 1;
    expect(await status(bearer)).toBe(401);
    expect(await status({ authorization: `Bearer ${token}x` })).toBe(401);
    expect(await status({})).toBe(401);
  });

  it('stops accepting a session closed elsewhere within the recheck time', async () => {
    const { cookie } = await openSession(context, null);
    const headers = { cookie: `${SESSION_COOKIE}=${cookie}` };
    expect(await status(headers)).toBe(200);
    await closeSession(context, cookie);
    expect(await status(headers)).toBe(200);
    now += CREDENTIAL_RECHECK_MS;
    expect(await status(headers)).toBe(401);
    expect(await status({ cookie: `${SESSION_COOKIE}=not-a-session` })).toBe(401);
  });

  it('asks the catalog once for requests that arrive together once the trust has run out', async () => {
    const { token } = await createApiToken(context, 'busy');
    const accepted = createAcceptedCredentials(context.clock);
    let checks = 0;
    const check = async () => {
      checks++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return true;
    };
    expect(await Promise.all(Array.from({ length: 20 }, () => accepted.accepts('token', token, check)))).toEqual(Array(20).fill(true));
    expect(checks).toBe(1);
    now += CREDENTIAL_RECHECK_MS;
    await Promise.all(Array.from({ length: 20 }, () => accepted.accepts('token', token, check)));
    expect(checks).toBe(2);
    const failing = async () => {
      checks++;
      throw new Error('catalog down');
    };
    now += CREDENTIAL_RECHECK_MS;
    await expect(Promise.all([accepted.accepts('token', token, failing), accepted.accepts('token', token, failing)])).rejects.toThrow('catalog down');
    expect(checks).toBe(3);
    expect(await accepted.accepts('token', token, check)).toBe(true);
    expect(checks).toBe(4);
  });

  it('checks a credential again in the background halfway through its trust, and stops trusting it if refused', async () => {
    const accepted = createAcceptedCredentials(context.clock);
    let checks = 0;
    let answer = true;
    let release = () => {};
    const slow = () => {
      checks++;
      return new Promise<boolean>((resolve) => (release = () => resolve(answer)));
    };
    const first = accepted.accepts('token', 'background', slow);
    release();
    expect(await first).toBe(true);
    now += CREDENTIAL_RECHECK_MS / 2;
    // Answered at once while the check runs; one check for every request.
    expect(await accepted.accepts('token', 'background', slow)).toBe(true);
    expect(await accepted.accepts('token', 'background', slow)).toBe(true);
    expect(checks).toBe(2);
    answer = false;
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await accepted.accepts('token', 'background', async () => false)).toBe(false);
  });

  it('does not trust a session signed out while its check was running', async () => {
    const accepted = createAcceptedCredentials(context.clock);
    let release = () => {};
    const slow = () => new Promise<boolean>((resolve) => (release = () => resolve(true)));
    const first = accepted.accepts('session', 'cookie-value', slow);
    accepted.forget('session', 'cookie-value');
    release();
    expect(await first).toBe(true);
    expect(await accepted.accepts('session', 'cookie-value', async () => false)).toBe(false);
  });
});
