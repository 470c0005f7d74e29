import type { Context as HonoContext } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../log/logger.js';
import { describeError, isAppError, type ErrorCode } from '../errors.js';

const STATUS: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  ConfigInvalid: 400,
  InputInvalid: 400,
  LocationInvalid: 400,
  SecretMissing: 400,
  PolicyInvalid: 400,
  PolicyTooComplex: 400,
  EndpointRefused: 400,
  ModelUnreadable: 400,
  ModelInvalid: 400,
  EmbeddingsImportInvalid: 400,
  ModelNotFound: 404,
  EmbeddingsNotFound: 404,
  LocalFolderRefused: 403,
  RequestTooLarge: 413,
  UnsupportedMediaType: 415,
  HostNotAllowed: 421,
  Unauthorized: 401,
  DatasetNotFound: 404,
  ObjectNotFound: 404,
  SampleNotFound: 404,
  NotFound: 404,
  DatasetExists: 409,
  DatasetBusy: 409,
  SyncCancelled: 409,
  // Failures of the user's storage are the upstream's, not the client's request.
  DatasourceAccessDenied: 502,
  DatasourceInvalidAccessKeyId: 502,
  DatasourceSignatureMismatch: 502,
  DatasourceCredentialsExpired: 502,
  DatasourceKmsDenied: 502,
  DatasourceAssumeRoleFailed: 502,
  DatasourceBucketNotFound: 502,
  DatasourceWrongRegion: 502,
  DatasourceError: 502,
  DatasourceUnreachable: 504,
};

export interface ErrorBody {
  error: { code: string; message: string; hint: string | null };
}

export function errorBody(code: string, message: string, hint: string | null = null): ErrorBody {
  return { error: { code, message, hint } };
}

/** The one error handler: AppErrors keep their code and hint; anything else is a 500 that never leaks internals. */
export function handleError(error: unknown, c: HonoContext, log: Logger): Response {
  if (isAppError(error)) return c.json(errorBody(error.code, error.message, error.hint ?? null), STATUS[error.code] ?? 500);
  // Hono's own refusals (a body that is not JSON, for one) are the client's; their messages quote no input.
  if (error instanceof HTTPException && error.status < 500) {
    return c.json(errorBody('InputInvalid', `${error.message.replace(/\.?$/, '.')}`, 'Send a JSON body that matches /api/openapi.json.'), error.status as ContentfulStatusCode);
  }
  if (error instanceof URIError) return c.json(errorBody('InputInvalid', 'The request path holds a malformed %-escape.', 'Encode each path segment with encodeURIComponent.'), 400);
  log.error({ err: describeError(error), path: c.req.path }, 'unhandled API error');
  return c.json(errorBody('InternalError', 'Something went wrong on the server; see its log.'), 500);
}
