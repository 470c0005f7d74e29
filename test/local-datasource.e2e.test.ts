import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/databases.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures/images');

interface SyncSummary {
  added: number;
  updated: number;
  removed: number;
  failed: number;
  total: number;
}
interface SampleJson {
  key: string;
  size: number;
  width: number | null;
  height: number | null;
  format: string | null;
  status: string;
  error: string | null;
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
  const root = mkdtempSync(join(tmpdir(), 'winnow-local-'));
  mkdirSync(join(root, 'cows/ünïcode dir'), { recursive: true });
  cpSync(join(FIXTURES, 'cat.jpg'), join(root, 'cows/cat.jpg'));
  cpSync(join(FIXTURES, 'coffee.png'), join(root, 'cows/ünïcode dir/coffee #1 + 50%.PNG'));
  cpSync(join(FIXTURES, 'corrupt.jpg'), join(root, 'corrupt.jpg'));
  cpSync(join(FIXTURES, 'png-named.jpg'), join(root, 'png-named.jpg'));
  writeFileSync(join(root, 'empty.jpg'), '');
  writeFileSync(join(root, 'notes.txt'), 'not an image');
  mkdirSync(join(root, '.winnow/thumbnails'), { recursive: true });
  cpSync(join(FIXTURES, 'cat.jpg'), join(root, '.winnow/thumbnails/cat.jpg_thumb.jpg'));
  const outside = mkdtempSync(join(tmpdir(), 'winnow-outside-'));
  cpSync(join(FIXTURES, 'cat.jpg'), join(outside, 'secret.jpg'));
  symlinkSync(join(outside, 'secret.jpg'), join(root, 'escape.jpg'));
  return root;
}

describe.each(DIALECTS)('local folder dataset end to end (%s catalog)', (dialect) => {
  let catalog: TestDatabase;
  let folder: string;
  const cli = (...args: string[]) => runCli(args, { env: catalog.env });

  beforeAll(async () => {
    catalog = await createTestDatabase(dialect);
    folder = makeFolder();
  });
  afterAll(async () => {
    await catalog?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('starts with an empty catalog', async () => {
    const list = await cli('dataset', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('No datasets yet');
  });

  it('creates, verifies and syncs a folder, recording bad files and going on', async () => {
    const created = await cli('dataset', 'create', 'photos', '--input', folder);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created dataset "photos"');

    const verify = await cli('datasource', 'verify', 'photos', '--json');
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const checks = verify.json<{ checks: Record<string, { ok: boolean }> }>().checks;
    expect(Object.fromEntries(Object.entries(checks).map(([light, check]) => [light, check.ok]))).toEqual({
      list: true,
      read: true,
      write: true,
      overwrite: true,
      delete: true,
    });
    expect(readdirSync(join(folder, '.winnow/probes'))).toEqual([]);

    const sync = await cli('dataset', 'sync', 'photos', '--json');
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.json<SyncSummary>()).toMatchObject({ added: 5, updated: 0, removed: 0, failed: 2, total: 5 });

    const samples = (await cli('samples', 'list', 'photos', '--json')).json<SampleJson[]>();
    const byKey = Object.fromEntries(samples.map((sample) => [sample.key, sample]));
    expect(Object.keys(byKey)).toEqual(['corrupt.jpg', 'cows/cat.jpg', 'cows/ünïcode dir/coffee #1 + 50%.PNG', 'empty.jpg', 'png-named.jpg']);
    expect(byKey['cows/cat.jpg']).toMatchObject({ width: 96, height: 64, format: 'jpeg', status: 'ok' });
    expect(byKey['cows/ünïcode dir/coffee #1 + 50%.PNG']).toMatchObject({ width: 80, height: 53, format: 'png' });
    expect(byKey['png-named.jpg']).toMatchObject({ format: 'png', status: 'ok' });
    expect(byKey['empty.jpg']).toMatchObject({ status: 'error', error: 'The file is empty (0 bytes).' });
    expect(byKey['corrupt.jpg']?.status).toBe('error');
    expect(byKey['corrupt.jpg']?.error).toMatch(/corrupt/i);
  });

  it('re-syncs incrementally: adds, updates, removes, and re-reads nothing unchanged', async () => {
    cpSync(join(FIXTURES, 'cat.webp'), join(folder, 'cows/new.webp'));
    cpSync(join(FIXTURES, 'coffee.png'), join(folder, 'cows/cat.jpg'));
    utimesSync(join(folder, 'cows/cat.jpg'), new Date('2030-01-01'), new Date('2030-01-01'));
    rmSync(join(folder, 'png-named.jpg'));

    const sync = (await cli('dataset', 'sync', 'photos', '--json')).json<SyncSummary>();
    expect(sync).toMatchObject({ added: 1, updated: 1, removed: 1, failed: 0, total: 5 });
    const samples = (await cli('samples', 'list', 'photos', '--json', '--limit', '2', '--after', 'corrupt.jpg')).json<SampleJson[]>();
    expect(samples.map((sample) => [sample.key, sample.format])).toEqual([
      ['cows/cat.jpg', 'png'],
      ['cows/new.webp', 'webp'],
    ]);

    const again = (await cli('dataset', 'sync', 'photos', '--json')).json<SyncSummary>();
    expect(again).toMatchObject({ added: 0, updated: 0, removed: 0, failed: 0, total: 5 });
  });

  it('shows progress on a terminal and none when piped', async () => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(resolve(import.meta.dirname, '../bin/winnow.js'))} dataset sync photos`;
    const onTerminal = await runInPseudoTerminal(command, catalog.env);
    expect(onTerminal).toMatch(/listing {2}\d+ images \(\d+ new, \d+ changed\)/);
    expect(onTerminal).toMatch(/headers {2}█*░* \d+\/\d+/);
    const piped = await cli('dataset', 'sync', 'photos');
    expect(piped.stderr).not.toContain('listing');
    expect(piped.stdout).toContain('Synced "photos"');
  });

  it('lists, shows and deletes datasets without touching the folder', async () => {
    const list = (await cli('dataset', 'list', '--json')).json<Array<{ name: string; samples: number }>>();
    expect(list).toEqual([expect.objectContaining({ name: 'photos', samples: 5 })]);
    const show = await cli('dataset', 'show', 'photos');
    expect(show.stdout).toContain('samples: 5 (3 ok, 2 errors, 0 without dimensions, 1 removed)');
    const before = readdirSync(folder, { recursive: true }).sort();
    expect((await cli('dataset', 'delete', 'photos')).code).toBe(0);
    expect(readdirSync(folder, { recursive: true }).sort()).toEqual(before);
    const missing = await cli('dataset', 'show', 'photos');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('No dataset named "photos"');
  });
});
