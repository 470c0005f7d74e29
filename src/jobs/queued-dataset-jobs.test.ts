import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/context.js';
import type { Context } from '../context.js';
import { createDataset } from '../workflows/create-dataset.js';
import { createQueuedEmbedJobs, createQueuedSyncJobs } from './queued-dataset-jobs.js';
import { winnowJobHandlers } from './winnow-jobs.js';

const PHOTOS = resolve(import.meta.dirname, '../../test/fixtures/photos');
const photos = readdirSync(PHOTOS).filter((name) => name.endsWith('.jpg'));

describe("winnow serve's sync and embedding routes on pg-boss", () => {
  let context: Context & { drop(): Promise<void> };
  let folder: string;

  beforeAll(async () => {
    context = await createTestContext('postgres', { WINNOW_JOB_POLL_MS: '500', WINNOW_JOB_PROGRESS_MS: '0', WINNOW_EMBED_THREADS: '1' });
    folder = mkdtempSync(join(tmpdir(), 'winnow-queued-'));
    for (const name of photos) cpSync(join(PHOTOS, name), join(folder, name));
    await createDataset(context, { name: 'photos', input: { uri: folder } });
    await (await context.jobs()).work(winnowJobHandlers(context), { concurrency: 1 });
  });
  afterAll(async () => {
    await context?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('queues one sync per dataset, answers with the running one, and shows its report once a worker is done', async () => {
    const syncs = createQueuedSyncJobs(await context.jobs());
    const started = await syncs.start('photos');
    expect(started).toMatchObject({ dataset: 'photos', status: 'running', report: null });
    expect((await syncs.start('photos')).id).toBe(started.id);
    await syncs.settled('photos');
    expect(await syncs.latest('photos')).toMatchObject({ id: started.id, status: 'completed', report: { total: photos.length }, error: null });
    expect(await syncs.latest('other')).toBeUndefined();
  });

  it('runs an embedding job and reports it in the shape of the in-process one', async () => {
    const embeds = createQueuedEmbedJobs(await context.jobs());
    const started = await embeds.start('photos', { batchSize: 4 });
    expect(started).toMatchObject({ model: 'default', status: 'running' });
    await embeds.settled('photos');
    const done = await embeds.latest('photos');
    expect(done).toMatchObject({ status: 'completed', report: { embedded: photos.length }, progress: { done: photos.length, toEmbed: photos.length } });
    expect(done?.progress).not.toHaveProperty('phase');
    expect((await embeds.cancel('photos'))?.status).toBe('completed');
  });
});
