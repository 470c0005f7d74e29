import { parse } from 'csv-parse/sync';
import { requireDataset, requireDatasetRow } from '../catalog/dataset.service.js';
import type { Dataset } from '../catalog/dataset.repository.js';
import { listSampleFieldByKey, listSampleFields, upsertSampleFields, type FieldSummary, type SampleField } from '../catalog/sample-field.repository.js';
import { findSamplesByKeys } from '../catalog/sample.repository.js';
import { AppError, describeError, quoteInput } from '../errors.js';
import { forEachConcurrently } from '../shared/concurrency.js';
import { openDatasetStores } from './dataset-stores.js';
import type { WorkflowDeps } from './workflow-deps.js';

export type MetadataDeps = Pick<WorkflowDeps, 'database' | 'clock' | 'log'>;

export interface MetadataProblem {
  line: number;
  message: string;
}

export interface MetadataImportReport {
  dataset: string;
  samples: number;
  fields: FieldSummary[];
  values: number;
}

const KEY_COLUMNS = ['filenames', 'filename', 'file_name', 'key'];
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const MAX_PROBLEMS = 20;
const KEY_CHUNK = 1_000;

interface ParsedRow {
  line: number;
  key: string;
  values: Map<string, number | string>;
}

/**
 * `winnow metadata import`: per-sample fields from CSV (a key column — filenames, filename, file_name
 * or key — then one column per field) or JSON (`{ "<key>": { field: value } }` or a list of objects
 * with a key field; nested objects become dotted field names). A column is numeric when every filled
 * cell is a number, otherwise text (a category). Any problem is reported with its line and nothing is stored.
 */
export async function importMetadata(
  deps: MetadataDeps,
  datasetName: string,
  request: { text: string; format: 'csv' | 'json'; source: string },
): Promise<MetadataImportReport> {
  const dataset = await requireDatasetRow(deps, datasetName);
  const rows = request.format === 'csv' ? parseMetadataCsv(request.text, request.source) : parseMetadataJson(request.text, request.source);
  return storeRows(deps, dataset, rows, request.source);
}

async function storeRows(deps: MetadataDeps, dataset: Dataset, rows: readonly ParsedRow[], source: string): Promise<MetadataImportReport> {
  const ids = new Map<string, number>();
  for (let start = 0; start < rows.length; start += KEY_CHUNK) {
    for (const sample of await findSamplesByKeys(
      deps.database.db,
      dataset.id,
      rows.slice(start, start + KEY_CHUNK).map((row) => row.key),
    )) {
      if (sample.removedAt === null) ids.set(sample.key, sample.id);
    }
  }
  const unknown = rows.filter((row) => !ids.has(row.key));
  if (unknown.length > 0) {
    throw invalid(
      source,
      unknown.map((row) => ({ line: row.line, message: `${quoteInput(row.key)} is not a sample of "${dataset.name}"` })),
      'Keys are relative to the input location, as `winnow samples list` prints them; run `winnow dataset sync` first if they are new.',
    );
  }
  const fields: SampleField[] = rows.flatMap((row) => [...row.values].map(([field, value]) => ({ sampleId: ids.get(row.key)!, field, value })));
  await deps.database.db.transaction().execute((trx) => upsertSampleFields(trx, dataset.id, fields));
  deps.log.info({ dataset: dataset.name, samples: rows.length, values: fields.length }, 'metadata imported');
  return { dataset: dataset.name, samples: rows.length, values: fields.length, fields: await listSampleFields(deps.database.db, dataset.id) };
}

