/**
 * The grid's page query as it was before issue 21 (every filter a LIKE on `lower(key)`), kept
 * here as the peer `npm run bench:browse` measures the indexed query against, on the same catalog.
 * The new indexes cannot serve it: the extension index is on another expression, the trigram
 * indexes are on `key` (PostgreSQL) or in their own FTS5 table (SQLite).
 */
import { sql } from 'kysely';
import type { Executor } from '../src/db/executor.js';
import type { SampleQuery } from '../src/catalog/sample.repository.js';

export async function querySamplesBefore(db: Executor, datasetId: string, query: SampleQuery): Promise<string[]> {
  // The columns a page reads (every column of a Sample), as querySamples selects them.
  let select = db
    .selectFrom('samples')
    .select([
      'id',
      'dataset_id',
      'key',
      'size',
      'etag',
      'last_modified',
      'width',
      'height',
      'format',
      'status',
      'error',
      'first_seen_at',
      'last_seen_at',
      'seen_generation',
      'removed_at',
    ])
    .where('dataset_id', '=', datasetId)
    .where('removed_at', 'is', null);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  if (query.extension !== undefined) {
    select = select.where(sql<boolean>`lower(key) like ${`%.${escapeLike(query.extension.toLowerCase())}`} escape '\\'`);
  }
  if (query.folder !== undefined && query.folder !== '') {
    select = select.where('key', '>=', query.folder).where('key', '<', `${query.folder.slice(0, -1)}0`);
  }
  if (query.nameContains !== undefined && query.nameContains !== '') {
    select = select.where(sql<boolean>`lower(key) like ${`%${escapeLike(query.nameContains.toLowerCase())}%`} escape '\\'`);
  }
  const forward = query.order === 'asc';
  const comparison = forward ? '>' : '<';
  if (query.after !== undefined) {
    if (query.sort === 'date') {
      select = select.where(sql<boolean>`(last_modified, key) ${sql.raw(comparison)} (${query.after.date ?? ''}, ${query.after.key})`);
    } else {
      select = select.where('key', comparison, query.after.key);
    }
  }
  if (query.sort === 'date') select = select.orderBy('last_modified', query.order).orderBy('key', query.order);
  else select = select.orderBy('key', query.order);
  return (await select.limit(query.limit).execute()).map((row) => row.key);
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
