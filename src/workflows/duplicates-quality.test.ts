import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/context.js';
import { NEAR_DUPLICATE_TRANSFORMS } from '../../test/support/near-duplicates.js';
import { listVectorsAfter } from '../catalog/embedding.repository.js';
import type { Context } from '../context.js';
import { createDataset } from './create-dataset.js';
import { embedDataset } from './embed-dataset.js';
import { findRegisteredModel, modelVersion } from './embedding-models.js';
import { DEFAULT_NEAR_DUPLICATE_THRESHOLD, findDuplicates } from './find-duplicates.js';
import { selectDatasetSamples } from './select-samples.js';
import { syncDataset } from './sync-dataset.js';

const PHOTOS = resolve(import.meta.dirname, '../../test/fixtures/photos');
const photos = readdirSync(PHOTOS)
  .filter((name) => name.endsWith('.jpg'))
  .sort();

/**
 * The pool: every fixture photo whole (`<photo>/source.jpg`) with its five near-duplicates
 * (`<photo>/<variant>`), and its four quarter tiles (`<photo>-tile<n>/source.jpg`): distinct
 * images of one scene, which look alike to the model. A sample's family is its folder.
 */
async function makePool(folder: string): Promise<void> {
  for (const name of photos) {
    const bytes = readFileSync(join(PHOTOS, name));
    const base = name.replace(/\.jpg$/, '');
    mkdirSync(join(folder, base));
    writeFileSync(join(folder, base, 'source.jpg'), bytes);
    for (const { file, make } of NEAR_DUPLICATE_TRANSFORMS) writeFileSync(join(folder, base, file), await make(bytes));
    const { width, height } = await sharp(bytes).metadata();
    const [w, h] = [width >> 1, height >> 1];
    for (const [index, [left, top]] of [
      [0, 0],
      [w, 0],
      [0, h],
      [w, h],
    ].entries() as Iterable<[number, [number, number]]>) {
      mkdirSync(join(folder, `${base}-tile${index}`));
      writeFileSync(
        join(folder, `${base}-tile${index}`, 'source.jpg'),
        await sharp(bytes).extract({ left, top, width: w, height: h }).jpeg({ quality: 90 }).toBuffer(),
      );
    }
  }
}

const familyOf = (key: string) => key.split('/')[0]!;
/** A whole photo and a tile cut from it are neither a made pair nor distinct images: such pairs are left out of precision. */
const related = (a: string, b: string) => familyOf(a) !== familyOf(b) && familyOf(a).replace(/-tile\d$/, '') === familyOf(b).replace(/-tile\d$/, '');

describe('near-duplicates and diversity on real photos (default model)', () => {
  let context: Context & { drop(): Promise<void> };
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'winnow-duplicates-quality-'));
    await makePool(folder);
    context = await createTestContext('sqlite', { WINNOW_EMBED_THREADS: '2' });
    await createDataset(context, { name: 'photos', input: { uri: folder } });
    await syncDataset(context, 'photos');
    await embedDataset(context, 'photos');
  }, 600_000);
  afterAll(async () => {
    await context?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('finds at least 95% of the made pairs at at least 95% precision with the default threshold', async () => {
    const report = await findDuplicates(context, 'photos');
    expect(report.threshold).toBe(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
    // Every pair was confirmed by descriptors kept by `embed`, none by the embedding alone.
    expect(report.pairsWithoutDescriptor).toBe(0);
    expect(report.embedded).toBe(photos.length * (1 + NEAR_DUPLICATE_TRANSFORMS.length + 4));
    const groupOf = new Map(report.groups.flatMap((group, index) => group.keys.map((key) => [key, index] as const)));
    const made = photos.flatMap((name) =>
      NEAR_DUPLICATE_TRANSFORMS.map(({ file }) => [`${name.replace(/\.jpg$/, '')}/source.jpg`, `${name.replace(/\.jpg$/, '')}/${file}`]),
    );
    const found = made.filter(([a, b]) => groupOf.has(a!) && groupOf.get(a!) === groupOf.get(b!));
    // Every pair a group implies, judged: right when both come from one photo.
    let right = 0;
    const wrong: string[] = [];
    for (const group of report.groups)
      for (let i = 0; i < group.keys.length; i++)
        for (let j = i + 1; j < group.keys.length; j++) {
          const [a, b] = [group.keys[i]!, group.keys[j]!];
          if (familyOf(a) === familyOf(b)) right++;
          else if (!related(a, b)) wrong.push(`${a} ~ ${b}`);
        }
    const recall = found.length / made.length;
    const precision = right / (right + wrong.length);
    console.log(
      `duplicates on ${report.samples} real images (${photos.length} photos, 5 near-duplicates and 4 tiles each): recall ${(100 * recall).toFixed(1)}% of ${made.length} made pairs, precision ${(100 * precision).toFixed(1)}% of ${right + wrong.length} implied pairs; wrong: ${wrong.join('; ') || 'none'}`,
    );
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(precision).toBeGreaterThanOrEqual(0.95);
  }, 300_000);

  it('covers the pool with 16 diverse picks in a clearly smaller radius than 16 random picks, never two of one near-duplicate family', async () => {
    const model = await findRegisteredModel(context, undefined);
    const dataset = (await context.database.db.selectFrom('datasets').select('id').where('name', '=', 'photos').executeTakeFirstOrThrow()).id;
    const vectors = new Map((await listVectorsAfter(context.database.db, dataset, modelVersion(model), 0, 100_000)).map((row) => [row.key, row.vector]));
    const radius = (picks: readonly string[]) => {
      let largest = 0;
      for (const vector of vectors.values()) {
        let nearest = Infinity;
        for (const pick of picks) {
          const other = vectors.get(pick)!;
          let dot = 0;
          for (let j = 0; j < vector.length; j++) dot += vector[j]! * other[j]!;
          nearest = Math.min(nearest, 1 - dot);
        }
        largest = Math.max(largest, nearest);
      }
      return largest;
    };
    const diverse = await selectDatasetSamples(context, 'photos', { strategies: [{ name: 'diversity' }], count: 16, seed: 1 });
    const families = diverse.keys.map(familyOf);
    expect(new Set(families).size).toBe(16);
    const randomRadii: number[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = await selectDatasetSamples(context, 'photos', { strategies: [{ name: 'random' }], count: 16, seed });
      randomRadii.push(radius(random.keys));
    }
    const randomRadius = randomRadii.reduce((sum, value) => sum + value, 0) / randomRadii.length;
    const ratio = radius(diverse.keys) / randomRadius;
    console.log(
      `coverage radius of 16 picks among ${vectors.size} real images: diverse ${radius(diverse.keys).toFixed(4)}, random ${randomRadius.toFixed(4)} (mean of 5 seeds: ${randomRadii.map((value) => value.toFixed(4)).join(', ')}); ratio ${ratio.toFixed(2)}`,
    );
    expect(ratio).toBeLessThan(0.8);
  }, 300_000);
});
