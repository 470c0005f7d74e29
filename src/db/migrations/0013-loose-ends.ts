import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * - `relevant_keys.lines`: how many lines of the relevant-filenames list named the key, so a
 *   repeated line is reported instead of silently folded into one.
 * - `sync_states.relevant_report`: what the last sync found about the list (keys missing from the
 *   bucket, outside the input, repeated, skipped by the filters), as JSON, so the dataset view shows
 *   it without comparing the list with the catalog again.
 * - `datasources.delete_allowed`: the delete light of the location's keys as last seen (verify's
 *   probe, or a delete of Winnow's own output), 1 or 0; null until known. A sync deletes the outputs of
 *   removed samples only while it is not 0, so keys that may not delete are not asked again on every sync.
 */
export function looseEndsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('relevant_keys')
        .addColumn('lines', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema.alterTable('sync_states').addColumn('relevant_report', 'text').execute();
      await db.schema.alterTable('datasources').addColumn('delete_allowed', 'integer').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('datasources').dropColumn('delete_allowed').execute();
      await db.schema.alterTable('sync_states').dropColumn('relevant_report').execute();
      await db.schema.alterTable('relevant_keys').dropColumn('lines').execute();
    },
  };
}
