import type { Executor } from '../db/executor.js';
import type { JobTable } from '../db/schema.js';
import type { Selectable } from 'kysely';

export type JobRow = Selectable<JobTable>;
export type JobRowState = JobTable['state'];

export interface NewJob {
  id: string;
  name: string;
  data: string;
  retryLimit: number;
  retryDelaySeconds: number;
  retryBackoff: boolean;
  expireInSeconds: number;
  now: string;
}

export async function insertJob(db: Executor, job: NewJob): Promise<void> {
  await db
    .insertInto('jobs')
    .values({
      id: job.id,
      name: job.name,
      data: job.data,
      state: 'created',
      retry_limit: job.retryLimit,
      retry_count: 0,
      retry_delay_seconds: job.retryDelaySeconds,
      retry_backoff: job.retryBackoff ? 1 : 0,
      expire_in_seconds: job.expireInSeconds,
      start_after: job.now,
      created_at: job.now,
      started_at: null,
      finished_at: null,
      worker: null,
      output: null,
    })
    .execute();
}

export async function findJob(db: Executor, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listJobs(
  db: Executor,
  filter: { names?: readonly string[] | undefined; states?: readonly JobRowState[] | undefined; dataPattern?: string | undefined; limit: number },
): Promise<JobRow[]> {
  let query = db.selectFrom('jobs').selectAll();
  if (filter.names !== undefined) query = query.where('name', 'in', filter.names.length > 0 ? [...filter.names] : ['']);
  if (filter.states !== undefined) query = query.where('state', 'in', filter.states.length > 0 ? [...filter.states] : ['created']);
  if (filter.dataPattern !== undefined) query = query.where('data', 'like', filter.dataPattern);
  return query.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).execute();
}

/** The next job of these names that may start now, or undefined; claimed for `worker` only if nobody claimed it first. */
export async function claimNextJob(db: Executor, names: readonly string[], worker: string, now: string): Promise<JobRow | undefined> {
  for (;;) {
    const next = await db
      .selectFrom('jobs')
      .select('id')
      .where('state', 'in', ['created', 'retry'])
      .where('name', 'in', [...names])
      .where('start_after', '<=', now)
      .orderBy('start_after')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (next === undefined) return undefined;
    const claimed = await db
      .updateTable('jobs')
      .set({ state: 'active', started_at: now, worker })
      .where('id', '=', next.id)
      .where('state', 'in', ['created', 'retry'])
      .executeTakeFirst();
    if (claimed.numUpdatedRows > 0n) return findJob(db, next.id);
  }
}

/** Active jobs whose attempt ran out of time: their worker is gone (or hung) and they are due for a retry. */
export async function listActiveJobs(db: Executor): Promise<JobRow[]> {
  return db.selectFrom('jobs').selectAll().where('state', '=', 'active').execute();
}

/** Ends an attempt, only if `worker` still holds it (a job retried after its worker was presumed dead is no longer its). */
export async function finishJobAttempt(
  db: Executor,
  id: string,
  worker: string | null,
  change: { state: JobRowState; output: string | null; finishedAt: string | null; startAfter?: string; retryCount?: number },
): Promise<boolean> {
  let query = db
    .updateTable('jobs')
    .set({
      state: change.state,
      output: change.output,
      finished_at: change.finishedAt,
      ...(change.startAfter === undefined ? {} : { start_after: change.startAfter }),
      ...(change.retryCount === undefined ? {} : { retry_count: change.retryCount }),
    })
    .where('id', '=', id)
    .where('state', '=', 'active');
  if (worker !== null) query = query.where('worker', '=', worker);
  return (await query.executeTakeFirst()).numUpdatedRows > 0n;
}

/** Moves a job from one of `from` to `to`; false when it was in none of them. */
export async function setJobState(
  db: Executor,
  id: string,
  from: readonly JobRowState[],
  change: { state: JobRowState; finishedAt: string | null; retryLimit?: number; startAfter?: string },
): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({
      state: change.state,
      finished_at: change.finishedAt,
      ...(change.retryLimit === undefined ? {} : { retry_limit: change.retryLimit }),
      ...(change.startAfter === undefined ? {} : { start_after: change.startAfter }),
    })
    .where('id', '=', id)
    .where('state', 'in', [...from])
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** A sign of life from the attempt's worker: its expiry counts from now. */
export async function touchJob(db: Executor, id: string, worker: string, now: string): Promise<void> {
  await db.updateTable('jobs').set({ started_at: now }).where('id', '=', id).where('state', '=', 'active').where('worker', '=', worker).execute();
}

export async function saveJobProgress(db: Executor, jobId: string, progress: string, now: string): Promise<void> {
  await db
    .insertInto('job_progress')
    .values({ job_id: jobId, progress, updated_at: now })
    .onConflict((conflict) => conflict.column('job_id').doUpdateSet({ progress, updated_at: now }))
    .execute();
}

/** A queued job's heartbeat row, before it has reported anything. */
export async function startJobProgress(db: Executor, jobId: string, expireInSeconds: number, now: string): Promise<void> {
  await db.insertInto('job_progress').values({ job_id: jobId, progress: null, updated_at: now, expire_in_seconds: expireInSeconds }).execute();
}

export async function findJobProgress(db: Executor, jobIds: readonly string[]): Promise<Map<string, string>> {
  if (jobIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('job_progress')
    .select(['job_id', 'progress'])
    .where('job_id', 'in', [...jobIds])
    .execute();
  return new Map(rows.filter((row) => row.progress !== null).map((row) => [row.job_id, row.progress!]));
}
