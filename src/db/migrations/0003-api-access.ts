import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/** API tokens and browser sessions (both stored as hashes only), and the index the grid's date sort walks. */
export function apiAccessMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('token_id', 'text', (c) => c.references('api_tokens.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('samples_dataset_modified_key').on('samples').columns(['dataset_id', 'last_modified', 'key']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('samples_dataset_modified_key').execute();
      await db.schema.dropTable('sessions').execute();
      await db.schema.dropTable('api_tokens').execute();
    },
  };
}
