import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { authenticateToken, closeSession, isLiveSession, openSession, SESSION_LIFETIME_MS } from '../../auth/token.service.js';
import { AppError } from '../../errors.js';
import type { ApiDeps } from '../api-deps.js';
import { SESSION_COOKIE } from '../auth.middleware.js';
import { BODY_ERRORS, errors, json, PUBLIC } from '../openapi.js';
import { SessionSchema, SignInSchema } from '../schemas.js';

const cookieOptions = { httpOnly: true, sameSite: 'Strict', path: '/', maxAge: SESSION_LIFETIME_MS / 1000 } as const;

/** Signing in: with an API token (web form) or the link `winnow serve` prints. Public routes. */
export function sessionRoutes(deps: ApiDeps) {
  const { context } = deps;
  return new OpenAPIHono({ defaultHook: deps.validationHook })
    .openapi(
      createRoute({
        method: 'get',
        path: '/api/session',
        operationId: 'getSession',
        tags: ['session'],
        summary: 'Whether this browser has a live session (never 401: the web app asks before anything else)',
        security: PUBLIC,
        responses: { 200: json(SessionSchema, 'Session state'), ...errors() },
      }),
      async (c) => {
        const cookie = getCookie(c, SESSION_COOKIE);
        return c.json({ signedIn: cookie !== undefined && (await isLiveSession(context, cookie)) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/api/session',
        operationId: 'signIn',
        tags: ['session'],
        summary: 'Sign in with an API token; sets an httpOnly session cookie',
        security: PUBLIC,
        request: { body: { content: { 'application/json': { schema: SignInSchema } }, required: true } },
        responses: { 200: json(SessionSchema, 'Signed in'), ...errors(...BODY_ERRORS, 401) },
      }),
      async (c) => {
        const tokenId = await authenticateToken(context, c.req.valid('json').token);
        if (tokenId === undefined)
          throw new AppError('Unauthorized', 'That API token is not valid.', {
            hint: 'Create one with `winnow token create <name>`, or use the sign-in link `winnow serve` printed.',
            webHint: 'Paste a token made with winnow token create on the server, or open the sign-in link winnow serve printed.',
          });
        const session = await openSession(context, tokenId);
        setCookie(c, SESSION_COOKIE, session.cookie, cookieOptions);
        return c.json({ signedIn: true }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/api/session',
        operationId: 'signOut',
        tags: ['session'],
        summary: 'Sign this browser out: its session stops working at once',
        security: PUBLIC,
        responses: { 204: { description: 'Signed out (or was not signed in)' }, ...errors() },
      }),
      async (c) => {
        const cookie = getCookie(c, SESSION_COOKIE);
        if (cookie) {
          await closeSession(context, cookie);
          deps.acceptedCredentials.forget('session', cookie);
        }
        deleteCookie(c, SESSION_COOKIE, { path: '/' });
        return c.body(null, 204);
      },
    )
    .get('/login', async (c) => {
      const secret = c.req.query('token') ?? '';
      if (!deps.signIn?.consume(secret)) return c.redirect('/?signin=expired', 302);
      const session = await openSession(context, null);
      setCookie(c, SESSION_COOKIE, session.cookie, cookieOptions);
      return c.redirect('/', 302);
    });
}
