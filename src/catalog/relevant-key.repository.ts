import type { Executor } from '../db/executor.js';

/** Stores a dataset's relevant-filenames list: each relative key with the number of lines naming it. */
export async function insertRelevantKeys(db: Executor, datasetId: string, keys: ReadonlyMap<string, number>): Promise<void> {
  const rows = [...keys].map(([key, lines]) => ({ dataset_id: datasetId, key, lines }));
  for (let start = 0; start < rows.length; start += 5_000) {
    await db
      .insertInto('relevant_keys')
      .values(rows.slice(start, start + 5_000))
      .execute();
  }
}

export async function loadRelevantKeys(db: Executor, datasetId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('relevant_keys').select('key').where('dataset_id', '=', datasetId).execute();
  return new Set(rows.map((row) => row.key));
}

export async function countRelevantKeys(db: Executor, datasetId: string): Promise<number> {
  const row = await db
    .selectFrom('relevant_keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('dataset_id', '=', datasetId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Listed keys without a live sample, in key order: after a complete listing, the ones no object matched. */
export async function findUnmatchedRelevantKeys(db: Executor, datasetId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('relevant_keys')
    .select('key')
    .where('dataset_id', '=', datasetId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('samples')
            .select('samples.id')
            .whereRef('samples.dataset_id', '=', 'relevant_keys.dataset_id')
            .whereRef('samples.key', '=', 'relevant_keys.key')
            .where('samples.removed_at', 'is', null),
        ),
      ),
    )
    .orderBy('key')
    .execute();
  return rows.map((row) => row.key);
}

/** Keys that more than one line of the list named, in key order. */
export async function findRepeatedRelevantKeys(db: Executor, datasetId: string): Promise<string[]> {
  const rows = await db.selectFrom('relevant_keys').select('key').where('dataset_id', '=', datasetId).where('lines', '>', 1).orderBy('key').execute();
  return rows.map((row) => row.key);
}

export async function deleteRelevantKeys(db: Executor, datasetId: string): Promise<void> {
  await db.deleteFrom('relevant_keys').where('dataset_id', '=', datasetId).execute();
}
