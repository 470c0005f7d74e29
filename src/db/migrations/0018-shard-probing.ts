import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * A fanned-out sync's shards read the image headers of their own key range (issue 18):
 * - `sync_shards.probed`, `sync_shards.failed`: headers each shard read so far, and how many of those
 *   failed, so the parent's job view adds them up whichever machine ran the shard.
 * - `sync_states.read_denied`: the first GetObject denial any stream of the sync met (its message), so the
 *   other streams stop reading at once and the sync warns about it once; null while reads work.
 */
export function shardProbingMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('sync_shards')
        .addColumn('probed', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('sync_shards')
        .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('sync_states').addColumn('read_denied', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('sync_states').dropColumn('read_denied').execute();
      await db.schema.alterTable('sync_shards').dropColumn('failed').execute();
      await db.schema.alterTable('sync_shards').dropColumn('probed').execute();
    },
  };
}
