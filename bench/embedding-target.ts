import { randomUUID } from 'node:crypto';
import type { ModelVersion } from '../src/catalog/embedding.repository.js';
import { insertSamples } from '../src/catalog/sample.repository.js';
import type { Executor } from '../src/db/executor.js';
import type { Dialect } from '../src/db/dialect.js';
import { insertTestDataset } from '../test/support/factories.js';

/** A dataset of `count` placeholder samples and a registered model of `dimensions`, ready for `recordEmbeddings`. */
export async function seedEmbeddingTarget(
  db: Executor,
  dialect: Dialect,
  count: number,
  dimensions: number,
): Promise<{ datasetId: string; sampleIds: number[]; model: ModelVersion }> {
  const dataset = await insertTestDataset(db);
  const now = new Date().toISOString();
  for (let start = 0; start < count; start += 5_000) {
    await insertSamples(
      db,
      dialect,
      Array.from({ length: Math.min(5_000, count - start) }, (_, i) => ({
        datasetId: dataset.id,
        key: `k/${start + i}.jpg`,
        size: 1,
        etag: 'e',
        lastModified: now,
        width: 1,
        height: 1,
        format: 'jpeg',
        status: 'ok' as const,
        error: null,
        firstSeenAt: now,
        lastSeenAt: now,
        seenGeneration: 1,
        removedAt: null,
      })),
    );
  }
  const rows = await db.selectFrom('samples').select('id').where('dataset_id', '=', dataset.id).orderBy('id').execute();
  const model = { id: randomUUID(), sha256: 'x'.repeat(64) };
  await db
    .insertInto('embedding_models')
    .values({
      id: model.id,
      name: 'bench',
      file_name: 'b.onnx',
      sha256: model.sha256,
      bytes: 1,
      input_size: 224,
      layout: 'nhwc',
      mean: '[0,0,0]',
      std: '[1,1,1]',
      output: 'o',
      dimensions,
      source: 'user',
      created_at: now,
    })
    .execute();
  return { datasetId: dataset.id, sampleIds: rows.map((row) => row.id), model };
}