export function parseMetadataCsv(text: string, source: string): ParsedRow[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { info: true, bom: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    throw invalid(source, [{ line, message: describeError(error) }], 'Give a CSV with a header row: filenames,<field>,<field>,…');
  }
  const [header, ...body] = records;
  if (header === undefined) throw invalid(source, [{ line: 1, message: 'the file is empty' }], 'Give a CSV with a header row: filenames,<field>,<field>,…');
  const columns = header.record.map((name) => name.trim());
  const problems: MetadataProblem[] = [];
  if (!KEY_COLUMNS.includes(columns[0]!))
    problems.push({ line: header.info.lines, message: `the first column must be the key (${KEY_COLUMNS.join(', ')}), not ${quoteInput(columns[0] ?? '')}` });
  if (columns.length < 2) problems.push({ line: header.info.lines, message: 'no field columns after the key' });
  const named = new Set<string>();
  columns.slice(1).forEach((name, index) => {
    if (name === '') problems.push({ line: header.info.lines, message: `column ${index + 2} has no name` });
    else if (named.has(name)) problems.push({ line: header.info.lines, message: `column ${quoteInput(name)} appears twice` });
    named.add(name);
  });
  if (problems.length > 0) throw invalid(source, problems);
  const numeric = columns.map((_, column) => body.every((row) => (row.record[column] ?? '').trim() === '' || NUMBER.test(row.record[column]!.trim())));
  const seen = new Map<string, number>();
  const rows: ParsedRow[] = [];
  for (const { record, info } of body) {
    if (problems.length >= MAX_PROBLEMS) break;
    if (record.length !== columns.length) {
      problems.push({ line: info.lines, message: `${record.length} fields, but the header has ${columns.length}` });
      continue;
    }
    const key = record[0]!.trim();
    if (key === '') problems.push({ line: info.lines, message: 'the key is empty' });
    const earlier = seen.get(key);
    if (earlier !== undefined) problems.push({ line: info.lines, message: `${quoteInput(key)} is also on line ${earlier}` });
    seen.set(key, info.lines);
    const values = new Map<string, number | string>();
    for (let column = 1; column < columns.length; column++) {
      const cell = record[column]!.trim();
      if (cell !== '') values.set(columns[column]!, numeric[column] ? Number(cell) : cell);
    }
    rows.push({ line: info.lines, key, values });
  }
  if (problems.length > 0) throw invalid(source, problems);
  return rows;
}

export function parseMetadataJson(text: string, source: string): ParsedRow[] {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const position = Number(/at position (\d+)/.exec(describeError(error))?.[1] ?? 0);
    throw invalid(source, [{ line: lineLocator(text)(position), message: `not valid JSON: ${describeError(error).replace(/ in JSON at position.*$/s, '')}` }]);
  }
  const entries: Array<[string, unknown]> = Array.isArray(document)
    ? document.map((entry, index) => {
        const record = isRecord(entry) ? entry : {};
        const keyField = KEY_COLUMNS.find((name) => typeof record[name] === 'string');
        return [
          keyField ? (record[keyField] as string) : `#${index}`,
          keyField ? Object.fromEntries(Object.entries(record).filter(([name]) => name !== keyField)) : entry,
        ];
      })
    : isRecord(document)
      ? Object.entries(document)
      : [];
  if (entries.length === 0)
    throw invalid(source, [{ line: 1, message: 'expected an object of { "<key>": { field: value } } or a list of objects with a "filename" or "key"' }]);
  const problems: MetadataProblem[] = [];
  const rows: ParsedRow[] = [];
  const lineOf = lineLocator(text);
  // Entries come in file order (but for integer-like keys, which JavaScript puts first), so each search starts where the last one matched.
  let searchFrom = 0;
  for (const [key, value] of entries) {
    const quoted = JSON.stringify(key);
    let position = text.indexOf(quoted, searchFrom);
    if (position === -1) position = text.indexOf(quoted);
    if (position !== -1) searchFrom = position + quoted.length;
    const line = lineOf(position);
    if (key.startsWith('#') || !isRecord(value)) {
      problems.push({
        line,
        message: `${key.startsWith('#') ? `entry ${key.slice(1)} has no "filename" or "key"` : `${quoteInput(key)} must map to an object of fields`}`,
      });
      continue;
    }
    const values = new Map<string, number | string>();
    flatten(value, '', values, (message) => problems.push({ line, message: `${quoteInput(key)}: ${message}` }));
    rows.push({ line, key, values });
    if (problems.length >= MAX_PROBLEMS) break;
  }
  if (problems.length > 0) throw invalid(source, problems);
  return rows;
}

