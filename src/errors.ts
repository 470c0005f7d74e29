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
  | 'SyncFailed'
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
  | 'ModelNotFound'
  | 'EmbeddingsNotFound'
  | 'EmbeddingsImportInvalid';

export interface AppErrorOptions {
  cause?: unknown;
  /** One line telling the user how to fix it. */
  hint?: string;
  /** Structured facts for --json output and the API (never secrets). */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = options.hint;
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
