import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import { insertTestDataset } from '../../test/support/factories.js';
import { deleteDataset } from './dataset.repository.js';
import { findEmbeddingMap, saveEmbeddingMap } from './embedding-map.repository.js';
import { findModelByName, listModels, saveModel, type EmbeddingModel } from './embedding-model.repository.js';
import {
  countEmbeddings,
  countEmbeddingWork,
  deleteEmbeddingsOfRemovedSamples,
  describeVectorSet,
  findVectors,
  listEmbeddingWorkAfter,
  listDuplicateRowsAfter,
  listVectorsAfter,
  recordEmbeddings,
  type EmbeddingRecord,
  type ModelVersion,
} from './embedding.repository.js';
import { findContentHashes, saveContentHashes } from './content-hash.repository.js';
import { findSamplesByKeys, insertSamples, markSamplesChanged, markUnseenSamplesRemoved, type NewSample } from './sample.repository.js';

const NOW = '2026-01-01T00:00:00.000Z';
const LATER = '2026-01-02T00:00:00.000Z';

function sample(datasetId: string, key: string): NewSample {
  return {
    datasetId,
    key,
    size: 1_000,
    etag: `etag-${key}`,
    lastModified: NOW,
    width: 640,
    height: 480,
    format: 'jpeg',
    status: 'ok',
    error: null,
    firstSeenAt: NOW,
    lastSeenAt: NOW,
    seenGeneration: 1,
    removedAt: null,
  };
}

function model(name: string, sha256: string): EmbeddingModel {
  return {
    id: randomUUID(),
    name,
    fileName: `${name}.onnx`,
    sha256,
    bytes: 1234,
    inputSize: 32,
    layout: 'nchw',
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
    output: 'embedding',
    dimensions: 4,
    source: 'user',
    createdAt: NOW,
  };
}

