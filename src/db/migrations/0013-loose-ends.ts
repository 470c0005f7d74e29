import { sql, type Kysely, type Migration } from 'kysely';
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
 * - What the grid's "name contains" and extension filters need at 10^6 samples, where scanning every
 *   key took 270-300 ms a page: `samples.extension` (the lower-case text after the key's last dot,
 *   computed by the database) with an index on (dataset_id, extension, key); and an index made for
 *   substring search: PostgreSQL's pg_trgm GIN index on `key` (when the extension can be installed),
 *   SQLite's FTS5 table with the trigram tokenizer over `samples.key`, kept by triggers.
 */
export function looseEndsMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('relevant_keys')
        .addColumn('lines', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema.alterTable('sync_states').addColumn('relevant_report', 'text').execute();
      await db.schema.alterTable('datasources').addColumn('delete_allowed', 'integer').execute();
      if (dialect === 'postgres') await postgresSearchIndexes(db);
      else await sqliteSearchIndexes(db);
    },
    async down(db: Kysely<unknown>) {
      if (dialect === 'sqlite') {
        for (const trigger of ['samples_key_trigrams_insert', 'samples_key_trigrams_delete', 'samples_key_trigrams_update'])
          await sql`drop trigger if exists ${sql.ref(trigger)}`.execute(db);
        await sql`drop table if exists samples_key_trigrams`.execute(db);
      } else {
        await sql`drop index if exists samples_key_trigrams`.execute(db);
      }
      await db.schema.dropIndex('samples_dataset_extension_key').execute();
      await db.schema.alterTable('samples').dropColumn('extension').execute();
      await db.schema.alterTable('datasources').dropColumn('delete_allowed').execute();
      await db.schema.alterTable('sync_states').dropColumn('relevant_report').execute();
      await db.schema.alterTable('relevant_keys').dropColumn('lines').execute();
    },
  };
}

async function postgresSearchIndexes(db: Kysely<unknown>): Promise<void> {
  await sql`alter table samples add column extension text generated always as (lower(substring(key from '\\.([^.]*)$'))) stored`.execute(db);
  await sql`create index samples_dataset_extension_key on samples (dataset_id, extension, key)`.execute(db);
  // pg_trgm ships with PostgreSQL (contrib) and is a trusted extension, but a role without CREATE on the
  // database cannot install it: then "name contains" keeps working without the index, only slower.
  const { rows } = await sql<{ available: boolean }>`select exists (select 1 from pg_available_extensions where name = 'pg_trgm') as available`.execute(db);
  if (!rows[0]?.available) return;
  await sql`savepoint pg_trgm`.execute(db);
  try {
    await sql`create extension if not exists pg_trgm`.execute(db);
  } catch {
    await sql`rollback to savepoint pg_trgm`.execute(db);
    return;
  }
  await sql`create index samples_key_trigrams on samples using gin (key gin_trgm_ops)`.execute(db);
}

async function sqliteSearchIndexes(db: Kysely<unknown>): Promise<void> {
  // rtrim(key, <key without dots>) keeps the key up to its last dot.
  await sql`alter table samples add column extension text generated always as (
    case when instr(key, '.') = 0 then null else lower(substr(key, length(rtrim(key, replace(key, '.', ''))) + 1)) end
  ) virtual`.execute(db);
  await sql`create index samples_dataset_extension_key on samples (dataset_id, extension, key)`.execute(db);
  // An external-content table (the keys stay in samples only); detail=none keeps it small, and the
  // trigram tokenizer answers LIKE '%…%' on it from the index for patterns of 3 characters or more.
  await sql`create virtual table samples_key_trigrams using fts5(key, content='samples', content_rowid='id', tokenize='trigram', detail='none')`.execute(db);
  await sql`create trigger samples_key_trigrams_insert after insert on samples begin
    insert into samples_key_trigrams (rowid, key) values (new.id, new.key);
  end`.execute(db);
  await sql`create trigger samples_key_trigrams_delete after delete on samples begin
    insert into samples_key_trigrams (samples_key_trigrams, rowid, key) values ('delete', old.id, old.key);
  end`.execute(db);
  await sql`create trigger samples_key_trigrams_update after update of key on samples begin
    insert into samples_key_trigrams (samples_key_trigrams, rowid, key) values ('delete', old.id, old.key);
    insert into samples_key_trigrams (rowid, key) values (new.id, new.key);
  end`.execute(db);
  await sql`insert into samples_key_trigrams (samples_key_trigrams) values ('rebuild')`.execute(db);
}
