import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Two columns every write to a dataset's samples or thumbnails keeps up to date in the same
 * statement: a revision, so a server can tell its cached pages are stale, and the count of
 * live samples, which the datasets list would otherwise count row by row (a second at 1M).
 */
export function datasetRevisionMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('datasets').addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('datasets').addColumn('live_samples', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      await sql`update datasets set live_samples = (select count(*) from samples where samples.dataset_id = datasets.id and samples.removed_at is null)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('datasets').dropColumn('live_samples').execute();
      await db.schema.alterTable('datasets').dropColumn('revision').execute();
    },
  };
}
