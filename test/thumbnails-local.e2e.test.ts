import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures/images');
const BIN = resolve(import.meta.dirname, '../bin/winnow.js');

interface SampleJson {
  key: string;
  thumbnail: { key: string; width: number; height: number } | null;
  thumbnailError: string | null;
}

/** Runs a shell command under `script`, which gives it a pseudo-terminal as a user's shell would. */
async function runInPseudoTerminal(command: string, env: Record<string, string>): Promise<string> {
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH, TERM: 'xterm', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise((resolveExit) => child.on('close', resolveExit));
  expect(code, output).toBe(0);
  return output;
}

function makeFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'winnow-local-thumbs-'));
  mkdirSync(join(root, 'cows/ünïcode dir'), { recursive: true });
  cpSync(join(FIXTURES, 'chelsea-exif6.jpg'), join(root, 'cows/chelsea.jpg'));
  cpSync(join(FIXTURES, 'coffee.png'), join(root, 'cows/ünïcode dir/coffee #1 + 50%.PNG'));
  cpSync(join(FIXTURES, 'animated.gif'), join(root, 'animated.gif'));
  cpSync(join(FIXTURES, 'truncated.jpg'), join(root, 'truncated.jpg'));
  writeFileSync(join(root, 'empty.jpg'), '');
  return root;
}

describe.each(DIALECTS)('thumbnails of a local folder end to end (%s catalog)', (dialect) => {
  let catalog: TestDatabase;
  let folder: string;
  const cli = (...args: string[]) => runCli(args, { env: catalog.env });
  const samples = async () => new Map((await cli('samples', 'list', 'photos', '--json')).json<SampleJson[]>().map((sample) => [sample.key, sample]));

  beforeAll(async () => {
    catalog = await createTestDatabase(dialect);
    folder = makeFolder();
  });
  afterAll(async () => {
    await catalog?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('makes thumbnails during a sync of a dataset created with --thumbnails, with a bar on a terminal', async () => {
    const created = await cli('dataset', 'create', 'photos', '--input', folder, '--thumbnails');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('thumbnails: 400 px');
    const onTerminal = await runInPseudoTerminal(`${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} dataset sync photos`, catalog.env);
    expect(onTerminal).toMatch(/thumbnails {2}█*░* \d+\/5 \(2 failed/);
    expect(onTerminal).toMatch(
      /Thumbnails of "photos" \(400 px\) in .*\.winnow\/thumbnails\/: generated 3, skipped 0 \(already made\), failed 2, of 5 samples/,
    );

    const seen = await samples();
    expect(seen.get('cows/chelsea.jpg')?.thumbnail).toEqual({ key: '.winnow/thumbnails/cows/chelsea.jpg_thumb.jpg', width: 266, height: 400 });
    const unicode = seen.get('cows/ünïcode dir/coffee #1 + 50%.PNG')?.thumbnail;
    expect(unicode?.key).toBe('.winnow/thumbnails/cows/ünïcode dir/coffee #1 + 50%.PNG_thumb.jpg');
    expect(await sharp(readFileSync(join(folder, unicode!.key))).metadata()).toMatchObject({ format: 'jpeg', width: 80, height: 53 });
    expect(await sharp(readFileSync(join(folder, '.winnow/thumbnails/animated.gif_thumb.jpg'))).metadata()).toMatchObject({
      format: 'jpeg',
      width: 60,
      height: 40,
    });
    expect(seen.get('empty.jpg')).toMatchObject({ thumbnail: null, thumbnailError: 'The file is empty (0 bytes).' });
    expect(seen.get('truncated.jpg')?.thumbnailError).toMatch(/^Corrupt or truncated image/);
  });

  it('syncs quietly when piped and skips what is done', async () => {
    const piped = await cli('dataset', 'sync', 'photos', '--json');
    expect(piped.stderr).not.toContain('thumbnails');
    expect(piped.json()).toMatchObject({ thumbnails: { generated: 0, skipped: 5, failed: 0 } });
    const thumbnails = await cli('thumbnails', 'photos', '--json');
    expect(thumbnails.json()).toMatchObject({ total: 5, generated: 0, skipped: 5, failed: 0, size: 400 });
  });

  it('makes them again at another --size, and shows them in samples list and dataset show', async () => {
    const resized = await cli('thumbnails', 'photos', '--size', '64');
    expect(resized.code, resized.stderr).toBe(0);
    expect(resized.stdout).toContain('generated 3, skipped 0 (already made), failed 2, of 5 samples');
    expect((await samples()).get('cows/chelsea.jpg')?.thumbnail).toMatchObject({ width: 43, height: 64 });
    const table = await cli('samples', 'list', 'photos');
    expect(table.stdout).toMatch(/cows\/chelsea\.jpg\s+\S+ KiB\s+300x451\s+jpeg\s+43x64\s+ok/);
    expect(table.stdout).toMatch(/empty\.jpg .* failed /);
    const show = await cli('dataset', 'show', 'photos');
    expect(show.stdout).toContain('thumbnails: 400 px after every sync; 3 made, 2 unusable images, 0 missing');
  });

  it('writes only under .winnow/thumbnails/ and leaves the images alone', async () => {
    const files = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((path) => !path.startsWith('.winnow'));
    expect(files.sort()).toEqual(
      ['animated.gif', 'cows', 'cows/chelsea.jpg', 'cows/ünïcode dir', 'cows/ünïcode dir/coffee #1 + 50%.PNG', 'empty.jpg', 'truncated.jpg'].sort(),
    );
    expect(readFileSync(join(folder, 'cows/chelsea.jpg')).equals(readFileSync(join(FIXTURES, 'chelsea-exif6.jpg')))).toBe(true);
    const own = readdirSync(join(folder, '.winnow'), { recursive: true, encoding: 'utf8' });
    expect(own.every((path) => path.startsWith('thumbnails'))).toBe(true);
  });

  it('rejects a bad --size and an unknown dataset with the usual exit codes', async () => {
    const badSize = await cli('thumbnails', 'photos', '--size', 'huge');
    expect(badSize.code).toBe(2);
    expect(badSize.stderr).toContain('--size must be a whole number of pixels from 16 to 4096, got "huge"');
    expect((await cli('thumbnails', 'nope')).code).toBe(3);
    expect((await cli('dataset', 'create', 'odd', '--input', folder, '--thumbnail-size', '0')).code).toBe(2);
  });
});
