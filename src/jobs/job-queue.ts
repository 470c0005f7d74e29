import { AppError, ERROR_OUTCOMES, type ErrorCode } from '../errors.js';

/** pg-boss's job states; the in-process queue uses the same ones. */
export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

export const JOB_STATES: readonly JobState[] = ['created', 'retry', 'active', 'completed', 'cancelled', 'failed'];

/** States a job does not leave by itself. */
export const FINISHED_STATES: readonly JobState[] = ['completed', 'cancelled', 'failed'];

/** Job names and the payload each one takes; a queue and its handlers are typed by one of these maps. */
export type JobPayloads = Record<string, object>;

export interface JobError {
  code: string;
  message: string;
  hint: string | null;
}

export interface JobView<Name extends string = string> {
  id: string;
  name: Name;
  data: Record<string, unknown>;
  state: JobState;
  /** Attempts that failed and were tried again. */
  retryCount: number;
  retryLimit: number;
  createdAt: string;
  /** When the running attempt last showed a sign of life (it started, or reported progress); its expiry counts from here. */
  startedAt: string | null;
  finishedAt: string | null;
  /** When the job (or its next retry) may start. */
  startAfter: string;
  /** What the handler last reported, while it runs and after. */
  progress: Record<string, unknown> | null;
  /** What the handler returned, once completed. */
  result: Record<string, unknown> | null;
  /** Why the last attempt failed. */
  error: JobError | null;
}

export interface EnqueueOptions {
  /** The job's id (a UUID); default a random one. A caller that may enqueue the same job twice names it, and looks it up first. */
  id?: string;
  /** Further attempts after a failure (default 3). */
  retryLimit?: number;
  /** Wait before the first retry (default 10 s). */
  retryDelaySeconds?: number;
  /** Each retry waits about twice as long as the one before (default true). */
  retryBackoff?: boolean;
  /** An attempt that shows no sign of life (a progress report) for this long is taken for a dead worker's and retried (default from config). */
  expireInSeconds?: number;
}

/** What a handler gets besides its payload. */
export interface JobContext {
  id: string;
  /** Aborted when the job is cancelled or the worker is stopping; the handler stops at its next committed step. */
  signal: AbortSignal;
  /** Records progress where every process can read it; also notices a cancel made by another process. */
  reportProgress(progress: object): Promise<void>;
}

export type JobHandler<Payload> = (payload: Payload, job: JobContext) => Promise<object | void>;

export type JobHandlers<Payloads extends JobPayloads> = { [Name in keyof Payloads]: JobHandler<Payloads[Name]> };

export interface JobFilter<Name extends string = string> {
  names?: readonly Name[] | undefined;
  states?: readonly JobState[] | undefined;
  /** Jobs whose payload names this dataset. */
  dataset?: string | undefined;
  limit?: number | undefined;
}

export interface WorkOptions<Name extends string = string> {
  /** Jobs this process runs at once, per queue. */
  concurrency: number;
  /** The queues (job names) this process works; default all. */
  queues?: readonly Name[] | undefined;
}

/** One interface over the embedded default's queue and pg-boss. */
export interface JobQueue<Payloads extends JobPayloads> {
  readonly kind: 'in-process' | 'pg-boss';
  enqueue<Name extends keyof Payloads & string>(name: Name, data: Payloads[Name], options?: EnqueueOptions): Promise<string>;
  get(id: string): Promise<JobView<keyof Payloads & string> | undefined>;
  list(filter?: JobFilter<keyof Payloads & string>): Promise<Array<JobView<keyof Payloads & string>>>;
  /** Cancels a job that has not finished; a running one stops at its next committed step. */
  cancel(id: string): Promise<JobView<keyof Payloads & string>>;
  /** Runs a failed or cancelled job again. */
  retry(id: string): Promise<JobView<keyof Payloads & string>>;
  /** Starts working the queues in this process until `stop`. */
  work(handlers: JobHandlers<Payloads>, options: WorkOptions<keyof Payloads & string>): Promise<void>;
  /** Stops fetching; running jobs are asked to stop at their next committed step and are awaited (they resume on the next attempt). */
  stop(): Promise<void>;
}

/**
 * The start-up check: every job name has a handler, so a process never takes a job it cannot run.
 * The types already say so; this catches what a cast or a plain-JavaScript caller slips past them.
 */
export function checkHandlers<Payloads extends JobPayloads>(names: readonly (keyof Payloads & string)[], handlers: Partial<JobHandlers<Payloads>>): void {
  const missing = names.filter((name) => typeof handlers[name] !== 'function');
  if (missing.length > 0) {
    throw new AppError(
      'JobHandlerMissing',
      `No handler for the job${missing.length > 1 ? 's' : ''} ${missing.map((name) => `"${name}"`).join(', ')}; refusing to start.`,
      {
        hint: 'Every job definition needs a handler: add it to the handlers in src/jobs/winnow-jobs.ts.',
      },
    );
  }
}

/** Delay before retry number `retryCount + 1`: pg-boss's rule, so both queues back off alike (doubling, with jitter in the upper half). */
export function retryDelaySeconds(delay: number, backoff: boolean, retryCount: number, random: () => number = Math.random): number {
  if (!backoff) return delay;
  const full = delay * 2 ** Math.min(16, retryCount + 1);
  return full / 2 + (full / 2) * random();
}

/** The error of a failed attempt as stored with the job: code, message and hint, never a stack. */
export function jobErrorOf(error: unknown): JobError {
  if (error instanceof AppError) return { code: error.code, message: error.message, hint: error.webHint ?? error.hint ?? null };
  if (error !== null && typeof error === 'object' && 'message' in error) {
    const fields = error as { code?: unknown; message?: unknown; hint?: unknown };
    return {
      code: typeof fields.code === 'string' ? fields.code : 'InternalError',
      message: String(fields.message),
      hint: typeof fields.hint === 'string' ? fields.hint : null,
    };
  }
  return { code: 'InternalError', message: String(error), hint: null };
}

/**
 * A failure no retry can mend until the user changes something: bad input (exit 2), a thing that does not
 * exist (3), keys or a policy that refuse (4). The job fails at once instead of spending its retries on it;
 * `winnow jobs retry` runs it again once the cause is fixed. Storage outages (5) and crashes are retried.
 */
export function isPermanentJobError(error: JobError): boolean {
  const outcome = (ERROR_OUTCOMES as Partial<Record<string, { exit: number }>>)[error.code as ErrorCode];
  return outcome !== undefined && [2, 3, 4].includes(outcome.exit);
}

/** The job, or JobNotFound naming the id. */
export function foundJob<View>(view: View | undefined, id: string): View {
  if (view === undefined) throw new AppError('JobNotFound', `No job has the id ${id}.`, { hint: 'List the jobs with `winnow jobs list`.' });
  return view;
}
