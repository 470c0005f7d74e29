import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * `sync_shards`: the key ranges a big sync fanned out into, one row per shard of a dataset's sync
 * generation, each with its own resume cursor and counters. A killed shard lists again after its
 * cursor; the parent reconciles removed keys once every shard of the generation is done.
 */
export function syncShardsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sync_shards')
        .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('shard_index', 'integer', (c) => c.notNull())
        .addColumn('start_after', 'text')
        .addColumn('through', 'text')
        .addColumn('cursor_key', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('listed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('added', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error_message', 'text')
        .addPrimaryKeyConstraint('sync_shards_pk', ['dataset_id', 'generation', 'shard_index'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('sync_shards').execute();
    },
  };
}