describe.each(DIALECTS)('embedding repositories on %s', (dialect) => {
  let test: TestDatabase;
  let datasetId: string;
  let ids: Record<string, number>;
  let version: ModelVersion;
  const keys = ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'];
  const db = () => test.database.db;
  const vector = (seed: number) => Float32Array.from([seed, seed + 0.5, -seed, 1 / 3]);
  const record = (key: string, fields: Partial<EmbeddingRecord> = {}): EmbeddingRecord => ({
    sampleId: ids[key]!,
    datasetId,
    sourceEtag: `etag-${key}`,
    status: 'ok',
    vector: vector(key.charCodeAt(0)),
    error: null,
    updatedAt: NOW,
    ...fields,
  });
  const pending = async (of = version) => (await listEmbeddingWorkAfter(db(), datasetId, of, 0, 100)).map((row) => row.key);

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    datasetId = randomUUID();
    await insertTestDataset(db(), { id: datasetId, name: `ds-${dialect}` });
    await insertSamples(
      db(),
      dialect,
      keys.map((key) => sample(datasetId, key)),
    );
    ids = Object.fromEntries((await findSamplesByKeys(db(), datasetId, keys)).map((row) => [row.key, row.id]));
  });
  afterAll(async () => test?.drop());

  it('registers models by name and keeps the id when a name is registered again with another file', async () => {
    const first = await saveModel(db(), model('tiny', 'a'.repeat(64)));
    version = { id: first.id, sha256: first.sha256 };
    expect(await findModelByName(db(), 'tiny')).toEqual(first);
    const again = await saveModel(db(), { ...model('tiny', 'b'.repeat(64)), dimensions: 8 });
    expect(again).toMatchObject({ id: first.id, sha256: 'b'.repeat(64), dimensions: 8, mean: [0.5, 0.5, 0.5] });
    await saveModel(db(), model('another', 'c'.repeat(64)));
    expect((await listModels(db())).map((entry) => entry.name)).toEqual(['another', 'tiny']);
    version = { id: again.id, sha256: again.sha256 };
  });

  it('stores vectors exactly, one row per sample and model, and lists work still to do', async () => {
    expect(await pending()).toEqual(keys);
    await recordEmbeddings(db(), version, [
      record('a.jpg'),
      record('b.jpg', { status: 'rejected', vector: null, error: 'Corrupt or truncated image' }),
      record('c.jpg', { status: 'failed', vector: null, error: 'SlowDown' }),
    ]);
    await recordEmbeddings(db(), version, [record('a.jpg')]);
    expect(await pending()).toEqual(['c.jpg', 'd.jpg']);
    expect(await countEmbeddingWork(db(), datasetId, version)).toEqual({ total: 4, pending: 2 });
    const stored = await listVectorsAfter(db(), datasetId, version, 0, 10);
    expect(stored).toEqual([{ sampleId: ids['a.jpg'], key: 'a.jpg', vector: vector(97) }]);
    expect((await findVectors(db(), datasetId, version, [ids['a.jpg']!, ids['b.jpg']!])).get(ids['a.jpg']!)?.vector).toEqual(vector(97));
    expect(await countEmbeddings(db(), datasetId, [version])).toEqual([{ modelId: version.id, ok: 1, rejected: 1 }]);
    const rows = await db().selectFrom('embeddings').select('sample_id').where('model_id', '=', version.id).execute();
    expect(rows).toHaveLength(3);
  });

  it('treats vectors of a changed object or another model file as stale', async () => {
    const state = await describeVectorSet(db(), datasetId, version);
    await markSamplesChanged(db(), [{ id: ids['a.jpg']!, size: 2_000, etag: 'etag-a-v2', lastModified: NOW }], 1, NOW);
    expect(await pending()).toEqual(['a.jpg', 'c.jpg', 'd.jpg']);
    expect(await listVectorsAfter(db(), datasetId, version, 0, 10)).toEqual([]);
    expect((await describeVectorSet(db(), datasetId, version)).fingerprint).not.toBe(state.fingerprint);
    await recordEmbeddings(db(), version, [record('a.jpg', { sourceEtag: 'etag-a-v2', updatedAt: LATER })]);
    expect(await listVectorsAfter(db(), datasetId, version, 0, 10)).toHaveLength(1);
    expect(await pending({ id: version.id, sha256: 'd'.repeat(64) })).toEqual(keys);
  });

  it('drops the vectors of removed samples', async () => {
    await recordEmbeddings(db(), version, [record('d.jpg')]);
    await db().updateTable('samples').set({ seen_generation: 2 }).where('key', 'in', ['a.jpg', 'b.jpg', 'c.jpg']).execute();
    await markUnseenSamplesRemoved(db(), datasetId, 2, NOW);
    expect((await describeVectorSet(db(), datasetId, version)).count).toBe(1);
    expect(await deleteEmbeddingsOfRemovedSamples(db(), datasetId, version.id)).toBe(1);
    expect(await countEmbeddingWork(db(), datasetId, version)).toEqual({ total: 3, pending: 1 });
  });

  it('caches a map as packed arrays', async () => {
    const map = {
      method: 'pca' as const,
      fingerprint: 'f1',
      sampleIds: Float64Array.from([1, 2, 3]),
      coordinates: Float32Array.from([0.5, -1, 2, 3, 4.25, 5]),
      createdAt: NOW,
    };
    await saveEmbeddingMap(db(), datasetId, version.id, map);
    await saveEmbeddingMap(db(), datasetId, version.id, { ...map, fingerprint: 'f2' });
    expect(await findEmbeddingMap(db(), datasetId, version.id, 'pca')).toEqual({ ...map, fingerprint: 'f2' });
    expect(await findEmbeddingMap(db(), datasetId, version.id, 'umap')).toBeUndefined();
  });

  it('drops vectors and maps with the dataset', async () => {
    await deleteDataset(db(), datasetId);
    expect(await db().selectFrom('embeddings').selectAll().execute()).toEqual([]);
    expect(await db().selectFrom('embedding_maps').selectAll().execute()).toEqual([]);
  });

  it("keeps each vector's thumbnail descriptor as signed bytes (none for an import), and content hashes by sample", async () => {
    const own = randomUUID();
    await insertTestDataset(db(), { id: own, name: `dups-${dialect}` });
    await insertSamples(db(), dialect, [sample(own, 'dup-x.jpg'), sample(own, 'dup-y.jpg')]);
    const found = Object.fromEntries((await findSamplesByKeys(db(), own, ['dup-x.jpg', 'dup-y.jpg'])).map((row) => [row.key, row.id]));
    const saved = await saveModel(db(), model('with-descriptors', 'd'.repeat(64)));
    const ownModel = { id: saved.id, sha256: saved.sha256 };
    const descriptor = Int8Array.from([-128, -1, 0, 1, 127]);
    await recordEmbeddings(db(), ownModel, [
      { ...record('a.jpg'), datasetId: own, sampleId: found['dup-x.jpg']!, sourceEtag: 'etag-dup-x.jpg', descriptor },
      { ...record('a.jpg'), datasetId: own, sampleId: found['dup-y.jpg']!, sourceEtag: 'etag-dup-y.jpg' },
    ]);
    const rows = await listDuplicateRowsAfter(db(), own, ownModel, 0, 10);
    expect(rows.map((row) => [row.sampleId, row.descriptor === null ? null : [...row.descriptor]])).toEqual([
      [found['dup-x.jpg'], [-128, -1, 0, 1, 127]],
      [found['dup-y.jpg'], null],
    ]);
    expect(rows[0]!.vector).toEqual(vector('a'.charCodeAt(0)));

    const hash = { sampleId: found['dup-x.jpg']!, size: 1_000, etag: 'etag-dup-x.jpg', sha256: 'e'.repeat(64), computedAt: NOW };
    await saveContentHashes(db(), [hash]);
    await saveContentHashes(db(), [{ ...hash, etag: 'etag-2', sha256: 'f'.repeat(64) }]);
    expect([...(await findContentHashes(db(), [found['dup-x.jpg']!, found['dup-y.jpg']!])).values()]).toEqual([
      { ...hash, etag: 'etag-2', sha256: 'f'.repeat(64) },
    ]);
  });

  it('fills each page in sample id order past samples whose vectors drop out, as one unbounded read would list them', async () => {
    const own = randomUUID();
    const other = randomUUID();
    await insertTestDataset(db(), { id: own, name: `pages-${dialect}` });
    await insertTestDataset(db(), { id: other, name: `pages-other-${dialect}` });
    // Interleaved ids: the other dataset's samples (same model) sit between this one's.
    const ownKeys = Array.from({ length: 12 }, (_, i) => `p${String(i).padStart(2, '0')}.jpg`);
    for (const key of ownKeys) await insertSamples(db(), dialect, [sample(own, key), sample(other, key)]);
    const found = Object.fromEntries((await findSamplesByKeys(db(), own, ownKeys)).map((row) => [row.key, row.id]));
    const elsewhere = Object.fromEntries((await findSamplesByKeys(db(), other, ownKeys)).map((row) => [row.key, row.id]));
    const saved = await saveModel(db(), model('paged', '9'.repeat(64)));
    const paged = { id: saved.id, sha256: saved.sha256 };
    const ok = (key: string, dataset: string, sampleId: number, fields: Partial<EmbeddingRecord> = {}): EmbeddingRecord => ({
      ...record('a.jpg'),
      datasetId: dataset,
      sampleId,
      sourceEtag: `etag-${key}`,
      vector: vector(sampleId),
      ...fields,
    });
    await recordEmbeddings(db(), paged, [
      ...ownKeys.map((key, i) => ok(key, own, found[key]!, i === 3 || i === 4 ? { status: 'rejected', vector: null } : i === 5 ? { sourceEtag: 'stale' } : {})),
      ...ownKeys.map((key) => ok(key, other, elsewhere[key]!)),
    ]);
    await db().updateTable('samples').set({ removed_at: NOW }).where('id', 'in', [found['p06.jpg']!, found['p07.jpg']!, found['p08.jpg']!]).execute();
    const expected = ['p00', 'p01', 'p02', 'p09', 'p10', 'p11'].map((name) => found[`${name}.jpg`]!);

    for (const read of [listVectorsAfter, listDuplicateRowsAfter]) {
      for (const limit of [1, 2, 3, 4, 100]) {
        const pages: number[][] = [];
        for (let afterId = 0; ;) {
          const page = await read(db(), own, paged, afterId, limit);
          if (page.length === 0) break;
          pages.push(page.map((row) => row.sampleId));
          afterId = page.at(-1)!.sampleId;
        }
        expect(pages.flat()).toEqual(expected);
        expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
      }
    }
    expect((await listVectorsAfter(db(), own, paged, 0, 4)).map((row) => [row.key, [...row.vector]])).toEqual(
      ['p00', 'p01', 'p02', 'p09'].map((name) => [`${name}.jpg`, [...vector(found[`${name}.jpg`]!)]]),
    );
  });
});
