import type { Executor } from '../db/executor.js';

/** One metadata field or label of a sample: a number, or a text (a category). */
export interface SampleField {
  sampleId: number;
  field: string;
  value: number | string;
}

export interface FieldSummary {
  field: string;
  /** Samples with a number / with a text in this field. */
  numbers: number;
  texts: number;
}

const UPSERT_CHUNK = 500;

/** Stores fields, replacing a sample's earlier value of the same field. Run it in the caller's transaction. */
export async function upsertSampleFields(db: Executor, datasetId: string, fields: readonly SampleField[]): Promise<void> {
  for (let start = 0; start < fields.length; start += UPSERT_CHUNK) {
    const rows = fields.slice(start, start + UPSERT_CHUNK).map((field) => ({
      dataset_id: datasetId,
      sample_id: field.sampleId,
      field: field.field,
      number_value: typeof field.value === 'number' ? field.value : null,
      text_value: typeof field.value === 'string' ? field.value : null,
    }));
    await db
      .insertInto('sample_fields')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['sample_id', 'field']).doUpdateSet((eb) => ({ number_value: eb.ref('excluded.number_value'), text_value: eb.ref('excluded.text_value') })),
      )
      .execute();
  }
}

/** Every sample's value of one field, by sample id. */
export async function loadSampleField(db: Executor, datasetId: string, field: string): Promise<Map<number, number | string>> {
  const rows = await db
    .selectFrom('sample_fields')
    .select(['sample_id', 'number_value', 'text_value'])
    .where('dataset_id', '=', datasetId)
    .where('field', '=', field)
    .execute();
  return new Map(rows.map((row) => [Number(row.sample_id), row.number_value !== null ? Number(row.number_value) : row.text_value!]));
}

/** Every live sample's value of one field, by key, in key order. */
export async function listSampleFieldByKey(db: Executor, datasetId: string, field: string): Promise<Array<{ key: string; value: number | string }>> {
  const rows = await db
    .selectFrom('sample_fields')
    .innerJoin('samples', 'samples.id', 'sample_fields.sample_id')
    .select(['samples.key', 'sample_fields.number_value', 'sample_fields.text_value'])
    .where('sample_fields.dataset_id', '=', datasetId)
    .where('sample_fields.field', '=', field)
    .where('samples.removed_at', 'is', null)
    .orderBy('samples.key')
    .execute();
  return rows.map((row) => ({ key: row.key, value: row.number_value !== null ? Number(row.number_value) : row.text_value! }));
}

export async function listSampleFields(db: Executor, datasetId: string): Promise<FieldSummary[]> {
  const rows = await db
    .selectFrom('sample_fields')
    .select((eb) => ['field', eb.fn.count<number>('number_value').as('numbers'), eb.fn.count<number>('text_value').as('texts')])
    .where('dataset_id', '=', datasetId)
    .groupBy('field')
    .orderBy('field')
    .execute();
  return rows.map((row) => ({ field: row.field, numbers: Number(row.numbers), texts: Number(row.texts) }));
}
