import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import PgBoss from 'pg-boss';
import { findJobProgress, saveJobProgress, startJobProgress } from '../catalog/job.repository.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import {
  checkHandlers,
  foundJob,
  isPermanentJobError,
  jobErrorOf,
  type EnqueueOptions,
  type JobContext,
  type JobFilter,
  type JobHandlers,
  type JobPayloads,
  type JobQueue,
  type JobState,
  type JobView,
  type WorkOptions,
} from './job-queue.js';
import { createProgressWriter, jobDefaults, type QueueSettings } from './queue-support.js';

/** pg-boss keeps its tables in a schema of their own, in the catalog's database. */
export const PG_BOSS_SCHEMA = 'winnow_jobs';

export interface PgBossQueueOptions<Payloads extends JobPayloads> extends QueueSettings {
  url: string;
  /** The catalog (for job progress, which pg-boss does not keep). */
  database: Database;
  names: ReadonlyArray<keyof Payloads & string>;
  log: Logger;
  clock: () => Date;
  /** How often the supervising process fails expired attempts (pg-boss maintenance). */
  maintenanceIntervalSeconds: number;
  schema?: string;
}

interface JobRecord {
  id: string;
  name: string;
  data: Record<string, unknown>;
  state: JobState;
  retry_count: number;
  retry_limit: number;
  created_on: Date;
  started_on: Date | null;
  completed_on: Date | null;
  start_after: Date;
  output: Record<string, unknown> | null;
}

/**
 * The scale-out queue: pg-boss on the catalog's PostgreSQL, so `winnow worker` processes on any
 * number of machines share the jobs. pg-boss delivers at least once (an attempt that outlives its
 * expiry is retried, the worker perhaps still running), so every handler is idempotent and a
 * dataset's long jobs still take the dataset's lease.
 */
