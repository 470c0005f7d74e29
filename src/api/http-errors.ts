import type { Context as HonoContext } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../log/logger.js';
import { describeError, ERROR_OUTCOMES, isAppError } from '../errors.js';

export interface ErrorBody {
  error: { code: string; message: string; hint: string | null };
}

export function errorBody(code: string, message: string, hint: string | null = null): ErrorBody {
  return { error: { code, message, hint } };
}

/** The one error handler: AppErrors keep their code and hint; anything else is a 500 that never leaks internals. */
export function handleError(error: unknown, c: HonoContext, log: Logger): Response {
  if (isAppError(error))
    return c.json(errorBody(error.code, error.message, error.webHint ?? error.hint ?? null), ERROR_OUTCOMES[error.code].status as ContentfulStatusCode);
  // Hono's own refusals (a body that is not JSON, for one) are the client's; their messages quote no input.
  if (error instanceof HTTPException && error.status < 500) {
    return c.json(
      errorBody('InputInvalid', `${error.message.replace(/\.?$/, '.')}`, 'Send a JSON body that matches /api/openapi.json.'),
      error.status as ContentfulStatusCode,
    );
  }
  if (error instanceof URIError)
    return c.json(errorBody('InputInvalid', 'The request path holds a malformed %-escape.', 'Encode each path segment with encodeURIComponent.'), 400);
  log.error({ err: describeError(error), path: c.req.path }, 'unhandled API error');
  return c.json(errorBody('InternalError', 'Something went wrong on the server; see its log.'), 500);
}
