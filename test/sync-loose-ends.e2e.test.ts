import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsS3User, freshHome } from './support/cli.js';
import { referencePolicy } from './support/policies.js';
import { fixtureImage as image, proxyUser as user, startSeededS3, underPrefix, type SeededS3 } from './support/s3-fixture.js';

const BUCKET = 'datalake';
const PREFIX = 'projects/farm-animals/';
const INPUT = `s3://${BUCKET}/${PREFIX}`;
const owner = user('AKIALOOSEENDS0000001', referencePolicy(BUCKET, PREFIX));

let s3: SeededS3;
beforeAll(async () => {
  s3 = await startSeededS3({
    buckets: [BUCKET],
    users: [owner],
    objects: {
      [BUCKET]: {
        ...underPrefix(PREFIX, { 'cows/a.jpg': image('cat.jpg'), 'cows/b.jpg': image('cat.jpg'), 'cows/unlisted.jpg': image('cat.jpg'), 'notes.txt': 'text' }),
        'projects/farm-animals-2/x.jpg': image('cat.jpg'),
      },
    },
  });
});
afterAll(async () => s3?.stop());

describe('--relevant-filenames keys that index nothing', () => {
  const cli = cliAsS3User({ keys: owner, input: INPUT, endpoint: () => s3.proxy.endpoint });
  const typos = Array.from({ length: 5 }, (_, i) => `cows/typo-${i}.jpg`);

  beforeAll(async () => {
    const list = join(freshHome(), 'relevant.txt');
    const lines = ['cows/a.jpg', 'cows/a.jpg', `s3://${BUCKET}/${PREFIX}cows/b.jpg`, ...typos, 'projects/farm-animals-2/x.jpg', 'notes.txt'];
    writeFileSync(list, `${lines.join('\n')}\n`);
    const created = await cli.create('listed', '--relevant-filenames', list);
    expect(created.code, created.stderr).toBe(0);
  });

  it('names the count and the first few keys in the summary, and all of them in --json', async () => {
    const text = await cli.run('dataset', 'sync', 'listed');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('2 samples');
    expect(text.stdout).toContain(
      'warning: 5 relevant filename(s) not found in the bucket: "cows/typo-0.jpg", "cows/typo-1.jpg", "cows/typo-2.jpg", … (all of them: --json)',
    );
    expect(text.stdout).toContain('warning: 1 relevant filename(s) outside the input location (never indexed): "projects/farm-animals-2/x.jpg"');
    expect(text.stdout).toContain('warning: 1 relevant filename(s) listed more than once: "cows/a.jpg"');
    expect(text.stdout).toContain('warning: 1 relevant filename(s) dropped by the dataset filters');

    const json = (await cli.run('dataset', 'sync', 'listed', '--json')).json<Record<string, unknown>>();
    expect(json).toMatchObject({
      total: 2,
      relevantMissing: typos,
      relevantOutside: ['projects/farm-animals-2/x.jpg'],
      relevantRepeated: ['cows/a.jpg'],
      relevantSkipped: ['notes.txt'],
    });
    // The listing never strays outside the prefix to look for the outside key.
    for (const entry of s3.proxy.log.filter((logged) => logged.action === 's3:ListBucket')) expect(entry.context['s3:prefix']).toBe(PREFIX);
  });

  it('keeps what the last sync found for `dataset show`', async () => {
    const text = await cli.run('dataset', 'show', 'listed');
    expect(text.stdout).toContain('relevant filenames: 9 listed');
    expect(text.stdout).toContain('warning: 5 relevant filename(s) not found in the bucket: "cows/typo-0.jpg"');
    const details = (await cli.run('dataset', 'show', 'listed', '--json')).json<{ relevantFilenames: unknown }>();
    expect(details.relevantFilenames).toEqual({
      listed: 9,
      missing: { count: 5, first: typos },
      outside: { count: 1, first: ['projects/farm-animals-2/x.jpg'] },
      repeated: { count: 1, first: ['cows/a.jpg'] },
      skipped: { count: 1, first: ['notes.txt'] },
    });
  });
});
