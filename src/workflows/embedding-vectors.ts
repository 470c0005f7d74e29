import { createHash, randomUUID } from 'node:crypto';
import { upsertSampleFields } from '../catalog/sample-field.repository.js';
import { requireDatasetRow } from '../catalog/dataset.service.js';
import { findModelByName, saveModel, type EmbeddingModel } from '../catalog/embedding-model.repository.js';
import {
  countEmbeddings,
  describeVectorSet,
  listVectorsAfter,
  listVectorsAfterKey,
  recordEmbeddings,
  type EmbeddingRecord,
  type StoredVector,
} from '../catalog/embedding.repository.js';
import { findSamplesByKeys } from '../catalog/sample.repository.js';
import { npyHeader, parseNpy } from '../embeddings/npy.js';
import { parseVectorCsv, vectorCsvHeader, vectorCsvRow, type VectorFileProblem, type VectorTable } from '../embeddings/vector-csv.js';
import { AppError, quoteInput } from '../errors.js';
import { DEFAULT_MODEL, findRegisteredModel, listRegisteredModels, modelVersion, type ModelDeps } from './embedding-models.js';

export type VectorFileFormat = 'csv' | 'npy';

export interface ImportRequest {
  model: string;
  format: VectorFileFormat;
  /** The file's bytes (CSV text or .npy). */
  bytes: Uint8Array;
  /** For .npy: one filename per line, in the order of the rows. */
  filenames?: string | undefined;
  /** The file's name, for messages. */
  source: string;
}

export interface ImportReport {
  dataset: string;
  model: string;
  imported: number;
  dimensions: number;
  /** Labels stored as the samples' `label` field (from a CSV's `labels` column). */
  labels: number;
}

const PAGE = 1_000;
/** The sample field that labels (Lightly's CSV labels column, predictions) are kept in. */
export const LABEL_FIELD = 'label';

/**
 * `winnow embeddings import`: vectors made elsewhere (Lightly's CSV, or `.npy` + filenames), one
 * per sample, filenames relative to the input. Everything is checked first (unknown filenames,
 * ragged rows, non-numbers, a dimension that is not the model's, each with its line), and the
 * vectors are written in one transaction: on any error nothing is written. A model name not
 * registered yet is registered as imported (it has vectors but no ONNX file to embed with).
 */
export async function importEmbeddings(deps: ModelDeps, datasetName: string, request: ImportRequest): Promise<ImportReport> {
  const dataset = await requireDatasetRow(deps, datasetName);
  const table = parseVectorFile(request);
  const db = deps.database.db;
  const samples = new Map<string, { id: number; etag: string | null }>();
  for (let start = 0; start < table.filenames.length; start += PAGE) {
    for (const sample of await findSamplesByKeys(db, dataset.id, table.filenames.slice(start, start + PAGE))) {
      if (sample.removedAt === null) samples.set(sample.key, { id: sample.id, etag: sample.etag });
    }
  }
  const unknown = table.filenames.flatMap((filename, index) =>
    samples.has(filename) ? [] : [{ line: lineOf(request, index), message: `${quoteInput(filename)} is not a sample of "${dataset.name}"` }],
  );
  if (unknown.length > 0)
    throw invalid(request, unknown, 'Filenames are keys relative to the input location, as `winnow samples list` shows them; run `winnow dataset sync` first.');

  const model = await importTarget(deps, request.model, table.dimensions);
  if (model.dimensions !== table.dimensions) {
    throw new AppError(
      'EmbeddingsImportInvalid',
      `${request.source} holds ${table.dimensions}-d vectors, but model "${model.name}" gives ${model.dimensions}.`,
      { hint: 'Import into another model name: --model <new name> registers it as imported.' },
    );
  }
  const now = deps.clock().toISOString();
  const records: EmbeddingRecord[] = table.filenames.map((filename, index) => {
    const sample = samples.get(filename)!;
    return {
      sampleId: sample.id,
      datasetId: dataset.id,
      sourceEtag: sample.etag,
      status: 'ok',
      vector: table.values.slice(index * table.dimensions, (index + 1) * table.dimensions),
      error: null,
      updatedAt: now,
    };
  });
  // Lightly's labels column becomes the samples' `label` field, for selections to balance on.
  const labels =
    table.labels?.flatMap((label, index) =>
      label === undefined ? [] : [{ sampleId: samples.get(table.filenames[index]!)!.id, field: LABEL_FIELD, value: label }],
    ) ?? [];
  await db.transaction().execute(async (trx) => {
    await recordEmbeddings(trx, modelVersion(model), records);
    await upsertSampleFields(trx, dataset.id, labels);
  });
  return { dataset: dataset.name, model: model.name, imported: records.length, dimensions: table.dimensions, labels: labels.length };
}

