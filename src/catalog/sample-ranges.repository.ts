import type { Executor } from '../db/executor.js';

/** Consecutive live samples of a dataset, by id (both ends included). */
export interface SampleIdRange {
  fromId: number;
  throughId: number;
}

/**
 * Splits a dataset's live samples into ranges of `size` samples by id. The split depends only on
 * which samples are live, so a job that plans it again after a crash gets the same ranges.
 * Each boundary is one indexed look-up (`offset size - 1` past the previous one).
 */
export async function listSampleIdRanges(db: Executor, datasetId: string, size: number): Promise<SampleIdRange[]> {
  const ranges: SampleIdRange[] = [];
  for (let afterId = 0; ;) {
    const first = await liveSampleIdAfter(db, datasetId, afterId, 0);
    if (first === undefined) return ranges;
    const last = (await liveSampleIdAfter(db, datasetId, afterId, size - 1)) ?? (await lastLiveSampleId(db, datasetId));
    ranges.push({ fromId: first, throughId: last });
    afterId = last;
  }
}

async function liveSampleIdAfter(db: Executor, datasetId: string, afterId: number, offset: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('samples')
    .select('id')
    .where('dataset_id', '=', datasetId)
    .where('removed_at', 'is', null)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(1)
    .offset(offset)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.id);
}

async function lastLiveSampleId(db: Executor, datasetId: string): Promise<number> {
  const row = await db
    .selectFrom('samples')
    .select('id')
    .where('dataset_id', '=', datasetId)
    .where('removed_at', 'is', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  return Number(row.id);
}
