import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * "Name contains" with 1-2 characters, which no trigram index can look up (issue 21): per dataset, every
 * 1- and 2-character gram of the lower-cased keys with how many samples hold it, and their ids while
 * fewer than a few thousand do. Built lazily in one pass (the first short query, or the end of a sync)
 * rather than on every insert, which made syncs 3-4x slower.
 * - `sample_name_grams`: the grams, counted over the samples indexed so far (removed ones included).
 * - `sample_name_gram_marks` (SQLite): the highest sample id indexed. SQLite has one writer at a time
 *   and never reuses ids, so the rows still to index are exactly those above it.
 * - `sample_name_gram_backlog` (PostgreSQL): the id range of each insert not yet indexed, written by the
 *   insert's own statement. Concurrent transactions may commit ids out of order there, so a mark could
 *   skip a row committed late; a backlog row commits with the rows it names.
 */
export function nameGramsMigration(dialect: Dialect): Migration {
  const gramType = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  const sampleId = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sample_name_grams')
        .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('gram', gramType, (c) => c.notNull())
        .addColumn('holders', 'integer', (c) => c.notNull())
        .addColumn('ids', 'text')
        .addPrimaryKeyConstraint('sample_name_grams_pk', ['dataset_id', 'gram'])
        .execute();
      if (dialect === 'sqlite') {
        await db.schema
          .createTable('sample_name_gram_marks')
          .addColumn('dataset_id', 'text', (c) => c.primaryKey().references('datasets.id').onDelete('cascade'))
          .addColumn('indexed_to_id', sampleId, (c) => c.notNull())
          .execute();
      } else {
        await db.schema
          .createTable('sample_name_gram_backlog')
          .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
          .addColumn('first_id', sampleId, (c) => c.notNull())
          .addColumn('last_id', sampleId, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('sample_name_gram_backlog_dataset').on('sample_name_gram_backlog').column('dataset_id').execute();
        await sql`insert into sample_name_gram_backlog (dataset_id, first_id, last_id) select dataset_id, min(id), max(id) from samples group by dataset_id`.execute(
          db,
        );
      }
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable(dialect === 'sqlite' ? 'sample_name_gram_marks' : 'sample_name_gram_backlog').execute();
      await db.schema.dropTable('sample_name_grams').execute();
    },
  };
}
