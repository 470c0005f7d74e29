import type { Executor } from '../db/executor.js';
import type { TagTable } from '../db/schema.js';

/** A named subset of a dataset's samples, in the order they were chosen. */
export interface Tag {
  id: string;
  datasetId: string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TagWithSize extends Tag {
  /** Live samples in the tag (removed samples stay members until they come back or the tag is rewritten). */
  size: number;
}

function toTag(row: TagTable): Tag {
  return { id: row.id, datasetId: row.dataset_id, name: row.name, description: row.description, createdAt: row.created_at, updatedAt: row.updated_at };
}

export async function findTag(db: Executor, datasetId: string, name: string): Promise<Tag | undefined> {
  const row = await db.selectFrom('tags').selectAll().where('dataset_id', '=', datasetId).where('name', '=', name).executeTakeFirst();
  return row && toTag(row);
}

export async function listTags(db: Executor, datasetId: string): Promise<TagWithSize[]> {
  const rows = await db
    .selectFrom('tags')
    .leftJoin('tag_members', 'tag_members.tag_id', 'tags.id')
    .leftJoin('samples', (join) => join.onRef('samples.id', '=', 'tag_members.sample_id').on('samples.removed_at', 'is', null))
    .selectAll('tags')
    .select((eb) => eb.fn.count<number>('samples.id').as('size'))
    .where('tags.dataset_id', '=', datasetId)
    .groupBy(['tags.id', 'tags.dataset_id', 'tags.name', 'tags.description', 'tags.created_at', 'tags.updated_at'])
    .orderBy('tags.name')
    .execute();
  return rows.map((row) => ({ ...toTag(row), size: Number(row.size) }));
}

export async function insertTag(db: Executor, tag: Tag): Promise<void> {
  await db
    .insertInto('tags')
    .values({ id: tag.id, dataset_id: tag.datasetId, name: tag.name, description: tag.description, created_at: tag.createdAt, updated_at: tag.updatedAt })
    .execute();
}

export async function updateTag(db: Executor, id: string, changes: { name?: string; description?: string | null; updatedAt: string }): Promise<void> {
  await db
    .updateTable('tags')
    .set({
      ...(changes.name === undefined ? {} : { name: changes.name }),
      ...(changes.description === undefined ? {} : { description: changes.description }),
      updated_at: changes.updatedAt,
    })
    .where('id', '=', id)
    .execute();
}

export async function deleteTag(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('tags').where('id', '=', id).execute();
}

const INSERT_CHUNK = 1_000;

/** Appends samples after the tag's present members (those already in it keep their place). */
export async function appendTagMembers(db: Executor, tagId: string, sampleIds: readonly number[]): Promise<number> {
  const last = await db
    .selectFrom('tag_members')
    .select((eb) => eb.fn.max<number>('position').as('position'))
    .where('tag_id', '=', tagId)
    .executeTakeFirst();
  const present = new Set((await db.selectFrom('tag_members').select('sample_id').where('tag_id', '=', tagId).execute()).map((row) => Number(row.sample_id)));
  let position = last?.position === null || last?.position === undefined ? 0 : Number(last.position) + 1;
  const rows: Array<{ tag_id: string; sample_id: number; position: number }> = [];
  for (const sampleId of sampleIds) {
    if (present.has(sampleId)) continue;
    present.add(sampleId);
    rows.push({ tag_id: tagId, sample_id: sampleId, position: position++ });
  }
  for (let start = 0; start < rows.length; start += INSERT_CHUNK)
    await db
      .insertInto('tag_members')
      .values(rows.slice(start, start + INSERT_CHUNK))
      .execute();
  return rows.length;
}

export async function clearTagMembers(db: Executor, tagId: string): Promise<void> {
  await db.deleteFrom('tag_members').where('tag_id', '=', tagId).execute();
}

/** The live members' sample ids, in the tag's order. */
export async function listTagMemberIds(db: Executor, tagId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('tag_members')
    .innerJoin('samples', 'samples.id', 'tag_members.sample_id')
    .select('tag_members.sample_id')
    .where('tag_members.tag_id', '=', tagId)
    .where('samples.removed_at', 'is', null)
    .orderBy('tag_members.position')
    .execute();
  return rows.map((row) => Number(row.sample_id));
}
