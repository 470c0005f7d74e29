import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { authenticateToken, isLiveSession, type AuthDeps } from '../auth/token.service.js';
import { errorBody } from './http-errors.js';

export const SESSION_COOKIE = 'winnow_session';

/** Requires a bearer API token or a signed-in browser session on every route it guards. */
export function requireAuth(deps: AuthDeps): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const cookie = getCookie(c, SESSION_COOKIE);
    const allowed = (bearer !== undefined && (await authenticateToken(deps, bearer)) !== undefined) || (cookie !== undefined && (await isLiveSession(deps, cookie)));
    if (!allowed) {
      return c.json(
        errorBody('Unauthorized', bearer ? 'That API token is not valid.' : 'Sign in first.', 'Send `Authorization: Bearer <token>` (create one with `winnow token create <name>`) or sign in through the web app.'),
        401,
      );
    }
    await next();
  };
}
