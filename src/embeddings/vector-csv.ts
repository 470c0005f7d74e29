/**
 * Lightly's embeddings CSV: a header `filenames,embedding_0,...,embedding_{d-1}[,labels]`, then one
 * row per image, filenames relative to the dataset's input. Fields follow RFC 4180 (quotes around
 * fields holding commas, quotes or line breaks; `""` for a quote).
 */

export interface VectorTable {
  filenames: string[];
  dimensions: number;
  /** Row-major, `filenames.length * dimensions` values. */
  values: Float32Array;
  /** Each row's label, when the file has a `labels` column (empty cells are undefined). */
  labels?: Array<string | undefined> | undefined;
}

/** A problem in an input file, with the 1-based line it is on. */
export interface VectorFileProblem {
  line: number;
  message: string;
}

export type ParseResult = { ok: true; table: VectorTable } | { ok: false; problems: VectorFileProblem[] };

const MAX_PROBLEMS = 20;

/** Parses the CSV, collecting up to 20 problems (ragged rows, non-numbers, empty or duplicate filenames) with their line numbers. */
export function parseVectorCsv(text: string): ParseResult {
  const records = splitRecords(text.startsWith('\ufeff') ? text.slice(1) : text);
  const problems: VectorFileProblem[] = [];
  const header = records[0];
  if (header === undefined) return { ok: false, problems: [{ line: 1, message: 'the file is empty; expected a header filenames,embedding_0,...' }] };
  const columns = header.fields.map((field) => field.trim());
  const hasLabels = columns.at(-1) === 'labels';
  const dimensions = columns.length - 1 - (hasLabels ? 1 : 0);
  if (columns[0] !== 'filenames' || dimensions < 1 || !columns.slice(1, 1 + dimensions).every((name, index) => name === `embedding_${index}`)) {
    return {
      ok: false,
      problems: [
        {
          line: header.line,
          message: `the header must be filenames,embedding_0,...,embedding_{d-1}[,labels]; got ${columns.slice(0, 4).join(',')}${columns.length > 4 ? ',...' : ''}`,
        },
      ],
    };
  }
  const rows = records.slice(1).filter((record) => !(record.fields.length === 1 && record.fields[0] === ''));
  const values = new Float32Array(rows.length * dimensions);
  const filenames: string[] = [];
  const labels: Array<string | undefined> = [];
  const seen = new Map<string, number>();
  for (const [index, record] of rows.entries()) {
    if (problems.length >= MAX_PROBLEMS) break;
    if (record.fields.length !== columns.length) {
      problems.push({ line: record.line, message: `${record.fields.length} fields, but the header has ${columns.length}` });
      continue;
    }
    const filename = record.fields[0]!;
    if (filename === '') problems.push({ line: record.line, message: 'the filename is empty' });
    const earlier = seen.get(filename);
    if (earlier !== undefined) problems.push({ line: record.line, message: `${JSON.stringify(filename)} is also on line ${earlier}` });
    seen.set(filename, record.line);
    filenames.push(filename);
    if (hasLabels) labels.push(record.fields.at(-1)!.trim() || undefined);
    for (let column = 0; column < dimensions; column++) {
      const field = record.fields[column + 1]!;
      const value = field.trim() === '' ? Number.NaN : Number(field);
      if (!Number.isFinite(value)) {
        problems.push({ line: record.line, message: `embedding_${column} is ${JSON.stringify(field.slice(0, 40))}, not a number` });
        break;
      }
      values[index * dimensions + column] = value;
    }
  }
  if (rows.length === 0 && problems.length === 0) problems.push({ line: header.line + 1, message: 'no rows after the header' });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, table: { filenames, dimensions, values, labels: hasLabels ? labels : undefined } };
}

interface CsvRecord {
  line: number;
  fields: string[];
}

function splitRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (char === '\n') line++;
        field += char;
      }
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else field += char;
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
  return records;
}

/** The header line of a CSV export with `dimensions` columns of values. */
export function vectorCsvHeader(dimensions: number): string {
  return ['filenames', ...Array.from({ length: dimensions }, (_, index) => `embedding_${index}`)].join(',');
}

/** One CSV row: the filename quoted when it must be, each value in the fewest digits that read back as the same float32. */
export function vectorCsvRow(filename: string, vector: Float32Array): string {
  const parts = [quoteField(filename)];
  for (const value of vector) parts.push(shortestFloat32(value));
  return parts.join(',');
}

function quoteField(value: string): string {
  return /[",\r\n]/.test(value) || value.trim() !== value ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The shortest decimal that parses back to exactly this float32 (at most 9 significant digits always do). */
export function shortestFloat32(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  for (let precision = 1; precision < 9; precision++) {
    const text = value.toPrecision(precision);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(Number(value.toPrecision(9)));
}
