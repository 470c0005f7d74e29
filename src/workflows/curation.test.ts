import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/context.js';
import { DIALECTS } from '../../test/support/databases.js';
import type { Context } from '../context.js';
import { isAppError } from '../errors.js';
import { seededRandom } from '../selection/seeded-random.js';
import { createDataset } from './create-dataset.js';
import { importEmbeddings } from './embedding-vectors.js';
import { exportTag } from './export-tag.js';
import { describeMetadata, importLightlyLayout, importMetadata } from './sample-metadata.js';
import { selectDatasetSamples } from './select-samples.js';
import { syncDataset } from './sync-dataset.js';
import { findNeighbours } from './vector-index.js';
import { combineTags, createTagFromKeys, deleteTag, listTagViews, showTag, updateTagDetails } from './tags.js';

/** A 1x1 PNG: a sample needs a real image file, not its content, here. */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const CLUSTERS = ['cow', 'pig', 'sheep', 'goat'];
const PER_CLUSTER = 30;
const D = 16;

/** Keys `cow/000.png` ... and clustered unit vectors as Lightly's CSV (with each sample's cluster as its label). */
function makeDataset(): { folder: string; csv: string; keys: string[] } {
  const folder = mkdtempSync(join(tmpdir(), 'winnow-curation-'));
  const random = seededRandom(11);
  const rows: string[] = [`filenames,${Array.from({ length: D }, (_, i) => `embedding_${i}`).join(',')},labels`];
  const keys: string[] = [];
  CLUSTERS.forEach((cluster, c) => {
    mkdirSync(join(folder, cluster));
    for (let i = 0; i < PER_CLUSTER; i++) {
      const key = `${cluster}/${String(i).padStart(3, '0')}.png`;
      writeFileSync(join(folder, key), PIXEL);
      keys.push(key);
      const vector = Array.from({ length: D }, (_, j) => (j === c * 4 ? 1 : 0) + 0.15 * (random() - 0.5));
      const norm = Math.hypot(...vector);
      rows.push(`${key},${vector.map((value) => (value / norm).toFixed(6)).join(',')},${cluster}`);
    }
  });
  return { folder, csv: `${rows.join('\n')}\n`, keys };
}

