import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Embeddings: the registered image models, one vector per sample and model (little-endian
 * float32 in a BLOB / bytea, tagged with the sample's etag and the model file's sha256, so a
 * changed object or a re-registered model never mixes with old vectors), and a cache of each
 * dataset's 2-D map per model and method. On PostgreSQL every worker on any machine reads and
 * writes the same vectors.
 */
export function embeddingsMigration(dialect: Dialect): Migration {
  const sampleId = dialect === 'postgres' ? 'bigint' : 'integer';
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('embedding_models')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('input_size', 'integer', (c) => c.notNull())
        .addColumn('layout', 'text', (c) => c.notNull().check(sql`layout in ('nchw', 'nhwc')`))
        .addColumn('mean', 'text', (c) => c.notNull())
        .addColumn('std', 'text', (c) => c.notNull())
        .addColumn('output', 'text', (c) => c.notNull())
        .addColumn('dimensions', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('embeddings')
        .addColumn('model_id', 'text', (c) => c.notNull().references('embedding_models.id').onDelete('cascade'))
        .addColumn('sample_id', sampleId, (c) => c.notNull().references('samples.id').onDelete('cascade'))
        .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('model_sha256', 'text', (c) => c.notNull())
        .addColumn('source_etag', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('ok', 'rejected', 'failed')`))
        .addColumn('vector', bytes)
        .addColumn('error', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('embeddings_pk', ['model_id', 'sample_id'])
        .execute();
      await db.schema.createIndex('embeddings_dataset_model').on('embeddings').columns(['dataset_id', 'model_id', 'sample_id']).execute();
      await db.schema
        .createTable('embedding_maps')
        .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('model_id', 'text', (c) => c.notNull().references('embedding_models.id').onDelete('cascade'))
        .addColumn('method', 'text', (c) => c.notNull().check(sql`method in ('pca', 'umap')`))
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('points', 'integer', (c) => c.notNull())
        .addColumn('sample_ids', bytes, (c) => c.notNull())
        .addColumn('coordinates', bytes, (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('embedding_maps_pk', ['dataset_id', 'model_id', 'method'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('embedding_maps').execute();
      await db.schema.dropTable('embeddings').execute();
      await db.schema.dropTable('embedding_models').execute();
    },
  };
}
