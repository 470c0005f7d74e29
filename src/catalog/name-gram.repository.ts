import { sql } from 'kysely';
import type { Dialect } from '../db/dialect.js';
import type { Executor } from '../db/executor.js';
import { GramTally, mergeGramCounts, type GramCount } from './name-grams.js';

/** Rows read at a time while counting grams, so a first pass over millions of keys stays within memory. */
const READ_CHUNK = 50_000;
/** Grams written or read per statement (SQLite binds at most 32,766 values). */
const GRAM_CHUNK = 1_000;

/** Whether samples were inserted into the dataset since its grams were last counted. */
export async function nameGramsBehind(db: Executor, dialect: Dialect, datasetId: string): Promise<boolean> {
  if (dialect === 'postgres') {
    return (await db.selectFrom('sample_name_gram_backlog').select('dataset_id').where('dataset_id', '=', datasetId).limit(1).executeTakeFirst()) !== undefined;
  }
  // max(id) is one look at the end of the table; a higher id may belong to another dataset, which costs one catch-up that only moves the mark.
  const { rows } = await sql<{ top: number | null; mark: number | null }>`select (select max(id) from samples) as top,
    (select indexed_to_id from sample_name_gram_marks where dataset_id = ${datasetId}) as mark`.execute(db);
  return (rows[0]?.top ?? 0) > (rows[0]?.mark ?? 0);
}

/**
 * Counts the grams of the dataset's samples inserted since the last count (all of them the first time),
 * in one pass, and adds them to the stored counts. Safe to call from several processes at once: on SQLite
 * the first statement takes the write lock, on PostgreSQL an advisory lock per dataset.
 */
export async function catchUpNameGrams(db: Executor, dialect: Dialect, datasetId: string): Promise<void> {
  if (!db.isTransaction) return db.transaction().execute((trx) => catchUpNameGrams(trx, dialect, datasetId));
  const tally = new GramTally();
  if (dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(hashtext(${`winnow:sample_name_grams:${datasetId}`}))`.execute(db);
    const ranges = await db.deleteFrom('sample_name_gram_backlog').where('dataset_id', '=', datasetId).returning(['first_id', 'last_id']).execute();
    for (const range of ranges) await readKeys(db, dialect, datasetId, Number(range.first_id) - 1, Number(range.last_id), tally);
  } else {
    await sql`insert into sample_name_gram_marks (dataset_id, indexed_to_id) values (${datasetId}, 0) on conflict (dataset_id) do nothing`.execute(db);
    const mark = await db.selectFrom('sample_name_gram_marks').select('indexed_to_id').where('dataset_id', '=', datasetId).executeTakeFirstOrThrow();
    const { rows } = await sql<{ top: number | null }>`select max(id) as top from samples`.execute(db);
    const top = rows[0]?.top ?? 0;
    if (top <= mark.indexed_to_id) return;
    await readKeys(db, dialect, datasetId, mark.indexed_to_id, top, tally);
    await db.updateTable('sample_name_gram_marks').set({ indexed_to_id: top }).where('dataset_id', '=', datasetId).execute();
  }
  await addGramCounts(db, dialect, datasetId, tally.counts());
}

/** Adds the keys of the dataset's samples with ids in (afterId, lastId] to the tally. */
async function readKeys(db: Executor, dialect: Dialect, datasetId: string, afterId: number, lastId: number, tally: GramTally): Promise<void> {
  for (let cursor = afterId; cursor < lastId;) {
    // '+' keeps SQLite on the id range instead of the (dataset_id, …) indexes.
    const rows = await db
      .selectFrom('samples')
      .select(['id', 'key'])
      .where('id', '>', cursor)
      .where('id', '<=', lastId)
      .where(dialect === 'sqlite' ? sql<boolean>`+dataset_id = ${datasetId}` : sql<boolean>`dataset_id = ${datasetId}`)
      .orderBy('id')
      .limit(READ_CHUNK)
      .execute();
    for (const row of rows) tally.add(Number(row.id), row.key);
    if (rows.length < READ_CHUNK) return;
    cursor = Number(rows.at(-1)!.id);
  }
}

async function addGramCounts(db: Executor, dialect: Dialect, datasetId: string, added: ReadonlyMap<string, GramCount>): Promise<void> {
  const grams = [...added.keys()];
  for (let start = 0; start < grams.length; start += GRAM_CHUNK) {
    const chunk = grams.slice(start, start + GRAM_CHUNK);
    const stored = await findNameGramCounts(db, datasetId, chunk);
    const rows = chunk.map((gram) => {
      const count = mergeGramCounts(stored.get(gram), added.get(gram)!);
      return { gram, holders: count.holders, ids: count.ids === null ? null : JSON.stringify(count.ids) };
    });
    const upsert = (select: ReturnType<typeof sql>) =>
      sql`insert into sample_name_grams (dataset_id, gram, holders, ids) ${select}
        on conflict (dataset_id, gram) do update set holders = excluded.holders, ids = excluded.ids`.execute(db);
    if (dialect === 'postgres') {
      await upsert(
        sql`select ${datasetId}, * from unnest(${rows.map((row) => row.gram)}::text[], ${rows.map((row) => row.holders)}::int4[], ${rows.map((row) => row.ids)}::text[])`,
      );
    } else {
      // "where true" lets SQLite parse the upsert after a SELECT.
      await upsert(
        sql`select ${datasetId}, value ->> 0, value ->> 1, value ->> 2 from json_each(${JSON.stringify(rows.map((row) => [row.gram, row.holders, row.ids]))}) where true`,
      );
    }
  }
}

/** The stored counts of these grams in the dataset (a gram no sample holds is absent). */
export async function findNameGramCounts(db: Executor, datasetId: string, grams: readonly string[]): Promise<Map<string, GramCount>> {
  if (grams.length === 0) return new Map();
  const rows = await db
    .selectFrom('sample_name_grams')
    .select(['gram', 'holders', 'ids'])
    .where('dataset_id', '=', datasetId)
    .where('gram', 'in', grams)
    .execute();
  return new Map(rows.map((row) => [row.gram, { holders: Number(row.holders), ids: row.ids === null ? null : (JSON.parse(row.ids) as number[]) }]));
}