function parseVectorFile(request: ImportRequest): VectorTable {
  if (request.format === 'csv') {
    const parsed = parseVectorCsv(new TextDecoder().decode(request.bytes));
    if (!parsed.ok) throw invalid(request, parsed.problems);
    return parsed.table;
  }
  let matrix;
  try {
    matrix = parseNpy(request.bytes);
  } catch (error) {
    throw new AppError('EmbeddingsImportInvalid', `${request.source} cannot be imported: ${(error as Error).message}.`);
  }
  if (request.filenames === undefined)
    throw new AppError('InputInvalid', 'A .npy file needs its filenames: --filenames <file>, one per line in the order of the rows.');
  const filenames = request.filenames.split(/\r?\n/);
  if (filenames.at(-1) === '') filenames.pop();
  if (filenames.length !== matrix.rows) {
    throw new AppError('EmbeddingsImportInvalid', `${request.source} has ${matrix.rows} rows but the filenames list has ${filenames.length} lines.`);
  }
  const problems: VectorFileProblem[] = [];
  const seen = new Map<string, number>();
  filenames.forEach((filename, index) => {
    if (filename === '') problems.push({ line: index + 1, message: 'the filename is empty' });
    const earlier = seen.get(filename);
    if (earlier !== undefined) problems.push({ line: index + 1, message: `${JSON.stringify(filename)} is also on line ${earlier}` });
    seen.set(filename, index + 1);
  });
  if (problems.length > 0) throw invalid({ ...request, source: 'the filenames list' }, problems);
  for (let i = 0; i < matrix.values.length; i++) {
    if (!Number.isFinite(matrix.values[i])) {
      throw invalid(request, [
        {
          line: Math.floor(i / matrix.columns) + 1,
          message: `embedding_${i % matrix.columns} is ${matrix.values[i]}, not a finite number (row ${Math.floor(i / matrix.columns) + 1})`,
        },
      ]);
    }
  }
  return { filenames, dimensions: matrix.columns, values: matrix.values };
}

/** The row's line in the file: CSV rows start on line 2; .npy rows are lines of the filenames list. */
function lineOf(request: ImportRequest, index: number): number {
  return request.format === 'csv' ? index + 2 : index + 1;
}

function invalid(request: Pick<ImportRequest, 'source'>, problems: VectorFileProblem[], hint?: string): AppError {
  const shown = problems.slice(0, 20);
  const more = problems.length > shown.length ? `\n  ... and ${problems.length - shown.length} more` : '';
  return new AppError(
    'EmbeddingsImportInvalid',
    `${request.source} cannot be imported; nothing was written:\n${shown.map((problem) => `  line ${problem.line}: ${problem.message}`).join('\n')}${more}`,
    {
      hint: hint ?? 'Fix the lines above and import again.',
      details: { problems: shown },
    },
  );
}

async function importTarget(deps: ModelDeps, name: string, dimensions: number): Promise<EmbeddingModel> {
  if (name === DEFAULT_MODEL) return findRegisteredModel(deps, name);
  const existing = await findModelByName(deps.database.db, name);
  if (existing) return existing;
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name))
    throw new AppError('InputInvalid', `Invalid model name ${quoteInput(name)}: use 1-64 lower-case letters, digits, '.', '_' or '-'.`);
  return saveModel(deps.database.db, {
    id: randomUUID(),
    name,
    fileName: '',
    sha256: createHash('sha256').update(`imported:${name}`).digest('hex'),
    bytes: 0,
    inputSize: 0,
    layout: 'nchw',
    mean: [0, 0, 0],
    std: [1, 1, 1],
    output: '',
    dimensions,
    source: 'imported',
    createdAt: deps.clock().toISOString(),
  });
}

