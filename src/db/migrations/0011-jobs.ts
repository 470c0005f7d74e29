import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Background jobs. `jobs` is the embedded default's queue (SQLite, worked by the process that
 * holds the catalog); on PostgreSQL pg-boss keeps its own queue in its own schema, and the table
 * stays empty. `job_progress` holds what a running job last reported, for both queues (pg-boss
 * keeps no progress), so `winnow jobs show` and the API can read it from any process; for pg-boss
 * its `updated_at` is also the attempt's heartbeat (pg-boss's own expiry is a cap on run time).
 */
export function jobsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('retry_limit', 'integer', (c) => c.notNull())
        .addColumn('retry_count', 'integer', (c) => c.notNull())
        .addColumn('retry_delay_seconds', 'integer', (c) => c.notNull())
        .addColumn('retry_backoff', 'integer', (c) => c.notNull())
        .addColumn('expire_in_seconds', 'integer', (c) => c.notNull())
        .addColumn('start_after', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('worker', 'text')
        .addColumn('output', 'text')
        .execute();
      await db.schema.createIndex('jobs_next').on('jobs').columns(['state', 'name', 'start_after']).execute();
      await db.schema
        .createTable('job_progress')
        .addColumn('job_id', 'text', (c) => c.primaryKey())
        .addColumn('progress', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('expire_in_seconds', 'integer')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('job_progress').execute();
      await db.schema.dropTable('jobs').execute();
    },
  };
}
