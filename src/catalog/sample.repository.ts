import { sql } from 'kysely';
import type { Dialect } from '../db/dialect.js';
import type { SampleRow, SampleStatus } from '../db/schema.js';
import type { Executor } from '../db/executor.js';
import { catchUpNameGrams, findNameGramCounts, nameGramsBehind } from './name-gram.repository.js';
import { gramsOfText, planShortText, type ShortTextPlan } from './name-grams.js';

export type { SampleStatus };

/** One object of a dataset's input, as the catalog knows it. */
export interface Sample {
  id: number;
  datasetId: string;
  /** Relative to the input prefix. */
  key: string;
  size: number;
  etag: string | null;
  lastModified: string | null;
  width: number | null;
  height: number | null;
  format: string | null;
  status: SampleStatus;
  /** Why the header could not be read, when status is `error`. */
  error: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  /** The sync generation that last listed this key; older ones vanished from the bucket. */
  seenGeneration: number;
  removedAt: string | null;
}

export type NewSample = Omit<Sample, 'id'>;

/**
 * Every column a Sample is made of. Not `selectAll()`: on SQLite `extension` is a virtual column,
 * computed for each row read whenever it is selected.
 */
const SAMPLE_FIELDS = [
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
] as const satisfies ReadonlyArray<keyof SampleRow>;

export function toSample(row: Omit<SampleRow, 'extension'>): Sample {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    key: row.key,
    size: Number(row.size),
    etag: row.etag,
    lastModified: row.last_modified,
    width: row.width,
    height: row.height,
    format: row.format,
    status: row.status,
    error: row.error,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    seenGeneration: row.seen_generation,
    removedAt: row.removed_at,
  };
}

/** What the listing compares against to tell new, changed and unchanged keys apart. */
export type KnownSample = Pick<Sample, 'id' | 'key' | 'size' | 'etag' | 'removedAt'>;

// SQLite allows 32,766 bound values per statement; ids are one value each.
const UPDATE_CHUNK = 1_000;

export async function findSamplesByKeys(db: Executor, datasetId: string, keys: readonly string[]): Promise<KnownSample[]> {
  if (keys.length === 0) return [];
  return db
    .selectFrom('samples')
    .select(['id', 'key', 'size', 'etag', 'removed_at as removedAt'])
    .where('dataset_id', '=', datasetId)
    .where('key', 'in', keys)
    .execute();
}

/** Samples by id (any order; missing ids are left out). */
export async function findSamplesByIds(db: Executor, sampleIds: readonly number[]): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let start = 0; start < sampleIds.length; start += UPDATE_CHUNK) {
    const rows = await db
      .selectFrom('samples')
      .select(SAMPLE_FIELDS)
      .where('id', 'in', sampleIds.slice(start, start + UPDATE_CHUNK))
      .execute();
    samples.push(...rows.map(toSample));
  }
  return samples;
}

/**
 * Known samples with keys from `firstKey` to `lastKey` inclusive, in byte order (both dialects
 * compare keys as bytes). A listing page is such a range: one index range scan instead of
 * 1,000 bound keys, which PostgreSQL plans and matches ten times slower.
 */
export async function findSamplesInKeyRange(db: Executor, datasetId: string, firstKey: string, lastKey: string): Promise<KnownSample[]> {
  return db
    .selectFrom('samples')
    .select(['id', 'key', 'size', 'etag', 'removed_at as removedAt'])
    .where('dataset_id', '=', datasetId)
    .where('key', '>=', firstKey)
    .where('key', '<=', lastKey)
    .execute();
}

/** Each inserted column, the field of NewSample it holds, and its PostgreSQL array type. */
const SAMPLE_COLUMNS = [
  ['dataset_id', 'datasetId', 'text[]'],
  ['key', 'key', 'text[]'],
  ['size', 'size', 'int8[]'],
  ['etag', 'etag', 'text[]'],
  ['last_modified', 'lastModified', 'text[]'],
  ['width', 'width', 'int4[]'],
  ['height', 'height', 'int4[]'],
  ['format', 'format', 'text[]'],
  ['status', 'status', 'text[]'],
  ['error', 'error', 'text[]'],
  ['first_seen_at', 'firstSeenAt', 'text[]'],
  ['last_seen_at', 'lastSeenAt', 'text[]'],
  ['seen_generation', 'seenGeneration', 'int4[]'],
  ['removed_at', 'removedAt', 'text[]'],
] as const satisfies ReadonlyArray<readonly [keyof SampleRow, keyof NewSample, string]>;

