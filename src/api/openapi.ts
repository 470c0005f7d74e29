import type { z } from '@hono/zod-openapi';
import { ErrorSchema } from './schemas.js';

/**
 * Pieces every route's OpenAPI description is made of, so each operation states its security and
 * every status it really returns, each with the shared error schema (a generated client then knows
 * all of them). The document itself is assembled in app.ts.
 */

/** The bearer token (or the web app's session cookie) every route but health and sign-in needs. */
export const BEARER = [{ bearer: [] }];
/** Routes anyone may call. */
export const PUBLIC: Array<Record<string, string[]>> = [];

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

const ERROR_DESCRIPTIONS = {
  400: 'The request is invalid: a path parameter, the query or the JSON body (the message names the field).',
  401: 'No valid API token or session cookie.',
  403: 'The operator does not allow this (e.g. a local folder outside WINNOW_LOCAL_ROOTS).',
  404: 'No such dataset or sample.',
  409: 'It exists already, or another job holds the dataset.',
  413: 'The body is larger than the server accepts.',
  415: 'The body is not JSON.',
  421: 'The request was sent to a host name this server does not answer to.',
  422: 'The image cannot be read (corrupt, truncated, not an image, or too large).',
  500: 'The server failed; its log says why.',
  502: 'The bucket refused or failed the call (the message names the S3 call and the IAM action).',
  504: 'The bucket did not answer in time.',
} as const;

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** Error responses for the statuses a route returns; 421 and 500 can come from any route, so they are always in. */
export function errors(...statuses: ErrorStatus[]) {
  const all = [...new Set<ErrorStatus>([...statuses, 421, 500])].sort((a, b) => a - b);
  return Object.fromEntries(all.map((status) => [status, json(ErrorSchema, ERROR_DESCRIPTIONS[status])])) as Record<
    ErrorStatus,
    ReturnType<typeof json<typeof ErrorSchema>>
  >;
}

/** A route's path parameter or query failed validation, or the dataset is not there. */
export const DATASET_ERRORS = [400, 401, 404] as const satisfies readonly ErrorStatus[];
/** A route that reads a JSON body. */
export const BODY_ERRORS = [400, 413, 415] as const satisfies readonly ErrorStatus[];
/** A route that calls the dataset's storage. */
export const STORAGE_ERRORS = [502, 504] as const satisfies readonly ErrorStatus[];
