import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SelectionReport } from '../src/api/schemas.js';
import { freshHome, runCli } from './support/cli.js';

const PHOTOS = resolve(import.meta.dirname, 'fixtures/photos');
const photos = readdirSync(PHOTOS)
  .filter((name) => name.endsWith('.jpg'))
  .sort();

describe('curation from the command line', () => {
  let folder: string;
  let work: string;
  const env = { WINNOW_HOME: freshHome(), WINNOW_EMBED_THREADS: '1' };
  const cli = (...args: string[]) => runCli(args, { env, timeoutMs: 120_000 });

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'winnow-curation-e2e-'));
    work = mkdtempSync(join(tmpdir(), 'winnow-curation-files-'));
    for (const name of photos) cpSync(join(PHOTOS, name), join(folder, name));
    expect((await cli('dataset', 'create', 'photos', '--input', folder)).code).toBe(0);
    expect((await cli('dataset', 'sync', 'photos')).code).toBe(0);
    expect((await cli('embed', 'photos')).code).toBe(0);
  }, 300_000);
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('selects diverse samples into a tag, with the same picks for the same seed in another process', async () => {
    const selected = await cli('select', 'photos', '--strategy', 'diversity', '--n', '4', '--seed', '3', '--tag', 'to-label', '--json');
    expect(selected.code).toBe(0);
    const report = selected.json<SelectionReport>();
    expect(report).toMatchObject({
      dataset: 'photos',
      tag: 'to-label',
      pool: photos.length,
      preselected: 0,
      tagSize: 4,
      model: 'default',
      vectors: 'full',
      seed: 3,
      stoppedBecause: 'count',
    });
    expect(report.keys).toHaveLength(4);
    expect(report.picks.map((pick) => pick.key)).toEqual(report.keys);
    expect(report.picks.slice(1).every((pick) => (pick.distanceToSelected ?? 0) > 0)).toBe(true);

    const preview = (await cli('select', 'photos', '--strategy', 'diversity', '--n', '4', '--seed', '3', '--dry-run', '--json')).json<SelectionReport>();
    expect(preview.keys).toEqual(report.keys);
    const human = await cli('select', 'photos', '--strategy', 'diversity', '--n', '2', '--seed', '3', '--tag', 'to-label');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/to-label/);
    const shown = await cli('tags', 'show', 'photos', 'to-label', '--json');
    expect(shown.json<{ keys: string[] }>().keys.slice(0, 4)).toEqual(report.keys);
    expect(shown.json<{ keys: string[] }>().keys).toHaveLength(6);
  });

  it('exports a tag as a key list that indexes exactly those samples as another dataset', async () => {
    const listFile = join(work, 'to-label.txt');
    expect((await cli('tags', 'export', 'photos', 'to-label', '--out', listFile)).code).toBe(0);
    const keys = readFileSync(listFile, 'utf8').trim().split('\n');
    expect(keys).toHaveLength(6);
    expect((await cli('dataset', 'create', 'labelling', '--input', folder, '--relevant-filenames', listFile)).code).toBe(0);
    expect((await cli('dataset', 'sync', 'labelling')).code).toBe(0);
    const samples = (await cli('samples', 'list', 'labelling', '--json')).json<Array<{ key: string }>>();
    expect(samples.map((sample) => sample.key).sort()).toEqual([...keys].sort());
  });

  it('refuses to overwrite a tag unless asked, and names unknown keys by line', async () => {
    const keysFile = join(work, 'keys.txt');
    writeFileSync(keysFile, 'chelsea.jpg\n# the cat\ncoffee.jpg\n');
    expect((await cli('tags', 'create', 'photos', 'mine', '--keys-file', keysFile)).code).toBe(0);
    const again = await cli('tags', 'create', 'photos', 'mine', '--keys-file', keysFile);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('already has a tag named "mine"');
    expect((await cli('tags', 'create', 'photos', 'mine', '--keys-file', keysFile, '--replace')).code).toBe(0);

    writeFileSync(keysFile, 'chelsea.jpg\n\nnot-there.jpg\n');
    const unknown = await cli('tags', 'create', 'photos', 'typo', '--keys-file', keysFile);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('line 3');
    expect(unknown.stderr).toContain('not-there.jpg');
    const listed = (await cli('tags', 'list', 'photos', '--json')).json<{ tags: Array<{ name: string }> } | Array<{ name: string }>>();
    expect(JSON.stringify(listed)).not.toContain('typo');
  });

  it('explains a bad strategy or threshold and what to use instead', async () => {
    const strategy = await cli('select', 'photos', '--strategy', 'diversty', '--n', '2');
    expect(strategy.code).toBe(2);
    expect(strategy.stderr).toContain('diversity');
    const threshold = await cli('select', 'photos', '--strategy', 'random', '--n', '2', '--threshold', 'quality>>1');
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toContain('quality>>1');
    const field = await cli('select', 'photos', '--strategy', 'balance', '--balance-field', 'label', '--n', '2');
    expect(field.code).toBe(2);
    expect(field.stderr).toContain('metadata import');
  });

  it('lists the nearest samples to one, and imports metadata that a threshold then uses', async () => {
    const similar = await cli('similar', 'photos', 'chelsea.jpg', '--k', '3', '--json');
    expect(similar.code).toBe(0);
    const neighbours = similar.json<Array<{ key: string; distance: number }>>();
    expect(neighbours).toHaveLength(3);
    expect(neighbours.map((entry) => entry.key)).not.toContain('chelsea.jpg');
    expect(neighbours[0]!.distance).toBeLessThanOrEqual(neighbours[2]!.distance);

    const csvFile = join(work, 'sharpness.csv');
    writeFileSync(csvFile, ['filename,sharpness', ...photos.map((name, i) => `${name},${i / 10}`)].join('\n'));
    expect((await cli('metadata', 'import', 'photos', csvFile)).code).toBe(0);
    const sharp = (
      await cli('select', 'photos', '--strategy', 'random', '--n', '20', '--threshold', 'sharpness>=0.5', '--dry-run', '--json')
    ).json<SelectionReport>();
    expect([...sharp.keys].sort()).toEqual(photos.slice(5));
  });
});