export async function createPgBossJobQueue<Payloads extends JobPayloads>(options: PgBossQueueOptions<Payloads>): Promise<JobQueue<Payloads>> {
  type Name = keyof Payloads & string;
  const schema = options.schema ?? PG_BOSS_SCHEMA;
  const boss = new PgBoss({
    connectionString: options.url,
    schema,
    application_name: 'winnow-jobs',
    max: 4,
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds,
  });
  boss.on('error', (error) => options.log.error({ err: error.message }, 'pg-boss error'));
  try {
    await whileHoldingStartLock(options.database, schema, async () => {
      await boss.start();
      for (const name of options.names) await ensureQueue(boss, name);
    });
  } catch (error) {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    throw new AppError('CatalogUnavailable', `Could not start the job queue (pg-boss) in schema ${schema}: ${jobErrorOf(error).message}`, {
      cause: error,
      hint: 'Check that WINNOW_DATABASE_URL points at a running PostgreSQL and that its user may create a schema.',
    });
  }
  const db = boss.getDb();
  const running = new Map<string, AbortController>();
  const columns = 'id, name, data, state, retry_count, retry_limit, created_on, started_on, completed_on, start_after, output';

  const toViews = async (records: JobRecord[]): Promise<Array<JobView<Name>>> => {
    const progress = await findJobProgress(
      options.database.db,
      records.map((record) => record.id),
    );
    return records.map((record) => viewOf<Name>(record, progress.get(record.id)));
  };
  const find = async (id: string): Promise<JobRecord | undefined> => {
    if (!UUID.test(id)) return undefined;
    const { rows } = await db.executeSql(
      `select ${columns} from ${schema}.job where id = $1 union all select ${columns} from ${schema}.archive where id = $1 limit 1`,
      [id],
    );
    return rows[0] as JobRecord | undefined;
  };
  const get = async (id: string) => {
    if (!UUID.test(id)) return undefined;
    // The progress before the job row: a handler reports only once its job is active, so a state read afterwards is
    // never older than the progress (read the other way round, a job taken between the two reads showed its first
    // progress while still 'created').
    const progress = await findJobProgress(options.database.db, [id]);
    const record = await find(id);
    return record === undefined ? undefined : viewOf<Name>(record, progress.get(id));
  };

  const runJob = async (handlers: JobHandlers<Payloads>, job: PgBoss.JobWithMetadata<object>) => {
    const abort = new AbortController();
    running.set(job.id, abort);
    const progress = createProgressWriter({
      write: (value) => saveJobProgress(options.database.db, job.id, JSON.stringify(value), options.clock().toISOString()),
      isCancelled: async () => (await find(job.id))?.state === 'cancelled',
      onCancelled: () => abort.abort('cancelled'),
      intervalMs: options.progressIntervalMs,
    });
    const context: JobContext = { id: job.id, signal: abort.signal, reportProgress: progress.report };
    try {
      const result = await handlers[job.name as Name](job.data as Payloads[Name], context);
      await progress.flush();
      return result ?? {};
    } catch (error) {
      await progress.flush().catch(() => undefined);
      if (abort.signal.aborted && abort.signal.reason === 'stopping') {
        // Released, not failed: another worker resumes it at once where this one committed.
        await db.executeSql(`update ${schema}.job set state = 'retry', start_after = now() where name = $1 and id = $2 and state = 'active'`, [
          job.name,
          job.id,
        ]);
        return {};
      }
      if (abort.signal.aborted && abort.signal.reason === 'cancelled') return {};
      const described = jobErrorOf(error);
      options.log.warn({ job: job.id, name: job.name, err: described.message }, 'job attempt failed');
      if (isPermanentJobError(described)) {
        // pg-boss retries while retry_count < retry_limit; `jobs retry` raises the limit again.
        await db.executeSql(`update ${schema}.job set retry_limit = retry_count where name = $1 and id = $2`, [job.name, job.id]);
      }
      // pg-boss stores the thrown value's own fields: code, message and hint, and no stack.
      throw Object.assign(new Error(described.message), { code: described.code, hint: described.hint, stack: undefined });
    } finally {
      running.delete(job.id);
    }
  };

  /**
   * Attempts whose heartbeat (the last progress report, else the start) is older than the job's
   * expiry belong to a worker that died or hung: they are failed, so pg-boss retries them.
   */
  const sweepSilentJobs = async () => {
    const { rows } = await db.executeSql(
      `select job.name, job.id from ${schema}.job job join job_progress progress on progress.job_id = job.id::text
       where job.state = 'active'
         and greatest(job.started_on, progress.updated_at::timestamptz) + make_interval(secs => coalesce(progress.expire_in_seconds, $1)) < now()`,
      [options.expireInSeconds],
    );
    for (const row of rows as Array<{ name: string; id: string }>) {
      if (running.has(row.id)) continue;
      await boss.fail(row.name, row.id, { code: 'WorkerLost', message: 'The worker running this job stopped showing signs of life; it is tried again.' });
      options.log.warn({ job: row.id, name: row.name }, 'job of a silent worker taken back');
    }
  };
  let sweeping: NodeJS.Timeout | undefined;

  return {
    kind: 'pg-boss',
    async enqueue(name, data, enqueueOptions: EnqueueOptions = {}) {
      const settings = jobDefaults(options, enqueueOptions);
      const id = enqueueOptions.id ?? randomUUID();
      // The heartbeat row first: a worker may take the job the moment it is sent.
      await startJobProgress(options.database.db, id, settings.expireInSeconds, options.clock().toISOString());
      const sent = await boss.send(name, data, {
        id,
        retryLimit: settings.retryLimit,
        retryDelay: settings.retryDelaySeconds,
        retryBackoff: settings.retryBackoff,
        // pg-boss's expiry caps an attempt's run time (its worker gives up on the handler then); silence is what
        // marks a dead worker, and the sweep below handles that.
        expireInSeconds: MAX_RUN_SECONDS,
      });
      if (sent === null) throw new AppError('JobStateConflict', `pg-boss did not take the ${name} job.`);
      return sent;
    },
    get,
    async list(filter: JobFilter<Name> = {}) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter.names !== undefined) where.push(`name = any($${values.push([...filter.names])}::text[])`);
      if (filter.states !== undefined) where.push(`state::text = any($${values.push([...filter.states])}::text[])`);
      if (filter.dataset !== undefined) where.push(`data->>'dataset' = $${values.push(filter.dataset)}`);
      const condition = where.length === 0 ? '' : `where ${where.join(' and ')}`;
      const limit = `$${values.push(filter.limit ?? 100)}`;
      const { rows } = await db.executeSql(
        `select * from (select ${columns} from ${schema}.job ${condition} union all select ${columns} from ${schema}.archive ${condition}) jobs
         order by created_on desc, id limit ${limit}`,
        values,
      );
      return toViews(rows as JobRecord[]);
    },
    async cancel(id) {
      const record = foundJob(await find(id), id);
      if (!['created', 'retry', 'active'].includes(record.state)) {
        throw new AppError('JobStateConflict', `Job ${id} is ${record.state}; only a job that has not finished can be cancelled.`);
      }
      await boss.cancel(record.name, id);
      running.get(id)?.abort('cancelled');
      return foundJob(await get(id), id);
    },
    async retry(id) {
      const record = foundJob(await find(id), id);
      if (record.state === 'failed') await boss.retry(record.name, id);
      else if (record.state === 'cancelled') await boss.resume(record.name, id);
      else throw new AppError('JobStateConflict', `Job ${id} is ${record.state}; only a failed or cancelled job can be retried.`);
      return foundJob(await get(id), id);
    },
    async work(handlers, workOptions: WorkOptions<Name>) {
      checkHandlers<Payloads>(options.names, handlers);
      sweeping ??= setInterval(() => {
        sweepSilentJobs().catch((error: unknown) => options.log.error({ err: jobErrorOf(error).message }, 'job sweep failed'));
      }, options.maintenanceIntervalSeconds * 1000);
      for (const name of workOptions.queues ?? options.names) {
        for (let slot = 0; slot < workOptions.concurrency; slot++) {
          const worker: { id?: string } = {};
          worker.id = await boss.work<object>(
            name,
            { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: Math.max(0.5, options.pollIntervalMs / 1000) },
            async ([job]) => {
              try {
                return job === undefined ? {} : await runJob(handlers, job);
              } finally {
                // pg-boss 10 waits out its polling interval after every fetch, even one that found a job; a slot that
                // just finished one fetches the next at once instead (short shards and batches would idle otherwise).
                if (worker.id !== undefined) boss.notifyWorker(worker.id);
              }
            },
          );
        }
      }
    },
    async stop() {
      clearInterval(sweeping);
      for (const abort of running.values()) abort.abort('stopping');
      await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
    },
  };
}

