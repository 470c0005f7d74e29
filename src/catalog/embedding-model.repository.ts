import type { Executor } from '../db/executor.js';
import type { EmbeddingModelTable } from '../db/schema.js';

/** A registered image model: how to feed it and what it gives. Its file is `<home>/models/<fileName>`. */
export interface EmbeddingModel {
  id: string;
  name: string;
  fileName: string;
  sha256: string;
  bytes: number;
  inputSize: number;
  layout: 'nchw' | 'nhwc';
  mean: [number, number, number];
  std: [number, number, number];
  output: string;
  dimensions: number;
  /** `default`: converted by Winnow from the bundled weights; `user`: `winnow model add`; `imported`: vectors only (`embeddings import`), no file. */
  source: 'default' | 'user' | 'imported';
  createdAt: string;
}

function toModel(row: EmbeddingModelTable): EmbeddingModel {
  return {
    id: row.id,
    name: row.name,
    fileName: row.file_name,
    sha256: row.sha256,
    bytes: Number(row.bytes),
    inputSize: row.input_size,
    layout: row.layout,
    mean: JSON.parse(row.mean) as [number, number, number],
    std: JSON.parse(row.std) as [number, number, number],
    output: row.output,
    dimensions: row.dimensions,
    source: row.source === 'default' || row.source === 'imported' ? row.source : 'user',
    createdAt: row.created_at,
  };
}

function toRow(model: EmbeddingModel): EmbeddingModelTable {
  return {
    id: model.id,
    name: model.name,
    file_name: model.fileName,
    sha256: model.sha256,
    bytes: model.bytes,
    input_size: model.inputSize,
    layout: model.layout,
    mean: JSON.stringify(model.mean),
    std: JSON.stringify(model.std),
    output: model.output,
    dimensions: model.dimensions,
    source: model.source,
    created_at: model.createdAt,
  };
}

export async function findModelByName(db: Executor, name: string): Promise<EmbeddingModel | undefined> {
  const row = await db.selectFrom('embedding_models').selectAll().where('name', '=', name).executeTakeFirst();
  return row && toModel(row);
}

export async function listModels(db: Executor): Promise<EmbeddingModel[]> {
  return (await db.selectFrom('embedding_models').selectAll().orderBy('name').execute()).map(toModel);
}

/**
 * Registers a model under its name, replacing what the name pointed at. The id is kept when
 * the name is already taken, so a dataset's vectors stay attached to the name; vectors of the
 * old file stay tagged with the old sha256 and count as stale.
 */
export async function saveModel(db: Executor, model: EmbeddingModel): Promise<EmbeddingModel> {
  const row = toRow(model);
  const { id: _id, name: _name, ...changes } = row;
  await db
    .insertInto('embedding_models')
    .values(row)
    .onConflict((oc) => oc.column('name').doUpdateSet(changes))
    .execute();
  return (await findModelByName(db, model.name))!;
}
