import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { authenticateToken, isLiveSession, type AuthDeps } from '../auth/token.service.js';
import { createSingleFlight } from '../shared/concurrency.js';
import { errorBody } from './http-errors.js';

export const SESSION_COOKIE = 'winnow_session';

/**
 * A credential the catalog accepted is trusted this long without asking it again: on
 * PostgreSQL that question is a round trip per request, the largest cost of a cached grid
 * page. A revoked token or a closed session stops working within this time.
 */
export const CREDENTIAL_RECHECK_MS = 1_000;
const CREDENTIALS_KEPT = 10_000;

/** Credentials the catalog accepted lately, by hash (the server's memory holds no credential beyond the request carrying it). */
export interface AcceptedCredentials {
  accepts(kind: CredentialKind, credential: string, check: () => Promise<boolean>): Promise<boolean>;
  /** Sign-out: the session stops working at once in this process. */
  forget(kind: CredentialKind, credential: string): void;
}

type CredentialKind = 'token' | 'session';

export function createAcceptedCredentials(clock: () => Date): AcceptedCredentials {
  const acceptedAt = new Map<string, number>();
  // One check per credential at a time, however many requests carry it.
  const checks = createSingleFlight<string, boolean>();
  const keyOf = (kind: CredentialKind, credential: string) => createHash('sha256').update(`${kind}:${credential}`).digest('base64');

  const startCheck = (key: string, startedAt: number, check: () => Promise<boolean>) =>
    checks.run(key, async (stillCurrent) => {
      const ok = await check();
      // Unless forgotten meanwhile (sign-out).
      if (!stillCurrent()) return ok;
      if (!ok) acceptedAt.delete(key);
      else {
        if (acceptedAt.size >= CREDENTIALS_KEPT) acceptedAt.clear();
        acceptedAt.set(key, startedAt);
      }
      return ok;
    });

  return {
    async accepts(kind, credential, check) {
      const key = keyOf(kind, credential);
      const now = clock().getTime();
      const at = acceptedAt.get(key);
      const age = at === undefined ? Infinity : now - at;
      if (age < CREDENTIAL_RECHECK_MS / 2) return true;
      const checked = startCheck(key, now, check);
      // Halfway through its trust a credential is checked again in the background, so no request waits for the catalog.
      if (age < CREDENTIAL_RECHECK_MS) {
        checked.catch(() => undefined);
        return true;
      }
      return checked;
    },
    forget(kind, credential) {
      const key = keyOf(kind, credential);
      acceptedAt.delete(key);
      checks.forget(key);
    },
  };
}

/** Requires a bearer API token or a signed-in browser session on every route it guards. */
export function requireAuth(deps: AuthDeps, accepted: AcceptedCredentials): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const cookie = getCookie(c, SESSION_COOKIE);
    const allowed =
      (bearer !== undefined && (await accepted.accepts('token', bearer, async () => (await authenticateToken(deps, bearer)) !== undefined))) ||
      (cookie !== undefined && (await accepted.accepts('session', cookie, () => isLiveSession(deps, cookie))));
    if (!allowed) {
      return c.json(
        errorBody(
          'Unauthorized',
          bearer ? 'That API token is not valid.' : 'Sign in first.',
          'Send `Authorization: Bearer <token>` (create one with `winnow token create <name>`) or sign in through the web app.',
        ),
        401,
      );
    }
    await next();
  };
}