describe.each(DIALECTS)('curation workflows (%s catalog)', (dialect) => {
  let context: Context & { drop(): Promise<void> };
  let dataset: ReturnType<typeof makeDataset>;

  beforeAll(async () => {
    context = await createTestContext(dialect);
    dataset = makeDataset();
    await createDataset(context, { name: 'farm', input: { uri: dataset.folder } });
    await syncDataset(context, 'farm');
    const imported = await importEmbeddings(context, 'farm', { bytes: Buffer.from(dataset.csv), format: 'csv', source: 'vectors.csv', model: 'clusters' });
    expect(imported).toMatchObject({ imported: CLUSTERS.length * PER_CLUSTER, labels: CLUSTERS.length * PER_CLUSTER });
  });
  afterAll(async () => {
    await context?.drop();
    rmSync(dataset.folder, { recursive: true, force: true });
  });

  const clusterOf = (key: string) => key.split('/')[0];

  it('picks one sample of every cluster first with diversity, then goes on incrementally into the same tag', async () => {
    const first = await selectDatasetSamples(context, 'farm', { strategies: [{ name: 'diversity' }], count: 4, tag: 'to-label', model: 'clusters', seed: 3 });
    expect(new Set(first.keys.map(clusterOf))).toEqual(new Set(CLUSTERS));
    expect(first).toMatchObject({ tag: 'to-label', tagSize: 4, preselected: 0, pool: CLUSTERS.length * PER_CLUSTER, stoppedBecause: 'count' });
    const again = await selectDatasetSamples(context, 'farm', { strategies: [{ name: 'diversity' }], count: 4, tag: 'to-label', model: 'clusters', seed: 3 });
    expect(again.preselected).toBe(4);
    expect(again.keys.filter((key) => first.keys.includes(key))).toEqual([]);
    expect((await showTag(context, 'farm', 'to-label')).keys).toEqual([...first.keys, ...again.keys]);
    // The same request on a fresh tag picks the same samples (deterministic for a seed).
    const repeat = await selectDatasetSamples(context, 'farm', { strategies: [{ name: 'diversity' }], count: 4, model: 'clusters', seed: 3, dryRun: true });
    expect(repeat.keys).toEqual(first.keys);
    expect(repeat.tagSize).toBeNull();
  });

  it('measures diversity by direction only: imported vectors of any length pick as their unit vectors do', async () => {
    const lines = dataset.csv.trim().split('\n');
    const stretched = [
      lines[0]!.replace(',labels', ''),
      ...lines.slice(1).map((line, index) => {
        const [key, ...values] = line.split(',');
        return [key, ...values.slice(0, D).map((value) => String(Number(value) * (1 + (index % 7) * 3)))].join(',');
      }),
    ].join('\n');
    await importEmbeddings(context, 'farm', { bytes: Buffer.from(stretched), format: 'csv', source: 'stretched.csv', model: 'stretched' });
    const unit = await selectDatasetSamples(context, 'farm', { strategies: [{ name: 'diversity' }], count: 12, model: 'clusters', seed: 5, dryRun: true });
    const scaled = await selectDatasetSamples(context, 'farm', { strategies: [{ name: 'diversity' }], count: 12, model: 'stretched', seed: 5, dryRun: true });
    expect(scaled.keys).toEqual(unit.keys);
    const near = async (model: string) => (await findNeighbours(context, 'farm', 'pig/003.png', { model, k: 8 })).neighbours.map((neighbour) => neighbour.key);
    expect(await near('stretched')).toEqual(await near('clusters'));
  });

  it('balances on a label towards the target shares, and filters by a threshold', async () => {
    const balanced = await selectDatasetSamples(context, 'farm', {
      strategies: [{ name: 'balance', field: 'label', target: { cow: 0.5, pig: 0.5 } }],
      count: 10,
      dryRun: true,
      seed: 1,
    });
    const counts = Object.fromEntries(CLUSTERS.map((cluster) => [cluster, balanced.keys.filter((key) => clusterOf(key) === cluster).length]));
    expect(counts).toEqual({ cow: 5, pig: 5, sheep: 0, goat: 0 });

    const quality = ['filenames,quality', ...dataset.keys.map((key, index) => `${key},${index % 10}`)].join('\n');
    await importMetadata(context, 'farm', { text: quality, format: 'csv', source: 'quality.csv' });
    const good = await selectDatasetSamples(context, 'farm', {
      strategies: [{ name: 'weights', field: 'quality' }],
      thresholds: [{ field: 'quality', operator: '>=', value: 8 }],
      count: 5,
      dryRun: true,
      seed: 1,
    });
    expect(good.pool).toBe(dataset.keys.length / 5);
    expect(good.picks.every((pick) => pick.contributions['weights:quality'] === 1)).toBe(true);
  });

  it('finds more like a query tag with similarity, and scores typicality', async () => {
    await createTagFromKeys(context, 'farm', { name: 'query', keysText: 'goat/000.png\n', source: 'query.txt', mode: 'replace' });
    const similar = await selectDatasetSamples(context, 'farm', {
      strategies: [{ name: 'similarity', queryTag: 'query' }],
      count: 10,
      model: 'clusters',
      dryRun: true,
    });
    expect(similar.keys.every((key) => clusterOf(key) === 'goat')).toBe(true);
    const typical = await selectDatasetSamples(context, 'farm', {
      strategies: [{ name: 'typicality' }, { name: 'diversity', strength: 0.5 }],
      count: 8,
      model: 'clusters',
      dryRun: true,
    });
    expect(typical.picks[0]!.contributions).toHaveProperty('typicality');
    expect(new Set(typical.keys).size).toBe(8);
  });

  it('refuses a request that cannot run, naming every problem', async () => {
    const error = await selectDatasetSamples(context, 'farm', { strategies: [{ name: 'balance' }, { name: 'similarity' }], minDistance: 0.1 }).catch(
      (caught: unknown) => caught,
    );
    expect(isAppError(error, 'InputInvalid')).toBe(true);
    expect((error as Error).message).toContain('either a count (--n) or a proportion');
    expect((error as Error).message).toContain('balance needs a field');
    expect((error as Error).message).toContain('similarity needs a query');
    expect((error as Error).message).toContain('--min-distance applies to the diversity strategy');
  });

  it('makes tags from key lists, naming unknown keys by line and storing nothing, and combines them', async () => {
    const bad = await createTagFromKeys(context, 'farm', {
      name: 'typo',
      keysText: 'cow/000.png\n# a comment\ncow/999.png\n',
      source: 'keys.txt',
      mode: 'replace',
    }).catch((caught: unknown) => caught);
    expect((bad as Error).message).toContain('line 3: "cow/999.png"');
    expect((await listTagViews(context, 'farm')).map((tag) => tag.name)).not.toContain('typo');

    await createTagFromKeys(context, 'farm', { name: 'a', keysText: 'cow/000.png\ncow/001.png\npig/000.png\n', source: 'a.txt', mode: 'replace' });
    await createTagFromKeys(context, 'farm', { name: 'b', keysText: 'pig/000.png\ncow/001.png\nsheep/000.png\n', source: 'b.txt', mode: 'replace' });
    const taken = await createTagFromKeys(context, 'farm', { name: 'b', keysText: 'goat/000.png\n', source: 'b2.txt', mode: 'create' }).catch(
      (caught: unknown) => caught,
    );
    expect(isAppError(taken, 'TagExists')).toBe(true);
    expect((await createTagFromKeys(context, 'farm', { name: 'b', keysText: 'goat/000.png\n', source: 'b2.txt', mode: 'append' })).size).toBe(4);
    expect(
      (await createTagFromKeys(context, 'farm', { name: 'b', keysText: 'pig/000.png\ncow/001.png\nsheep/000.png\n', source: 'b.txt', mode: 'replace' })).size,
    ).toBe(3);
    expect((await showTag(context, 'farm', (await combineTags(context, 'farm', { name: 'a-or-b', operation: 'union', of: ['a', 'b'] })).name)).keys).toEqual([
      'cow/000.png',
      'cow/001.png',
      'pig/000.png',
      'sheep/000.png',
    ]);
    expect(
      (await showTag(context, 'farm', (await combineTags(context, 'farm', { name: 'a-and-b', operation: 'intersection', of: ['a', 'b'] })).name)).keys,
    ).toEqual(['cow/001.png', 'pig/000.png']);
    expect(
      (await showTag(context, 'farm', (await combineTags(context, 'farm', { name: 'a-not-b', operation: 'difference', of: ['a', 'b'] })).name)).keys,
    ).toEqual(['cow/000.png']);

    await updateTagDetails(context, 'farm', 'a-not-b', { name: 'only-a', description: 'in a, not in b' });
    expect((await listTagViews(context, 'farm')).find((tag) => tag.name === 'only-a')).toMatchObject({ size: 1, description: 'in a, not in b' });
    await deleteTag(context, 'farm', 'only-a');
    const gone = await showTag(context, 'farm', 'only-a').catch((caught: unknown) => caught);
    expect(isAppError(gone, 'TagNotFound')).toBe(true);
  });

  it('exports a tag as txt, json and csv, and writes it under <output>/.winnow/exports/', async () => {
    expect((await exportTag(context, 'farm', 'a', { format: 'txt', urls: false, toOutput: false })).text).toBe('cow/000.png\ncow/001.png\npig/000.png\n');
    const json = JSON.parse((await exportTag(context, 'farm', 'a', { format: 'json', urls: true, toOutput: false })).text!) as {
      count: number;
      samples: Array<{ key: string; width: number; url: string }>;
    };
    expect(json.count).toBe(3);
    expect(json.samples[0]).toMatchObject({ key: 'cow/000.png', width: 1, url: '/api/datasets/farm/files/cow/000.png' });
    expect((await exportTag(context, 'farm', 'a', { format: 'csv', urls: false, toOutput: false })).text!.split('\n')[0]).toBe('key,size,width,height');
    const written = await exportTag(context, 'farm', 'a', { format: 'txt', urls: false, toOutput: true });
    expect(written.location).toBe(`${dataset.folder}/.winnow/exports/a.txt`);
    expect(readFileSync(join(dataset.folder, '.winnow/exports/a.txt'), 'utf8')).toBe('cow/000.png\ncow/001.png\npig/000.png\n');
  });

  it('imports metadata all or nothing, with each problem on its line', async () => {
    const csv = ['filenames,weather,count', 'cow/000.png,sunny,1', 'cow/001.png,rain', 'nope.png,fog,2', 'cow/000.png,snow,3'].join('\n');
    const error = await importMetadata(context, 'farm', { text: csv, format: 'csv', source: 'weather.csv' }).catch((caught: unknown) => caught);
    expect(isAppError(error, 'MetadataInvalid')).toBe(true);
    expect((error as Error).message).toContain('line 3: 2 fields, but the header has 3');
    expect((error as Error).message).toContain('line 5: "cow/000.png" is also on line 2');
    expect((await describeMetadata(context, 'farm')).map((field) => field.field)).not.toContain('weather');
    const json = '{\n  "cow/000.png": { "weather": { "sky": "clear", "temperature": 21.5 } },\n  "cow/999.png": { "weather": "x" }\n}';
    const unknown = await importMetadata(context, 'farm', { text: json, format: 'json', source: 'weather.json' }).catch((caught: unknown) => caught);
    expect((unknown as Error).message).toContain('line 3: "cow/999.png" is not a sample');
    const report = await importMetadata(context, 'farm', {
      text: json.replace(',\n  "cow/999.png": { "weather": "x" }', ''),
      format: 'json',
      source: 'weather.json',
    });
    expect(report.fields).toEqual(
      expect.arrayContaining([
        { field: 'weather.sky', numbers: 0, texts: 1 },
        { field: 'weather.temperature', numbers: 1, texts: 0 },
      ]),
    );
  });

  it("reads Lightly's .lightly/ layout as metadata and labels, writing nothing", async () => {
    const lightly = join(dataset.folder, '.lightly');
    mkdirSync(join(lightly, 'metadata/cow'), { recursive: true });
    mkdirSync(join(lightly, 'predictions/animals/cow'), { recursive: true });
    writeFileSync(
      join(lightly, 'metadata/schema.json'),
      JSON.stringify([
        { name: 'Temperature', path: 'weather.temperature', defaultValue: 0, valueDataType: 'NUMERIC_FLOAT' },
        { name: 'Scene', path: 'scene', defaultValue: '', valueDataType: 'CATEGORICAL_STRING' },
      ]),
    );
    writeFileSync(
      join(lightly, 'metadata/cow/002.json'),
      JSON.stringify({ file_name: 'cow/002.png', type: 'image', metadata: { scene: 'barn', weather: { temperature: 12 } } }),
    );
    writeFileSync(join(lightly, 'predictions/tasks.json'), JSON.stringify(['animals']));
    writeFileSync(
      join(lightly, 'predictions/animals/schema.json'),
      JSON.stringify({
        task_type: 'classification',
        categories: [
          { id: 0, name: 'cow' },
          { id: 1, name: 'horse' },
        ],
      }),
    );
    writeFileSync(
      join(lightly, 'predictions/animals/cow/002.json'),
      JSON.stringify({
        file_name: 'cow/002.png',
        predictions: [
          { category_id: 1, score: 0.3 },
          { category_id: 0, score: 0.7 },
        ],
      }),
    );
    const report = await importLightlyLayout(context, 'farm');
    expect(report.samples).toBe(1);
    expect(report.fields).toEqual(
      expect.arrayContaining([
        { field: 'scene', numbers: 0, texts: 1 },
        { field: 'weather.temperature', numbers: 2, texts: 0 },
        { field: 'animals', numbers: 0, texts: 1 },
        { field: 'animals.count', numbers: 1, texts: 0 },
      ]),
    );
    expect(existsSync(join(lightly, 'metadata/schema.json'))).toBe(true);
  });
});
