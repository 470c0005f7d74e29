import type { DatasourceRow, NewDatasourceRow } from '../db/schema.js';
import type { Executor } from './dataset.repository.js';

export async function insertDatasource(db: Executor, row: NewDatasourceRow): Promise<void> {
  await db.insertInto('datasources').values(row).execute();
}

export async function findDatasourcesOfDataset(db: Executor, datasetId: string): Promise<DatasourceRow[]> {
  return db.selectFrom('datasources').selectAll().where('dataset_id', '=', datasetId).execute();
}
