import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/** The channel a PostgreSQL catalog notifies on whenever a row of `datasets` changes. */
export const DATASETS_CHANGED_CHANNEL = 'winnow_datasets_changed';

/**
 * On PostgreSQL, every statement that changes `datasets` (a revision bump with each sample
 * write, a new or deleted dataset) notifies DATASETS_CHANGED_CHANNEL on commit. A trigger
 * rather than the writers: a server can then keep dataset rows in memory and still hear of
 * writes from any process (a CLI sync, another server), and no writer can forget to tell it.
 * SQLite needs none: reading a row there costs microseconds, so nothing keeps it.
 */
export function datasetChangeNoticesMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql`
        create function winnow_notify_datasets_changed() returns trigger language plpgsql as $$
        begin
          perform pg_notify(${sql.lit(DATASETS_CHANGED_CHANNEL)}, '');
          return null;
        end $$`.execute(db);
      await sql`
        create trigger datasets_changed after insert or update or delete or truncate on datasets
        for each statement execute function winnow_notify_datasets_changed()`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql`drop trigger if exists datasets_changed on datasets`.execute(db);
      await sql`drop function if exists winnow_notify_datasets_changed()`.execute(db);
    },
  };
}
