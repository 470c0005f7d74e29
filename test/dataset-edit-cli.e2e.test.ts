import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshHome, runCli } from './support/cli.js';

describe('winnow dataset edit', () => {
  let folder: string;
  const home = freshHome();
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env: { WINNOW_HOME: home, ...env } });

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'winnow-edit-cli-'));
    mkdirSync(join(folder, 'cows'));
    const created = await cli(
      ['dataset', 'create', 'farm', '--input', 's3://datalake/projects/farm-animals/', '--region', 'eu-west-1', '--access-key-id', 'AKIAOLDKEY'],
      { WINNOW_SECRET_ACCESS_KEY: 'the-old-secret' },
    );
    expect(created.code, created.stderr).toBe(0);
  });
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('changes only what the flags name, keeps the stored secret and never prints it', async () => {
    const edited = await cli(['dataset', 'edit', 'farm', '--include', 'cows/**', '--thumbnail-size', '128', '--region', 'eu-central-1']);
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stdout).toContain('Changed dataset "farm"');
    expect(edited.stdout).toContain('include: cows/**');
    expect(edited.stdout).toContain('thumbnails: 128 px after every sync');
    const shown = await cli(['dataset', 'show', 'farm', '--json']);
    expect(shown.json()).toMatchObject({
      include: ['cows/**'],
      thumbnailSize: 128,
      input: { region: 'eu-central-1', accessKeyId: 'AKIAOLDKEY', hasSecret: true },
    });
    expect(shown.stdout + edited.stdout).not.toContain('the-old-secret');
  });

  it('replaces the keys, asking for the secret of a new key id', async () => {
    const without = await cli(['dataset', 'edit', 'farm', '--access-key-id', 'AKIANEWKEY']);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('"AKIANEWKEY" was given without its secret');
    const withSecret = await runCli(['dataset', 'edit', 'farm', '--access-key-id', 'AKIANEWKEY', '--secret-access-key-stdin', '--json'], {
      env: { WINNOW_HOME: home },
      stdin: 'the-new-secret\n',
    });
    expect(withSecret.code, withSecret.stderr).toBe(0);
    expect(withSecret.json()).toMatchObject({ input: { accessKeyId: 'AKIANEWKEY', hasSecret: true }, output: { accessKeyId: 'AKIANEWKEY' } });
    expect(withSecret.stdout).not.toContain('the-new-secret');
  });

  it('refuses to move the input location, saying what to do instead', async () => {
    const moved = await cli(['dataset', 'edit', 'farm', '--input', 's3://datalake/projects/other/']);
    expect(moved.code).toBe(2);
    expect(moved.stderr).toContain('The input location of a dataset cannot change (it is s3://datalake/projects/farm-animals/).');
    expect(moved.stderr).toContain('create a new dataset');
  });

  it('renames, moves the output, drops the filters and a relevant-filenames list, and turns thumbnails off', async () => {
    const list = join(folder, 'relevant.txt');
    writeFileSync(list, 'cows/a.jpg\n');
    const listed = await cli(['dataset', 'edit', 'farm', '--relevant-filenames', list, '--json']);
    expect(listed.json()).toMatchObject({ hasRelevantFilenames: true });
    const edited = await cli([
      'dataset',
      'edit',
      'farm',
      '--name',
      'barn',
      '--output',
      's3://datalake/winnow-output/',
      '--clear-filters',
      '--drop-relevant-filenames',
      '--thumbnails-off',
      '--json',
    ]);
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.json()).toMatchObject({
      name: 'barn',
      include: [],
      hasRelevantFilenames: false,
      thumbnailSize: null,
      output: { uri: 's3://datalake/winnow-output/', accessKeyId: 'AKIANEWKEY', hasSecret: true },
    });
    expect((await cli(['dataset', 'show', 'farm'])).code).not.toBe(0);
    const both = await cli(['dataset', 'edit', 'barn', '--thumbnail-size', '64', '--thumbnails-off']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('Give either --thumbnail-size or --thumbnails-off');
  });
});