export interface ExportTarget {
  /** Called with each piece of the file, in order (text for CSV, bytes for .npy). */
  write(chunk: string | Uint8Array): Promise<void> | void;
  /** .npy only: the filenames list, one per line. */
  writeFilenames?(chunk: string): Promise<void> | void;
}

/**
 * `winnow embeddings export`: every current vector of live samples in key order (the bucket's, not
 * sample ids, which differ between a sync fanned out over shards and one stream: two catalogs with
 * the same keys and vectors export the same file), as Lightly's CSV (values in the fewest digits
 * that read back as the same float32, so export -> import -> export gives the same file) or as
 * `.npy` float32 with a filenames list. Streams page by page.
 */
export async function exportEmbeddings(
  deps: ModelDeps,
  datasetName: string,
  options: { model?: string | undefined; format: VectorFileFormat },
  target: ExportTarget,
): Promise<{ exported: number; dimensions: number }> {
  const dataset = await requireDatasetRow(deps, datasetName);
  const model = await findRegisteredModel(deps, options.model);
  const version = modelVersion(model);
  const db = deps.database.db;
  const { count } = await describeVectorSet(db, dataset.id, version);
  if (count === 0)
    throw new AppError('EmbeddingsNotFound', `"${dataset.name}" has no vectors from model "${model.name}".`, {
      hint: `Compute them with \`winnow embed ${dataset.name}${model.name === DEFAULT_MODEL ? '' : ` --model ${model.name}`}\` or import some.`,
    });
  if (options.format === 'csv') await target.write(`${vectorCsvHeader(model.dimensions)}\n`);
  else await target.write(npyHeader(count, model.dimensions));
  let exported = 0;
  for (let afterKey: string | null = null; ;) {
    const { vectors: page, lastKey } = await listVectorsAfterKey(db, dataset.id, version, afterKey, PAGE);
    if (lastKey === null) break;
    afterKey = lastKey;
    if (page.length === 0) continue;
    exported += page.length;
    if (exported > count)
      throw new AppError('DatasetBusy', `The vectors of "${dataset.name}" changed during the export; export again once \`winnow embed\` has finished.`);
    if (options.format === 'csv') {
      await target.write(`${page.map((entry) => vectorCsvRow(entry.key, entry.vector)).join('\n')}\n`);
    } else {
      const values = new Float32Array(page.length * model.dimensions);
      page.forEach((entry, index) => values.set(entry.vector, index * model.dimensions));
      await target.write(new Uint8Array(values.buffer));
      await target.writeFilenames?.(`${page.map((entry) => entry.key).join('\n')}\n`);
    }
  }
  if (exported !== count)
    throw new AppError('DatasetBusy', `The vectors of "${dataset.name}" changed during the export; export again once \`winnow embed\` has finished.`);
  return { exported, dimensions: model.dimensions };
}

/** Walks the current vectors of live samples page by page (memory bounded by the page). */
export async function forEachVectorPage(
  deps: Pick<ModelDeps, 'database'>,
  datasetId: string,
  version: { id: string; sha256: string },
  visit: (page: StoredVector[]) => Promise<void> | void,
  pageSize = PAGE,
): Promise<void> {
  for (let afterId = 0; ;) {
    const page = await listVectorsAfter(deps.database.db, datasetId, version, afterId, pageSize);
    if (page.length === 0) return;
    afterId = page.at(-1)!.sampleId;
    await visit(page);
  }
}

export interface DatasetEmbeddings {
  /** Live samples. */
  samples: number;
  models: Array<{ name: string; dimensions: number; source: string; embedded: number; rejected: number }>;
}

/** Per registered model: how many live samples of the dataset have a current vector (the dataset page's status). */
export async function describeDatasetEmbeddings(deps: ModelDeps, datasetName: string): Promise<DatasetEmbeddings> {
  const dataset = await requireDatasetRow(deps, datasetName);
  const models = await listRegisteredModels(deps);
  const counts = await countEmbeddings(deps.database.db, dataset.id, models.map(modelVersion));
  return {
    samples: dataset.liveSamples,
    models: models.map((model, index) => ({
      name: model.name,
      dimensions: model.dimensions,
      source: model.source,
      embedded: counts[index]!.ok,
      rejected: counts[index]!.rejected,
    })),
  };
}
