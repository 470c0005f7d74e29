import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/** Thumbnails: the per-dataset choice to make them on every sync, and one row per sample a thumbnail job handled. */
export function thumbnailsMigration(dialect: Dialect): Migration {
  const sampleId = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('datasets').addColumn('thumbnail_size', 'integer').execute();
      await db.schema
        .createTable('thumbnails')
        .addColumn('sample_id', sampleId, (c) => c.primaryKey().references('samples.id').onDelete('cascade'))
        .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('ok', 'rejected', 'failed')`))
        .addColumn('key', 'text')
        .addColumn('source_etag', 'text')
        .addColumn('box_size', 'integer', (c) => c.notNull())
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('bytes', 'integer')
        .addColumn('error', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('thumbnails_dataset_status').on('thumbnails').columns(['dataset_id', 'status']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('thumbnails').execute();
      await db.schema.alterTable('datasets').dropColumn('thumbnail_size').execute();
    },
  };
}
