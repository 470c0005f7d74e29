import { cpSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/context.js';
import { DIALECTS } from '../../test/support/databases.js';
import { showDataset } from '../catalog/dataset.service.js';
import type { Context } from '../context.js';
import { createDataset } from './create-dataset.js';
import { syncDataset } from './sync-dataset.js';

const CAT = resolve(import.meta.dirname, '../../test/fixtures/images/cat.jpg');

describe.each(DIALECTS)('relevant-filenames problems on %s', (dialect) => {
  let context: Context & { drop(): Promise<void> };
  let folder: string;

  beforeAll(async () => {
    context = await createTestContext(dialect);
    folder = mkdtempSync(join(tmpdir(), 'winnow-relevant-'));
    mkdirSync(join(folder, 'cows'));
    for (const key of ['cows/a.jpg', 'cows/b.jpg', 'cows/c.jpg', 'cows/unlisted.jpg']) cpSync(CAT, join(folder, key));
    writeFileSync(join(folder, 'notes.txt'), 'not an image');
    const list = [
      'cows/a.jpg',
      'cows/b.jpg',
      './cows/b.jpg',
      'cows/c.jpg',
      'cows/typo.jpg',
      'cows/deleted-since.jpg',
      'notes.txt',
      's3://another-bucket/cows/a.jpg',
      '',
    ].join('\n');
    await createDataset(context, { name: 'listed', input: { uri: folder }, relevantFilenames: { text: list, source: 'list.txt' } });
    await createDataset(context, { name: 'unlisted', input: { uri: folder } });
  });
  afterAll(async () => {
    await context?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('reports every listed key that is missing, outside the input, repeated or skipped, and indexes the rest', async () => {
    const report = await syncDataset(context, 'listed');
    expect(report).toMatchObject({
      total: 3,
      relevantMissing: ['cows/deleted-since.jpg', 'cows/typo.jpg'],
      relevantOutside: ['s3://another-bucket/cows/a.jpg'],
      relevantRepeated: ['cows/b.jpg'],
      relevantSkipped: ['notes.txt'],
    });
    const details = await showDataset(context, 'listed');
    expect(details.relevantFilenames).toEqual({
      listed: 7,
      missing: { count: 2, first: ['cows/deleted-since.jpg', 'cows/typo.jpg'] },
      outside: { count: 1, first: ['s3://another-bucket/cows/a.jpg'] },
      repeated: { count: 1, first: ['cows/b.jpg'] },
      skipped: { count: 1, first: ['notes.txt'] },
    });
  });

  it('reports a listed key whose object was deleted since the last sync', async () => {
    unlinkSync(join(folder, 'cows/c.jpg'));
    const report = await syncDataset(context, 'listed');
    expect(report).toMatchObject({ removed: 1, total: 2, relevantMissing: ['cows/c.jpg', 'cows/deleted-since.jpg', 'cows/typo.jpg'] });
    expect((await showDataset(context, 'listed')).relevantFilenames?.missing.count).toBe(3);
    cpSync(CAT, join(folder, 'cows/c.jpg'));
    expect((await syncDataset(context, 'listed')).relevantMissing).toEqual(['cows/deleted-since.jpg', 'cows/typo.jpg']);
  });

  it('reports nothing for a dataset without a list', async () => {
    const report = await syncDataset(context, 'unlisted');
    expect(report).toMatchObject({ relevantMissing: [], relevantOutside: [], relevantRepeated: [], relevantSkipped: [] });
    expect((await showDataset(context, 'unlisted')).relevantFilenames).toBeNull();
  });
});
