import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../test/support/api.js';
import { createDataset } from '../workflows/create-dataset.js';

const CAT = resolve(import.meta.dirname, '../../test/fixtures/images/cat.jpg');

describe('sync result and dataset view of a relevant-filenames list', () => {
  let api: TestApi;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'winnow-api-relevant-'));
    api = await createTestApi({ WINNOW_LOCAL_ROOTS: folder });
    mkdirSync(join(folder, 'cows'));
    cpSync(CAT, join(folder, 'cows/a.jpg'));
    const list = 'cows/a.jpg\ncows/a.jpg\ncows/typo.jpg\ns3://elsewhere/cows/a.jpg\n';
    await createDataset(api.context, { name: 'listed', input: { uri: folder }, relevantFilenames: { text: list, source: 'list.txt' } });
  });
  afterAll(async () => {
    await api?.context.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('lists every problem key in the job report and keeps counts and first keys in the dataset', async () => {
    expect((await api.request('/api/datasets/listed/sync', { method: 'POST' })).status).toBe(202);
    await api.jobs.settled('listed');
    const { job } = (await (await api.request('/api/datasets/listed/sync')).json()) as { job: { status: string; report: Record<string, unknown> } };
    expect(job.status).toBe('completed');
    expect(job.report).toMatchObject({
      total: 1,
      relevantMissing: ['cows/typo.jpg'],
      relevantOutside: ['s3://elsewhere/cows/a.jpg'],
      relevantRepeated: ['cows/a.jpg'],
      relevantSkipped: [],
    });
    const details = (await (await api.request('/api/datasets/listed')).json()) as { relevantFilenames: unknown };
    expect(details.relevantFilenames).toEqual({
      listed: 3,
      missing: { count: 1, first: ['cows/typo.jpg'] },
      outside: { count: 1, first: ['s3://elsewhere/cows/a.jpg'] },
      repeated: { count: 1, first: ['cows/a.jpg'] },
      skipped: { count: 0, first: [] },
    });
  });
});