/**
 * Inserts rows with one statement and a fixed number of parameters whatever their count:
 * a multi-row VALUES binds 14 values per row, which both drivers and Kysely's compiler pay
 * for row by row (a listing page of 1,000 rows took 2-3x longer that way).
 */
export async function insertSamples(db: Executor, dialect: Dialect, samples: readonly NewSample[]): Promise<void> {
  if (samples.length === 0) return;
  const columns = sql.join(SAMPLE_COLUMNS.map(([column]) => sql.ref(column)));
  if (dialect === 'postgres') {
    const arrays = SAMPLE_COLUMNS.map(([, field, type]) => sql`${samples.map((sample) => sample[field] ?? null)}::${sql.raw(type)}`);
    // The same statement notes the inserted ids for the name grams to count later (migration 0017): one row per dataset, not per sample.
    await sql`with added as (insert into samples (${columns}) select * from unnest(${sql.join(arrays)}) returning id, dataset_id)
      insert into sample_name_gram_backlog (dataset_id, first_id, last_id) select dataset_id, min(id), max(id) from added group by dataset_id`.execute(db);
    return;
  }
  // SQLite has no array parameters: the rows travel as one JSON array of arrays.
  const tuples = JSON.stringify(samples.map((sample) => SAMPLE_COLUMNS.map(([, field]) => sample[field] ?? null)));
  const values = sql.join(SAMPLE_COLUMNS.map((_, index) => sql`value ->> ${sql.lit(index)}`));
  await sql`insert into samples (${columns}) select ${values} from json_each(${tuples})`.execute(db);
}

export async function markSamplesSeen(db: Executor, ids: readonly number[], generation: number, now: string): Promise<void> {
  for (let start = 0; start < ids.length; start += UPDATE_CHUNK) {
    await db
      .updateTable('samples')
      .set({ seen_generation: generation, last_seen_at: now })
      .where('id', 'in', ids.slice(start, start + UPDATE_CHUNK))
      .execute();
  }
}

export interface ChangedObject {
  id: number;
  size: number;
  etag: string | null;
  lastModified: string | null;
}

/** A key whose content changed (or came back) needs its header read again. */
export async function markSamplesChanged(db: Executor, changes: readonly ChangedObject[], generation: number, now: string): Promise<void> {
  for (const change of changes) {
    await db
      .updateTable('samples')
      .set({
        size: change.size,
        etag: change.etag,
        last_modified: change.lastModified,
        width: null,
        height: null,
        format: null,
        status: 'pending',
        error: null,
        removed_at: null,
        seen_generation: generation,
        last_seen_at: now,
      })
      .where('id', '=', change.id)
      .execute();
  }
}

