import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

export function catalogMigration(dialect: Dialect): Migration {
  // S3 orders keys by their UTF-8 bytes; the "C" collation makes PostgreSQL agree, as SQLite's BINARY already does.
  const keyType = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer';

  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('datasets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('include_globs', 'text', (c) => c.notNull())
        .addColumn('exclude_globs', 'text', (c) => c.notNull())
        .addColumn('has_relevant_filenames', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('relevant_keys')
        .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('key', keyType, (c) => c.notNull())
        .addPrimaryKeyConstraint('relevant_keys_pk', ['dataset_id', 'key'])
        .execute();

      await db.schema
        .createTable('datasources')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('input', 'output')`))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('s3', 'local')`))
        .addColumn('container', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('region', 'text')
        .addColumn('endpoint', 'text')
        .addColumn('path_style', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('access_key_id', 'text')
        .addColumn('secret_ciphertext', 'text')
        .addColumn('sse_kms_key_id', 'text')
        .addColumn('role_arn', 'text')
        .addColumn('external_id', 'text')
        .addColumn('role_session_seconds', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('datasources_dataset_purpose_unique', ['dataset_id', 'purpose'])
        .execute();

      await db.schema
        .createTable('samples')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('key', keyType, (c) => c.notNull())
        .addColumn('size', bigint, (c) => c.notNull())
        .addColumn('etag', 'text')
        .addColumn('last_modified', 'text')
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('format', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'ok', 'error')`))
        .addColumn('error', 'text')
        .addColumn('first_seen_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('seen_generation', 'integer', (c) => c.notNull())
        .addColumn('removed_at', 'text')
        .addUniqueConstraint('samples_dataset_key_unique', ['dataset_id', 'key'])
        .execute();
      await db.schema.createIndex('samples_dataset_status_id').on('samples').columns(['dataset_id', 'status', 'id']).execute();

      await db.schema
        .createTable('sync_states')
        .addColumn('dataset_id', 'text', (c) => c.primaryKey().references('datasets.id').onDelete('cascade'))
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('cursor_key', keyType)
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('listed', bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('added', bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('updated', bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('removed', bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('failed', bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('error_message', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'text')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['sync_states', 'samples', 'datasources', 'relevant_keys', 'datasets']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
