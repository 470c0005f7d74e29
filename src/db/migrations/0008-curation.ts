import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Curation: tags (named subsets of a dataset's samples, in the order they were chosen) and
 * per-sample metadata and labels (a number or a text per field) that selections balance,
 * threshold and weigh on.
 */
export function curationMigration(dialect: Dialect): Migration {
  const sampleId = dialect === 'postgres' ? 'bigint' : 'integer';
  const real = dialect === 'postgres' ? 'double precision' : 'real';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tags')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('tags_dataset_name', ['dataset_id', 'name'])
        .execute();
      await db.schema
        .createTable('tag_members')
        .addColumn('tag_id', 'text', (c) => c.notNull().references('tags.id').onDelete('cascade'))
        .addColumn('sample_id', sampleId, (c) => c.notNull().references('samples.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('tag_members_pk', ['tag_id', 'sample_id'])
        .execute();
      await db.schema.createIndex('tag_members_order').on('tag_members').columns(['tag_id', 'position']).execute();
      await db.schema
        .createTable('sample_fields')
        .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('sample_id', sampleId, (c) => c.notNull().references('samples.id').onDelete('cascade'))
        .addColumn('field', 'text', (c) => c.notNull())
        .addColumn('number_value', real)
        .addColumn('text_value', 'text')
        .addPrimaryKeyConstraint('sample_fields_pk', ['sample_id', 'field'])
        .execute();
      await db.schema.createIndex('sample_fields_dataset_field').on('sample_fields').columns(['dataset_id', 'field', 'sample_id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('sample_fields').execute();
      await db.schema.dropTable('tag_members').execute();
      await db.schema.dropTable('tags').execute();
    },
  };
}
