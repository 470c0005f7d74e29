/** Every failure Winnow reports has one of these codes; the CLI and API map them to exit codes and HTTP statuses. */
export type ErrorCode =
  | 'ConfigInvalid'
  | 'InputInvalid'
  | 'LocationInvalid'
  | 'DatasetNotFound'
  | 'DatasetExists'
  | 'DatasourceAccessDenied'
  | 'DatasourceInvalidAccessKeyId'
  | 'DatasourceSignatureMismatch'
  | 'DatasourceCredentialsExpired'
  | 'DatasourceBucketNotFound'
  | 'DatasourceWrongRegion'
  | 'DatasourceUnreachable'
  | 'DatasourceUnavailable'
  | 'DatasourceKmsDenied'
  | 'DatasourceAssumeRoleFailed'
  | 'DatasourceError'
  | 'ObjectNotFound'
  | 'SampleNotFound'
  | 'SecretMissing'
  | 'SecretUndecryptable'
  | 'ImageUnreadable'
  | 'ImageTooLarge'
  | 'OutputNotWritable'
  | 'DatasetBusy'
  | 'SyncCancelled'
  | 'Unauthorized'
  | 'NotFound'
  | 'VerifyFailed'
  | 'PolicyInvalid'
  | 'PolicyTooComplex'
  | 'EndpointRefused'
  | 'LocalFolderRefused'
  | 'RequestTooLarge'
  | 'UnsupportedMediaType'
  | 'HostNotAllowed'
  | 'ModelUnreadable'
  | 'ModelInvalid'
  | 'CatalogUnavailable'
  | 'ModelNotFound'
  | 'EmbeddingsNotFound'
  | 'EmbeddingsImportInvalid'
  | 'TagNotFound'
  | 'TagExists'
  | 'MetadataInvalid'
  | 'JobNotFound'
  | 'JobStateConflict'
  | 'JobHandlerMissing';

/** How each code ends a CLI run and answers an HTTP request; the compiler sees that every code has both. */
export const ERROR_OUTCOMES: Record<ErrorCode, { exit: number; status: number }> = {
  // The user's input or configuration (exit 2, HTTP 400-415).
  ConfigInvalid: { exit: 2, status: 500 },
  InputInvalid: { exit: 2, status: 400 },
  LocationInvalid: { exit: 2, status: 400 },
  SecretMissing: { exit: 2, status: 400 },
  SecretUndecryptable: { exit: 2, status: 500 },
  PolicyInvalid: { exit: 2, status: 400 },
  PolicyTooComplex: { exit: 2, status: 400 },
  EndpointRefused: { exit: 2, status: 400 },
  LocalFolderRefused: { exit: 2, status: 403 },
  ModelUnreadable: { exit: 2, status: 400 },
  ModelInvalid: { exit: 2, status: 400 },
  EmbeddingsImportInvalid: { exit: 2, status: 400 },
  MetadataInvalid: { exit: 2, status: 400 },
  RequestTooLarge: { exit: 2, status: 413 },
  UnsupportedMediaType: { exit: 2, status: 415 },
  HostNotAllowed: { exit: 2, status: 421 },
  Unauthorized: { exit: 2, status: 401 },
  // Something named that does not exist, or already does (exit 3).
  DatasetNotFound: { exit: 3, status: 404 },
  SampleNotFound: { exit: 3, status: 404 },
  ObjectNotFound: { exit: 3, status: 404 },
  NotFound: { exit: 3, status: 404 },
  ModelNotFound: { exit: 3, status: 404 },
  EmbeddingsNotFound: { exit: 3, status: 404 },
  DatasetExists: { exit: 3, status: 409 },
  TagNotFound: { exit: 3, status: 404 },
  TagExists: { exit: 3, status: 409 },
  JobNotFound: { exit: 3, status: 404 },
  // The keys may not do it (exit 4); the user's storage said no, so HTTP 502 (the upstream's failure, not the client's).
  DatasourceAccessDenied: { exit: 4, status: 502 },
  DatasourceInvalidAccessKeyId: { exit: 4, status: 502 },
  DatasourceSignatureMismatch: { exit: 4, status: 502 },
  DatasourceCredentialsExpired: { exit: 4, status: 502 },
  DatasourceKmsDenied: { exit: 4, status: 502 },
  DatasourceAssumeRoleFailed: { exit: 4, status: 502 },
  VerifyFailed: { exit: 4, status: 502 },
  OutputNotWritable: { exit: 4, status: 502 },
  // The storage cannot be reached or is not where it was said to be (exit 5).
  DatasourceBucketNotFound: { exit: 5, status: 502 },
  DatasourceWrongRegion: { exit: 5, status: 502 },
  DatasourceUnreachable: { exit: 5, status: 504 },
  // Throttled, a server error or a broken connection on every try: the same call may well work later.
  DatasourceUnavailable: { exit: 5, status: 503 },
  DatasourceError: { exit: 5, status: 502 },
  CatalogUnavailable: { exit: 5, status: 503 },
  // Another job holds the dataset, or this one was stopped (exit 6).
  DatasetBusy: { exit: 6, status: 409 },
  SyncCancelled: { exit: 6, status: 409 },
  JobStateConflict: { exit: 6, status: 409 },
  // A build without a handler for one of its jobs refuses to start.
  JobHandlerMissing: { exit: 1, status: 500 },
  // One image among many; a command that meets it alone fails with 1.
  ImageUnreadable: { exit: 1, status: 422 },
  ImageTooLarge: { exit: 1, status: 422 },
};

/** After these, every further call to the storage would fail the same way: a job stops instead of failing every sample. */
const FATAL_DATASOURCE_ERRORS = new Set<ErrorCode>([
  'DatasourceAccessDenied',
  'DatasourceKmsDenied',
  'DatasourceUnreachable',
  'DatasourceInvalidAccessKeyId',
  'DatasourceSignatureMismatch',
  'DatasourceCredentialsExpired',
  'DatasourceAssumeRoleFailed',
  'DatasourceBucketNotFound',
  'DatasourceWrongRegion',
]);

export function isFatalDatasourceError(error: unknown): error is AppError {
  return error instanceof AppError && FATAL_DATASOURCE_ERRORS.has(error.code);
}

export interface AppErrorOptions {
  cause?: unknown;
  /** One line telling the user how to fix it (at a terminal: it may name `winnow` commands). */
  hint?: string;
  /** The same for someone in the web app, when `hint` speaks of commands they have no use for. */
  webHint?: string;
  /** Structured facts for --json output and the API (never secrets). */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly webHint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = options.hint;
    this.webHint = options.webHint;
    this.details = options.details ?? {};
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}

/**
 * A value the user gave, fit to quote in a message: at most `max` characters, control characters
 * escaped, so an error never echoes a huge or terminal-hostile input back.
 */
export function quoteInput(value: string, max = 120): string {
  const escaped = JSON.stringify(value.length > max ? value.slice(0, max) : value);
  return value.length > max ? `${escaped.slice(0, -1)}…" (${value.length.toLocaleString('en-US')} characters)` : escaped;
}

/** Message of any thrown value, for places that must record a failure and go on. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
