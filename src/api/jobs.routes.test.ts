import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../test/support/api.js';
import { waitFor } from '../../test/support/wait.js';
import { winnowJobHandlers } from '../jobs/winnow-jobs.js';
import { createDataset } from '../workflows/create-dataset.js';
import type { Job } from './schemas.js';

const PHOTOS = resolve(import.meta.dirname, '../../test/fixtures/photos');
const photos = readdirSync(PHOTOS).filter((name) => name.endsWith('.jpg'));

describe('jobs API', () => {
  let test: TestApi;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'winnow-api-jobs-'));
    for (const name of photos) cpSync(join(PHOTOS, name), join(folder, name));
    test = await createTestApi({ WINNOW_LOCAL_ROOTS: folder, WINNOW_JOB_POLL_MS: '20', WINNOW_JOB_PROGRESS_MS: '0' });
    await createDataset(test.context, { name: 'photos', input: { uri: folder } });
  });
  afterAll(async () => {
    await test?.context.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  const job = async (id: string) => (await (await test.request(`/api/jobs/${id}`)).json()) as Job;

  it('lists, shows, cancels and retries jobs, whichever process runs them', async () => {
    const queue = await test.context.jobs();
    const id = await queue.enqueue('sync', { dataset: 'photos' });
    expect(await job(id)).toMatchObject({ id, name: 'sync', state: 'created', data: { dataset: 'photos' }, progress: null });

    const cancelled = await test.request(`/api/jobs/${id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as Job).state).toBe('cancelled');
    const again = await test.request(`/api/jobs/${id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'JobStateConflict' } });

    await queue.work(winnowJobHandlers(test.context), { concurrency: 1 });
    const retried = await test.request(`/api/jobs/${id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(200);
    const done = await waitFor('the retried sync to complete', async () => ((await job(id)).state === 'completed' ? job(id) : undefined));
    expect(done).toMatchObject({ result: { dataset: 'photos', total: photos.length }, progress: { phase: 'probing', probed: photos.length } });

    const list = (await (await test.request('/api/jobs?dataset=photos&state=completed,failed&name=sync')).json()) as { jobs: Job[] };
    expect(list.jobs.map((listed) => listed.id)).toEqual([id]);
    expect(((await (await test.request('/api/jobs?dataset=other')).json()) as { jobs: Job[] }).jobs).toEqual([]);
  });

  it('answers 404 for an unknown job and 400 for a bad filter', async () => {
    const missing = await test.request('/api/jobs/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'JobNotFound' } });
    const bad = await test.request('/api/jobs?state=running');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'InputInvalid', message: expect.stringContaining('state') } });
  });
});
