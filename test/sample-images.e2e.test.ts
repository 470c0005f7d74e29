import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DuplicatesReport } from '../src/workflows/find-duplicates.js';
import { freshHome, runCli } from './support/cli.js';

/** The dataset `npm start` indexes: its licence record and the duplicates its first run shows. */
const SAMPLES = resolve(import.meta.dirname, '../examples/sample-images');
const sources = readFileSync(join(SAMPLES, 'SOURCES.txt'), 'utf8');

function imagesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((path) => /\.(jpe?g|png)$/i.test(path) && !path.startsWith('.winnow'))
    .map((path) => relative(folder, join(folder, path)))
    .sort();
}
const images = imagesUnder(SAMPLES);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const copies = images.filter((key) => key.startsWith('copies/'));

/** Each copy in copies/ and the photo it was made from (SOURCES.txt says how). */
const ORIGINAL_OF: Record<string, string> = {
  'copies/chelsea-small.jpg': 'animals/chelsea-the-cat.jpg',
  'copies/coffee-small.jpg': 'coffee.jpg',
  'copies/giraffe-cropped.jpg': 'animals/giraffe.jpg',
  'copies/grace-hopper.png': 'people/grace-hopper.jpg',
  'copies/koala-brighter.jpg': 'animals/koala.jpg',
  'copies/moose-recompressed.jpg': 'animals/moose.jpg',
  'copies/seeding-small.jpg': 'nature/seeding-dandelions.jpg',
};

describe('the bundled sample images', () => {
  it('records the source of every image, counts them right and keeps each file small', () => {
    for (const key of images) expect(sources, `${key} is not in SOURCES.txt`).toMatch(new RegExp(`(^|[\\s,])${escapeRegExp(key)}[\\s:,]`, 'm'));
    expect(sources).toContain(`${images.length} files, ${images.length - copies.length} distinct photos and ${copies.length} near-duplicates`);
    expect(copies.sort()).toEqual(Object.keys(ORIGINAL_OF).sort());
    for (const key of images) expect(statSync(join(SAMPLES, key)).size, key).toBeLessThan(200 * 1024);
  });

  describe('on a first run, as `npm start` makes it', () => {
    const folder = mkdtempSync(join(tmpdir(), 'winnow-samples-'));
    const env = { WINNOW_HOME: freshHome(), WINNOW_EMBED_THREADS: '1' };
    const cli = (...args: string[]) => runCli(args, { env, timeoutMs: 300_000 });
    afterAll(() => {
      rmSync(folder, { recursive: true, force: true });
      rmSync(env.WINNOW_HOME, { recursive: true, force: true });
    });

    it('groups each near-duplicate with the photo it was made from, keeps the original, and nothing else', async () => {
      cpSync(SAMPLES, folder, { recursive: true, filter: (path) => !path.includes('.winnow') });
      for (const args of [
        ['dataset', 'create', 'sample-images', '--input', folder],
        ['dataset', 'sync', 'sample-images'],
        ['thumbnails', 'sample-images'],
        ['embed', 'sample-images'],
      ]) {
        const result = await cli(...args);
        expect(result.code, result.stderr).toBe(0);
      }
      const found = await cli('duplicates', 'sample-images', '--json');
      expect(found.code, found.stderr).toBe(0);
      const report = found.json<DuplicatesReport>();
      expect(report).toMatchObject({ samples: images.length, embedded: images.length, threshold: 0.2, duplicates: copies.length });
      const groups = report.groups.map((group) => ({ keep: group.keep, keys: [...group.keys].sort() }));
      expect(groups).toEqual(
        expect.arrayContaining(Object.entries(ORIGINAL_OF).map(([copy, original]) => ({ keep: original, keys: [copy, original].sort() }))),
      );
      expect(groups).toHaveLength(copies.length);
    }, 600_000);
  });
});
