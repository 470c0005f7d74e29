import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/context.js';
import { DIALECTS } from '../../test/support/databases.js';
import { waitFor } from '../../test/support/wait.js';
import { listSamplesAfter } from '../catalog/sample.repository.js';
import { requireDataset } from '../catalog/dataset.service.js';
import { acquireDatasetLease } from '../catalog/dataset-lease.js';
import type { Context } from '../context.js';
import { createDataset } from '../workflows/create-dataset.js';
import { syncDataset } from '../workflows/sync-dataset.js';
import type { JobView } from './job-queue.js';
import { WINNOW_JOB_NAMES, winnowJobHandlers, type WinnowJobQueue } from './winnow-jobs.js';

const PHOTOS = resolve(import.meta.dirname, '../../test/fixtures/photos');

describe.each(DIALECTS)('Winnow jobs on %s', (dialect) => {
  let context: Context & { drop(): Promise<void> };
  let folder: string;
  let queue: WinnowJobQueue;

  beforeEach(async () => {
    context = await createTestContext(dialect, { WINNOW_JOB_POLL_MS: '50', WINNOW_JOB_PROGRESS_MS: '0', WINNOW_JOB_BATCH_SAMPLES: '2' });
    folder = mkdtempSync(join(tmpdir(), 'winnow-jobs-'));
    for (const name of readdirSync(PHOTOS).filter((file) => file.endsWith('.jpg'))) cpSync(join(PHOTOS, name), join(folder, name));
    await createDataset(context, { name: 'photos', input: { uri: folder }, thumbnails: { size: 64 } });
    queue = await context.jobs();
  });
  afterEach(async () => {
    await context.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  const finished = (id: string) =>
    waitFor(`job ${id} to finish`, async () => {
      const job = await queue.get(id);
      return job?.state === 'completed' || job?.state === 'failed' ? job : undefined;
    });

  it(`uses ${dialect === 'postgres' ? 'pg-boss' : 'the in-process queue'} and runs a sync job into the catalog, with its thumbnails`, async () => {
    expect(queue.kind).toBe(dialect === 'postgres' ? 'pg-boss' : 'in-process');
    await queue.work(winnowJobHandlers(context, queue), { concurrency: 1 });
    const id = await queue.enqueue('sync', { dataset: 'photos' });
    const job: JobView = await finished(id);
    expect(job.state).toBe('completed');
    const photos = readdirSync(folder).filter((file) => file.endsWith('.jpg')).length;
    expect(job.result).toMatchObject({ dataset: 'photos', total: photos, added: photos, thumbnails: { generated: photos } });
    expect(job.progress).toMatchObject({ phase: 'thumbnails', done: photos });
    const { dataset } = await requireDataset(context, 'photos');
    const samples = await listSamplesAfter(context.database.db, dataset.id, undefined, 100);
    expect(samples.map((sample) => sample.key).sort()).toEqual(
      readdirSync(folder)
        .filter((file) => file.endsWith('.jpg'))
        .sort(),
    );
    expect((await queue.list({ dataset: 'photos' })).map((listed) => listed.id)).toEqual([id]);
    expect(await queue.list({ dataset: 'other' })).toEqual([]);
  });

  it("fails a job on a dataset that does not exist with the workflow's own error", async () => {
    await queue.work(winnowJobHandlers(context, queue), { concurrency: 1, queues: ['thumbnails', 'thumbnails-batch'] });
    const id = await queue.enqueue('thumbnails', { dataset: 'nope' }, { retryLimit: 0 });
    const job = await finished(id);
    expect(job.error).toMatchObject({ code: 'DatasetNotFound' });
  });

  it('waits for a dataset held by another long job instead of spending its retries', async () => {
    await syncDataset(context, 'photos');
    const { dataset } = await requireDataset(context, 'photos');
    const lease = await acquireDatasetLease(context.database.db, dataset.id, 'photos', 'sync', context.clock);
    await queue.work(winnowJobHandlers(context, queue), { concurrency: 1, queues: ['thumbnails', 'thumbnails-batch'] });
    const id = await queue.enqueue('thumbnails', { dataset: 'photos', size: 32 }, { retryLimit: 0 });
    const waiting = await waitFor('the job to say it waits', async () => {
      const job = await queue.get(id);
      return job?.progress?.phase === 'waiting' ? job : undefined;
    });
    expect(waiting).toMatchObject({ state: 'active', progress: { reason: expect.stringContaining('A sync of "photos" is already running') } });
    await lease.release();
    expect(await finished(id)).toMatchObject({
      state: 'completed',
      retryCount: 0,
      result: { generated: readdirSync(folder).filter((file) => file.endsWith('.jpg')).length },
    });
  });

  it(`makes thumbnails ${dialect === 'postgres' ? 'in batch jobs of 2 samples' : 'in one job'}; a sample that is no image fails alone`, async () => {
    writeFileSync(join(folder, 'zz-poison.jpg'), 'not a jpeg at all');
    await syncDataset(context, 'photos');
    const photos = readdirSync(folder).filter((file) => file.endsWith('.jpg')).length;
    await queue.work(winnowJobHandlers(context, queue), { concurrency: 2 });
    const id = await queue.enqueue('thumbnails', { dataset: 'photos', size: 32 }, { retryLimit: 0 });
    expect(await finished(id)).toMatchObject({ state: 'completed', result: { total: photos, generated: photos - 1, failed: 1, skipped: 0 } });
    const batches = await queue.list({ names: ['thumbnails-batch'], dataset: 'photos' });
    expect(batches.length).toBe(dialect === 'postgres' ? Math.ceil(photos / 2) : 0);
    expect(batches.every((batch) => batch.state === 'completed')).toBe(true);
    // Run again: every range is done, so no batch is enqueued and everything is skipped.
    const again = await queue.enqueue('thumbnails', { dataset: 'photos', size: 32 }, { retryLimit: 0 });
    expect(await finished(again)).toMatchObject({ state: 'completed', result: { generated: 0, skipped: photos } });
    expect(await queue.list({ names: ['thumbnails-batch'], dataset: 'photos' })).toHaveLength(batches.length);
  });

  it('defines a handler for every job name', () => {
    expect(Object.keys(winnowJobHandlers(context)).sort()).toEqual([...WINNOW_JOB_NAMES].sort());
  });
});
