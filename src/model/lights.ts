/** The five things Winnow checks its keys may do, each with one real call inside the configured prefixes. */
export type Light = 'list' | 'read' | 'write' | 'overwrite' | 'delete';
export const LIGHTS: readonly Light[] = ['list', 'read', 'write', 'overwrite', 'delete'];

/** One light as a real probe found it. */
export interface VerifyCheck {
  ok: boolean;
  /** True when the probe could not run (nothing to read, or an earlier step failed). */
  skipped: boolean;
  /** The S3 call (or file operation) the probe made. */
  operation: string;
  /** The IAM action the call needs. */
  action: string;
  resource: string;
  errorCode?: string | undefined;
  s3Code?: string | undefined;
  message?: string | undefined;
  fix?: string | undefined;
}
