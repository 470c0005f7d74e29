import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/context.js';
import { DIALECTS } from '../../test/support/databases.js';
import { insertTestDataset, insertTestSamples } from '../../test/support/factories.js';
import { firstDifferences } from '../../test/support/first-differences.js';
import type { Context } from '../context.js';
import { compareKeys } from '../datasources/object-store.js';
import { parseNpy } from '../embeddings/npy.js';
import { vectorCsvHeader, vectorCsvRow } from '../embeddings/vector-csv.js';
import { exportEmbeddings, importEmbeddings, type VectorFileFormat } from './embedding-vectors.js';

/**
 * Keys whose byte order is not JavaScript's default sort nor a guess: '-' < '.' < '/', capitals first, and
 * U+FF5A (3 UTF-8 bytes) before U+1F600 (4 bytes, but a surrogate pair that UTF-16 sorts first).
 */
const TRICKY = ['😀.jpg', 'ｚ.jpg', 'é.jpg', 'b.jpg', 'B.jpg', 'a/b.jpg', 'a.jpg', 'a-b.jpg', 'cows/cow 1,2 "best".jpg'];
/** Enough keys for three pages of the export. */
const FILLER = Array.from({ length: 2_345 }, (_, index) => `n/img-${String(index).padStart(4, '0')}.jpg`);
const WITH_VECTORS = [...TRICKY, ...FILLER];
const IN_KEY_ORDER = [...WITH_VECTORS].sort(compareKeys);
const DIMENSIONS = 3;

/** A vector of its own for each key, in float32. */
function vectorOf(key: string): Float32Array {
  const seed = [...key].reduce((sum, char, index) => sum + char.codePointAt(0)! * (index + 1), 0);
  return Float32Array.from({ length: DIMENSIONS }, (_, j) => Math.sin(seed * 12.9898 + j) * 0.5);
}

/** Lightly's CSV of `keys` in the order given. */
const csvOf = (keys: readonly string[]) => [vectorCsvHeader(DIMENSIONS), ...keys.map((key) => vectorCsvRow(key, vectorOf(key))), ''].join('\n');

describe.each(DIALECTS)('embeddings export (%s catalog)', (dialect) => {
  let context: Context & { drop(): Promise<void> };

  /** The export's file, and its filenames list for .npy. */
  async function exported(dataset: string, model: string, format: VectorFileFormat) {
    const file: Buffer[] = [];
    let filenames = '';
    await exportEmbeddings(
      context,
      dataset,
      { model, format },
      { write: (chunk) => void file.push(Buffer.from(chunk)), writeFilenames: (chunk) => void (filenames += chunk) },
    );
    return { file: Buffer.concat(file), filenames };
  }
  const lines = (text: Buffer | string) => text.toString().split('\n');

  beforeAll(async () => {
    context = await createTestContext(dialect);
    const db = context.database.db;
    // One catalog as a sync fanned out over four shards may fill it (ranges committed in the order the workers
    // finished them), one as a single stream would; a sample without a vector in each.
    const ranges = [0, 1, 2, 3].map((part) => IN_KEY_ORDER.slice((part * IN_KEY_ORDER.length) / 4, ((part + 1) * IN_KEY_ORDER.length) / 4));
    const sharded = await insertTestDataset(db, { name: 'sharded' });
    const ids = await insertTestSamples(context.database, sharded.id, [...ranges[3]!, ...ranges[1]!, 'no-vector.jpg', ...ranges[0]!, ...ranges[2]!]);
    const inIdOrder = Object.keys(ids).sort((a, b) => ids[a]! - ids[b]!);
    expect(inIdOrder.filter((key) => key !== 'no-vector.jpg')).not.toEqual(IN_KEY_ORDER);
    const stream = await insertTestDataset(db, { name: 'stream' });
    await insertTestSamples(context.database, stream.id, ['no-vector.jpg', ...IN_KEY_ORDER]);
    // Imported in yet another order.
    const bytes = new TextEncoder().encode(csvOf([...WITH_VECTORS].reverse()));
    for (const dataset of ['sharded', 'stream']) {
      await importEmbeddings(context, dataset, { model: 'lightly', format: 'csv', bytes, source: 'vectors.csv' });
    }
  });
  afterAll(async () => {
    await context?.drop();
  });

  it('writes the rows in key order (UTF-8 bytes), the same file whatever order sync gave the samples ids in', async () => {
    expect([...WITH_VECTORS].sort()).not.toEqual(IN_KEY_ORDER);
    const sharded = await exported('sharded', 'lightly', 'csv');
    expect(firstDifferences(lines(sharded.file), lines(csvOf(IN_KEY_ORDER)))).toEqual([]);
    expect(firstDifferences(lines((await exported('stream', 'lightly', 'csv')).file), lines(sharded.file))).toEqual([]);

    for (const dataset of ['sharded', 'stream']) {
      const npy = await exported(dataset, 'lightly', 'npy');
      expect(firstDifferences(lines(npy.filenames), [...IN_KEY_ORDER, ''])).toEqual([]);
      const matrix = parseNpy(npy.file);
      expect([matrix.rows, matrix.columns]).toEqual([IN_KEY_ORDER.length, DIMENSIONS]);
      const expected = IN_KEY_ORDER.flatMap((key) => [...vectorOf(key)]);
      expect(firstDifferences([...matrix.values], expected)).toEqual([]);
    }
  });

  it('round-trips export -> import -> export exactly, as CSV and as .npy', async () => {
    const first = await exported('sharded', 'lightly', 'csv');
    await importEmbeddings(context, 'sharded', { model: 'again', format: 'csv', bytes: first.file, source: 'first.csv' });
    expect(firstDifferences(lines((await exported('sharded', 'again', 'csv')).file), lines(first.file))).toEqual([]);

    const npy = await exported('sharded', 'lightly', 'npy');
    await importEmbeddings(context, 'sharded', { model: 'from-npy', format: 'npy', bytes: npy.file, filenames: npy.filenames, source: 'first.npy' });
    expect(firstDifferences(lines((await exported('sharded', 'from-npy', 'csv')).file), lines(first.file))).toEqual([]);
    expect((await exported('sharded', 'from-npy', 'npy')).file.equals(npy.file)).toBe(true);
  });
});