/** pg-boss's ceiling for an attempt (it allows less than 24 hours). */
const MAX_RUN_SECONDS = 23 * 3600;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs `start` while holding a session advisory lock of the schema: N workers started at once on a
 * fresh database otherwise create pg-boss's schema and queue partitions concurrently, and PostgreSQL
 * answers one of them "deadlock detected".
 */
async function whileHoldingStartLock(database: Database, schema: string, start: () => Promise<void>): Promise<void> {
  await database.db.connection().execute(async (connection) => {
    const lockKey = `winnow-jobs-start:${schema}`;
    await sql`select pg_advisory_lock(hashtext(${lockKey}))`.execute(connection);
    try {
      await start();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${lockKey}))`.execute(connection);
    }
  });
}

async function ensureQueue(boss: PgBoss, name: string): Promise<void> {
  if (await boss.getQueue(name)) return;
  try {
    await boss.createQueue(name);
  } catch (error) {
    // Another process created it between the look and the create.
    if (!(await boss.getQueue(name))) throw error;
  }
}

function viewOf<Name extends string>(record: JobRecord, progress: string | undefined): JobView<Name> {
  const finished = record.state === 'completed' || record.state === 'failed' || record.state === 'cancelled';
  const failedOutput = record.state === 'failed' || record.state === 'retry';
  return {
    id: record.id,
    name: record.name as Name,
    data: record.data,
    state: record.state,
    retryCount: record.retry_count,
    retryLimit: record.retry_limit,
    createdAt: record.created_on.toISOString(),
    startedAt: record.started_on?.toISOString() ?? null,
    finishedAt: finished ? (record.completed_on?.toISOString() ?? null) : null,
    startAfter: record.start_after.toISOString(),
    progress: progress === undefined ? null : (JSON.parse(progress) as Record<string, unknown>),
    result: record.state === 'completed' ? (record.output ?? {}) : null,
    error: failedOutput && record.output !== null ? jobErrorOf(record.output) : null,
  };
}
