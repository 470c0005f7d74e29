import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Duplicates: each embedding keeps the image's thumbnail descriptor (two 16 x 16 colour
 * thumbnails as int8, computed from the model's input during `winnow embed`; null for vectors
 * embedded before or imported), and a sample's sha256, read once for exact-duplicate checks where
 * the etag is not an MD5 and kept as long as the sample's size and etag stay the same.
 */
export function duplicatesMigration(dialect: Dialect): Migration {
  const sampleId = dialect === 'postgres' ? 'bigint' : 'integer';
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('embeddings').addColumn('descriptor', bytes).execute();
      await db.schema
        .createTable('sample_content_hashes')
        .addColumn('sample_id', sampleId, (c) => c.primaryKey().references('samples.id').onDelete('cascade'))
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('etag', 'text')
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('computed_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('sample_content_hashes').execute();
      await db.schema.alterTable('embeddings').dropColumn('descriptor').execute();
    },
  };
}
