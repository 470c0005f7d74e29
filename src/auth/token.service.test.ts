import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/context.js';
import { authenticateToken, createApiToken, listTokens, revokeApiToken } from './token.service.js';

describe.each(['sqlite', 'postgres'] as const)('API tokens on %s', (dialect) => {
  let context: Awaited<ReturnType<typeof createTestContext>>;
  let now = new Date('2026-12-02T10:00:00.000Z');

  beforeAll(async () => {
    context = { ...(await createTestContext(dialect)), clock: () => now };
  });
  afterAll(async () => context?.drop());

  it('accepts only the token it printed, and records its use to the minute without writing on every request', async () => {
    const { token } = await createApiToken(context, 'ci');
    expect(await authenticateToken(context, `${token}x`)).toBeUndefined();
    expect(await authenticateToken(context, 'not-a-token')).toBeUndefined();
    expect(await authenticateToken(context, token)).toBeDefined();
    expect((await listTokens(context))[0]?.lastUsedAt).toBe('2026-12-02T10:00:00.000Z');
    now = new Date('2026-12-02T10:00:59.000Z');
    await authenticateToken(context, token);
    expect((await listTokens(context))[0]?.lastUsedAt).toBe('2026-12-02T10:00:00.000Z');
    now = new Date('2026-12-02T10:01:00.000Z');
    await authenticateToken(context, token);
    expect((await listTokens(context))[0]?.lastUsedAt).toBe('2026-12-02T10:01:00.000Z');
    await revokeApiToken(context, 'ci');
    expect(await authenticateToken(context, token)).toBeUndefined();
  });
});