/** Marks keys the finished listing did not see as removed; returns how many. */
export async function markUnseenSamplesRemoved(db: Executor, datasetId: string, generation: number, now: string): Promise<number> {
  const result = await db
    .updateTable('samples')
    .set({ removed_at: now })
    .where('dataset_id', '=', datasetId)
    .where('seen_generation', '<', generation)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export type PendingSample = Pick<Sample, 'id' | 'key' | 'size'>;

export async function listPendingSamplesAfter(db: Executor, datasetId: string, afterId: number, limit: number): Promise<PendingSample[]> {
  return db
    .selectFrom('samples')
    .select(['id', 'key', 'size'])
    .where('dataset_id', '=', datasetId)
    .where('status', '=', 'pending')
    .where('removed_at', 'is', null)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/**
 * One keyset page, in key order, of the samples with `afterKey < key <= throughKey` (null: open) that the
 * listing of `generation` saw and whose headers are still to read: a shard's (or the first stream's) own
 * share of the header reads. Keys past the listing's cursor have not been seen yet, so bound `throughKey` by it.
 */
export async function listPendingSamplesInKeyRange(
  db: Executor,
  datasetId: string,
  generation: number,
  range: { afterKey: string | null; throughKey: string | null },
  limit: number,
): Promise<PendingSample[]> {
  return db
    .selectFrom('samples')
    .select(['id', 'key', 'size'])
    .where('dataset_id', '=', datasetId)
    .$if(range.afterKey !== null, (query) => query.where('key', '>', range.afterKey!))
    .$if(range.throughKey !== null, (query) => query.where('key', '<=', range.throughKey!))
    .where('status', '=', 'pending')
    .where('removed_at', 'is', null)
    .where('seen_generation', '=', generation)
    .orderBy('key')
    .limit(limit)
    .execute();
}

export async function recordSampleHeader(db: Executor, id: number, header: { width: number; height: number; format: string }): Promise<void> {
  await db
    .updateTable('samples')
    .set({ ...header, status: 'ok', error: null })
    .where('id', '=', id)
    .execute();
}

export async function recordSampleError(db: Executor, id: number, message: string): Promise<void> {
  await db.updateTable('samples').set({ status: 'error', error: message }).where('id', '=', id).execute();
}

export interface SampleFilter {
  status?: SampleStatus | undefined;
  includeRemoved?: boolean | undefined;
  exactKey?: string | undefined;
}

/** One keyset page of samples ordered by key: pass the last key of a page to get the next. */
export async function listSamplesAfter(
  db: Executor,
  datasetId: string,
  afterKey: string | undefined,
  limit: number,
  filter: SampleFilter = {},
): Promise<Sample[]> {
  let query = db.selectFrom('samples').select(SAMPLE_FIELDS).where('dataset_id', '=', datasetId);
  if (afterKey !== undefined) query = query.where('key', '>', afterKey);
  if (!filter.includeRemoved) query = query.where('removed_at', 'is', null);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.exactKey !== undefined) query = query.where('key', '=', filter.exactKey);
  return (await query.orderBy('key').limit(limit).execute()).map(toSample);
}

export interface SampleCounts {
  total: number;
  pending: number;
  ok: number;
  error: number;
  removed: number;
}

export async function countSamples(db: Executor, datasetId: string): Promise<SampleCounts> {
  // Two index-only counts in one statement (one snapshot; see migration 0006): every sample by status, and the removed ones.
  const byStatus = db.selectFrom('samples').where('dataset_id', '=', datasetId).groupBy('status');
  const rows = await byStatus
    .select((eb) => ['status', sql.lit(0).as('removed'), eb.fn.countAll<number>().as('n')])
    .unionAll(byStatus.where('removed_at', 'is not', null).select((eb) => ['status', sql.lit(1).as('removed'), eb.fn.countAll<number>().as('n')]))
    .execute();
  const counts: SampleCounts = { total: 0, pending: 0, ok: 0, error: 0, removed: 0 };
  for (const row of rows) {
    const n = Number(row.removed) === 1 ? -Number(row.n) : Number(row.n);
    counts[row.status] += n;
    counts.total += n;
    if (n < 0) counts.removed -= n;
  }
  return counts;
}

export interface SampleQuery {
  status?: SampleStatus | undefined;
  /** Lower-case extension without the dot, e.g. `jpg`. */
  extension?: string | undefined;
  /** Only keys under this folder (relative, ending in '/'). */
  folder?: string | undefined;
  /** Case-insensitive substring of the key. */
  nameContains?: string | undefined;
  /** Only samples in the tag of this name (none when no such tag exists). */
  tag?: string | undefined;
  sort: 'key' | 'date';
  order: 'asc' | 'desc';
  /** The last row of the previous page: its key, and its date when sorting by date. */
  after?: { key: string; date?: string } | undefined;
  limit: number;
}

/** On SQLite, a filter matching fewer rows than this drives the page from its index (the rows are then sorted). */
const FEW_ROWS = 5_000;
/** On SQLite, rows walked in page order before asking the indexes whether the filter matches few rows. */
const WALK_WINDOW = 2_000;

interface MatchFilters {
  /** Lower-cased, as asked. */
  extension: string | undefined;
  /** The extension when the extension column answers it exactly: it holds the text after the last dot, so one without a dot. */
  extensionColumn: string | undefined;
  /** Lower-cased "name contains". */
  text: string | undefined;
}

/** One keyset page for the grid: filters, sort by key or by date (then key), either direction. */
export async function querySamples(db: Executor, dialect: Dialect, datasetId: string, query: SampleQuery): Promise<Sample[]> {
  const extension = query.extension?.toLowerCase();
  const filters: MatchFilters = {
    extension,
    extensionColumn: extension !== undefined && extension !== '' && !extension.includes('.') ? extension : undefined,
    text: query.nameContains === undefined || query.nameContains === '' ? undefined : query.nameContains.toLowerCase(),
  };
  if (filters.text !== undefined && !hasIndexedTrigram(dialect, filters.text)) {
    const plan = await planShortTextQuery(db, dialect, datasetId, filters.text);
    if (plan.kind === 'none') return [];
    if (plan.kind === 'ids') return (await pageQuery(db, dialect, datasetId, query, filters, { fewIds: plan.ids }).execute()).map(toSample);
    return (await pageQuery(db, dialect, datasetId, query, filters, {}).execute()).map(toSample);
  }
  // SQLite has no statistics to choose between walking an index in page order, testing each row (quick when
  // many rows match), and reading the matches from the extension or trigram index (quick when few do):
  // a short walk answers the first kind; the indexes tell the second.
  const undecided = dialect === 'sqlite' && (filters.text !== undefined || (filters.extensionColumn !== undefined && query.sort === 'date'));
  if (!undecided) return (await pageQuery(db, dialect, datasetId, query, filters, {}).execute()).map(toSample);
  // The window bounds the rows walked: every test that is not a range of the index walked is applied to it, outside.
  const window = pageQuery(
    db,
    dialect,
    datasetId,
    { ...query, status: undefined },
    { extension: undefined, extensionColumn: undefined, text: undefined },
    { limit: WALK_WINDOW },
  );
  let walked = db.selectFrom(window.as('walked')).selectAll();
  if (query.status !== undefined) walked = walked.where('status', '=', query.status);
  for (const condition of likeConditions(filters)) walked = walked.where(condition);
  walked = query.sort === 'date' ? walked.orderBy('last_modified', query.order).orderBy('key', query.order) : walked.orderBy('key', query.order);
  const page = await walked.limit(query.limit).execute();
  if (page.length === query.limit) return page.map(toSample);
  const fewIds = await findFewMatchingIds(db, datasetId, query.sort === 'date' ? filters.extensionColumn : undefined, filters.text);
  return (await pageQuery(db, dialect, datasetId, query, filters, { fewIds }).execute()).map(toSample);
}

/** The exact tests of the extension and text filters, as LIKE on the lower-cased key (what the grid always meant). */
function likeConditions(filters: MatchFilters) {
  return [
    ...(filters.extension === undefined ? [] : [sql<boolean>`lower(key) like ${`%.${escapeLike(filters.extension)}`} escape '\\'`]),
    ...(filters.text === undefined ? [] : [sql<boolean>`lower(key) like ${`%${escapeLike(filters.text)}%`} escape '\\'`]),
  ];
}

/** The page query: walking the key or date index (`limit` rows at most), or reading `fewIds` and sorting them. */
function pageQuery(
  db: Executor,
  dialect: Dialect,
  datasetId: string,
  query: SampleQuery,
  filters: MatchFilters,
  plan: { fewIds?: number[] | undefined; limit?: number },
) {
  const { fewIds } = plan;
  let select = db.selectFrom('samples').select(SAMPLE_FIELDS).where('removed_at', 'is', null);
  // With a few ids to read, '+' keeps SQLite from walking an index in page order instead of reading just those rows.
  if (fewIds === undefined) select = select.where('dataset_id', '=', datasetId);
  // The ids travel as one parameter: thousands of bound values cost more to compile and bind than the page itself (6x at 3,000).
  else if (dialect === 'sqlite')
    select = select.where(sql<boolean>`id in (select value from json_each(${JSON.stringify(fewIds)}))`).where(sql<boolean>`+dataset_id = ${datasetId}`);
  else select = select.where(sql<boolean>`id = any(${fewIds}::bigint[])`).where('dataset_id', '=', datasetId);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  const { extension, extensionColumn, text } = filters;
  if (extension !== undefined) {
    // PostgreSQL plans with the column's statistics; on SQLite the column is computed per row read, so only its index is worth using.
    if (extensionColumn !== undefined && fewIds !== undefined && dialect === 'sqlite') select = select.where(sql<boolean>`+extension = ${extensionColumn}`);
    else if (extensionColumn !== undefined && (dialect === 'postgres' || query.sort === 'key')) select = select.where('extension', '=', extensionColumn);
    else select = select.where(likeConditions({ extension, extensionColumn, text: undefined })[0]!);
  }
  if (query.folder !== undefined && query.folder !== '') {
    // A key range rather than LIKE, so the (dataset_id, key) index serves it: '0' is the character after '/'.
    select = select.where('key', '>=', query.folder).where('key', '<', `${query.folder.slice(0, -1)}0`);
  }
  if (text !== undefined) {
    // Keys are compared byte-wise ("C" collation), where ILIKE folds ASCII case as lower() does: the same test, which the trigram index serves.
    if (dialect === 'postgres') select = select.where(sql<boolean>`key ilike ${`%${escapeLike(text)}%`} escape '\\'`);
    else select = select.where(likeConditions({ extension: undefined, extensionColumn: undefined, text })[0]!);
  }
  if (query.tag !== undefined) {
    const tagName = query.tag;
    select = select.where('id', 'in', (eb) =>
      eb
        .selectFrom('tag_members')
        .innerJoin('tags', 'tags.id', 'tag_members.tag_id')
        .select('tag_members.sample_id')
        .where('tags.dataset_id', '=', datasetId)
        .where('tags.name', '=', tagName),
    );
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
  return select.limit(plan.limit ?? query.limit);
}

/** The ids of the rows the extension or text matches, when one of them matches fewer than FEW_ROWS; else undefined (walk, and test each row). */
async function findFewMatchingIds(db: Executor, datasetId: string, extension: string | undefined, text: string | undefined): Promise<number[] | undefined> {
  if (extension !== undefined) {
    const rows = await db.selectFrom('samples').select('id').where('dataset_id', '=', datasetId).where('extension', '=', extension).limit(FEW_ROWS).execute();
    if (rows.length < FEW_ROWS) return rows.map((row) => row.id);
  }
  if (text !== undefined && hasIndexedTrigram('sqlite', text)) {
    // Rows holding every trigram of the text, read from the index alone (MATCH, where LIKE would read each row's key
    // to test it): a superset of the matches, which the page query then tests exactly.
    const { rows } = await sql<{
      id: number;
    }>`select rowid as id from samples_key_trigrams where samples_key_trigrams match ${trigramQuery(text)} limit ${FEW_ROWS}`.execute(db);
    if (rows.length < FEW_ROWS) return rows.map((row) => row.id);
  }
  return undefined;
}

/**
 * Whether the dialect's trigram index can look `text` up: SQLite's FTS5 trigram tokenizer indexes every
 * 3 characters of a key; pg_trgm only runs of letters and digits, and which non-ASCII ones counts as
 * letters depends on the database's locale, so only 3 ASCII ones in a row are sure to be there.
 */
function hasIndexedTrigram(dialect: Dialect, text: string): boolean {
  return dialect === 'sqlite' ? [...text].length >= 3 : /[a-z0-9]{3}/.test(text);
}

/** An FTS5 query for rows holding every trigram of `text` (detail=none has no phrase queries). */
function trigramQuery(text: string): string {
  const characters = [...text];
  const trigrams = new Set<string>();
  for (let index = 2; index < characters.length; index++) trigrams.add(characters.slice(index - 2, index + 1).join(''));
  return [...trigrams].map((trigram) => `"${trigram.replace(/"/g, '""')}"`).join(' AND ');
}

/** Texts no trigram index serves: the 1-2 character grams say whether any sample matches, and which when few do. */
async function planShortTextQuery(db: Executor, dialect: Dialect, datasetId: string, text: string): Promise<ShortTextPlan> {
  if (await nameGramsBehind(db, dialect, datasetId)) await catchUpNameGrams(db, dialect, datasetId);
  const grams = gramsOfText(text);
  return planShortText(grams, await findNameGramCounts(db, datasetId, grams));
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