/** Deeper objects are refused rather than flattened into field names no one would type (and a stack overflow). */
const MAX_FIELD_DEPTH = 16;

function flatten(value: Record<string, unknown>, prefix: string, into: Map<string, number | string>, problem: (message: string) => void, depth = 1): void {
  for (const [name, entry] of Object.entries(value)) {
    const field = `${prefix}${name}`;
    if (typeof entry === 'number' && Number.isFinite(entry)) into.set(field, entry);
    else if (typeof entry === 'string' || typeof entry === 'boolean') into.set(field, String(entry));
    else if (isRecord(entry) && depth >= MAX_FIELD_DEPTH) problem(`field ${quoteInput(field, 80)} nests objects deeper than ${MAX_FIELD_DEPTH} levels`);
    else if (isRecord(entry)) flatten(entry, `${field}.`, into, problem, depth + 1);
    else if (entry !== null) problem(`field ${quoteInput(field)} is neither a number, a text nor an object`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The 1-based line of a character position (line 1 when unknown); the newlines are found once per file. */
function lineLocator(text: string): (position: number) => number {
  const newlines: number[] = [];
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) newlines.push(at);
  return (position) => {
    if (position < 0) return 1;
    let [low, high] = [0, newlines.length];
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (newlines[middle]! < position) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  };
}

function invalid(source: string, problems: readonly MetadataProblem[], hint = 'Fix those lines and import again; nothing was stored.'): AppError {
  const shown = problems.slice(0, MAX_PROBLEMS).map((problem) => `line ${problem.line}: ${problem.message}`);
  return new AppError(
    'MetadataInvalid',
    `${source} cannot be imported (nothing was stored):\n  ${shown.join('\n  ')}${problems.length > MAX_PROBLEMS ? '\n  …' : ''}`,
    { hint, details: { problems } },
  );
}

/** The fields a dataset's samples have, with how many samples hold a number or a text in each. */
export async function describeMetadata(deps: Pick<MetadataDeps, 'database'>, datasetName: string): Promise<FieldSummary[]> {
  const dataset = await requireDatasetRow(deps, datasetName);
  return listSampleFields(deps.database.db, dataset.id);
}

/** One field's values, as parallel arrays of keys and values (numbers or texts), for colouring the map. */
export async function fieldValues(
  deps: Pick<MetadataDeps, 'database'>,
  datasetName: string,
  field: string,
): Promise<{ field: string; keys: string[]; values: Array<number | string> }> {
  const dataset = await requireDatasetRow(deps, datasetName);
  const rows = await listSampleFieldByKey(deps.database.db, dataset.id, field);
  return { field, keys: rows.map((row) => row.key), values: rows.map((row) => row.value) };
}

const LIGHTLY_FOLDER = '.lightly/';
const LIGHTLY_FILE_BYTES = 4 * 1024 * 1024;
const LIGHTLY_READS = 16;

/**
 * Reads Lightly's layout from the input location, read-only: `.lightly/metadata/schema.json` and one
 * JSON per image (each schema entry's `path` becomes a field), and `.lightly/predictions/tasks.json`
 * with each task's schema and per-image predictions (the task's name holds the best-scored category;
 * `<task>.count` the number of predictions). Never writes anything back.
 */
export async function importLightlyLayout(
  deps: Pick<WorkflowDeps, 'config' | 'database' | 'secretBox' | 'access' | 'clock' | 'log'>,
  datasetName: string,
): Promise<MetadataImportReport> {
  const { dataset, datasources } = await requireDataset(deps, datasetName);
  const { input } = await openDatasetStores(deps, dataset.name, datasources);
  const base = `${input.prefix}${LIGHTLY_FOLDER}`;
  const readJson = async (key: string): Promise<unknown> =>
    JSON.parse((await input.store.readObject(`${base}${key}`, LIGHTLY_FILE_BYTES)).body.toString('utf8'));
  const listJson = async (folder: string): Promise<string[]> => {
    const keys: string[] = [];
    for await (const page of input.store.listPages(`${base}${folder}`))
      for (const object of page) if (object.key.endsWith('.json')) keys.push(object.key.slice(base.length));
    return keys;
  };
  const byImage = new Map<string, ParsedRow>();
  const rowOf = (fileName: string) => {
    let row = byImage.get(fileName);
    if (!row) byImage.set(fileName, (row = { line: 0, key: fileName, values: new Map() }));
    return row;
  };
  const problems: MetadataProblem[] = [];

  const schema = (await readJson('metadata/schema.json').catch(() => undefined)) as Array<{ path?: unknown; valueDataType?: unknown }> | undefined;
  if (Array.isArray(schema)) {
    const entries = schema.filter((entry): entry is { path: string; valueDataType?: unknown } => typeof entry.path === 'string');
    const files = (await listJson('metadata/')).filter((key) => key !== 'metadata/schema.json');
    await forEachConcurrently(files, LIGHTLY_READS, async (key) => {
      const file = (await readJson(key).catch((error: unknown) => problems.push({ line: 1, message: `${LIGHTLY_FOLDER}${key}: ${describeError(error)}` }))) as {
        file_name?: unknown;
        metadata?: unknown;
      };
      if (typeof file?.file_name !== 'string' || !isRecord(file.metadata)) return;
      const row = rowOf(file.file_name);
      for (const entry of entries) {
        const value = entry.path.split('.').reduce<unknown>((at, part) => (isRecord(at) ? at[part] : undefined), file.metadata);
        if (value === undefined || value === null) continue;
        const numeric = typeof entry.valueDataType === 'string' && entry.valueDataType.startsWith('NUMERIC');
        row.values.set(entry.path, numeric && typeof value === 'number' ? value : String(value));
      }
    });
  }

  const tasks = (await readJson('predictions/tasks.json').catch(() => undefined)) as unknown;
  for (const task of Array.isArray(tasks) ? tasks.filter((name): name is string => typeof name === 'string') : []) {
    const taskSchema = (await readJson(`predictions/${task}/schema.json`).catch(() => undefined)) as
      { categories?: Array<{ id: number; name: string }> } | undefined;
    const names = new Map((taskSchema?.categories ?? []).map((category) => [category.id, category.name]));
    const files = (await listJson(`predictions/${task}/`)).filter((key) => key !== `predictions/${task}/schema.json`);
    await forEachConcurrently(files, LIGHTLY_READS, async (key) => {
      const file = (await readJson(key).catch(() => undefined)) as { file_name?: unknown; predictions?: unknown } | undefined;
      if (typeof file?.file_name !== 'string' || !Array.isArray(file.predictions)) return;
      const predictions = file.predictions.filter(isRecord) as Array<{ category_id?: number; score?: number }>;
      const best = predictions.reduce<{ category_id?: number; score?: number } | undefined>(
        (top, prediction) => ((prediction.score ?? 0) > (top?.score ?? -1) ? prediction : top),
        undefined,
      );
      const row = rowOf(file.file_name);
      if (best?.category_id !== undefined) row.values.set(task, names.get(best.category_id) ?? String(best.category_id));
      row.values.set(`${task}.count`, predictions.length);
    });
  }
  if (problems.length > 0) throw invalid(`${input.uri}${LIGHTLY_FOLDER}`, problems);
  if (byImage.size === 0) {
    throw new AppError('MetadataInvalid', `No Lightly metadata or predictions under ${input.uri}${LIGHTLY_FOLDER}.`, {
      hint: 'Lightly keeps .lightly/metadata/schema.json and .lightly/predictions/tasks.json beside the images.',
    });
  }
  return storeRows(deps, dataset, [...byImage.values()], `${input.uri}${LIGHTLY_FOLDER}`);
}
