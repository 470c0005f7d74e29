import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/context.js';
import { DIALECTS } from '../../test/support/databases.js';
import { requireDataset, showDataset } from '../catalog/dataset.service.js';
import { createDataset } from './create-dataset.js';
import { claimDatasetLease, startSyncGeneration } from '../catalog/sync-state.repository.js';
import type { Context } from '../context.js';
import { isAppError } from '../errors.js';
import { acquireDatasetLease } from '../catalog/dataset-lease.js';
import { syncDataset } from './sync-dataset.js';

const CAT = resolve(import.meta.dirname, '../../test/fixtures/images/cat.jpg');

describe.each(DIALECTS)('sync lease on %s', (dialect) => {
  let context: Context & { drop(): Promise<void> };
  let folder: string;
  let datasetId: string;

  beforeAll(async () => {
    context = await createTestContext(dialect);
    folder = mkdtempSync(join(tmpdir(), 'winnow-lease-'));
    for (let i = 0; i < 5; i++) cpSync(CAT, join(folder, `cat-${i}.jpg`));
    await createDataset(context, { name: 'cats', input: { uri: folder } });
    datasetId = (await requireDataset(context, 'cats')).dataset.id;
  });
  afterAll(async () => {
    await context?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('refuses a second sync while one holds the lease, and runs once it is released', async () => {
    const lease = await acquireDatasetLease(context.database.db, datasetId, 'cats', 'sync', context.clock);
    const refused = await syncDataset(context, 'cats').catch((error: unknown) => error);
    expect(isAppError(refused, 'DatasetBusy')).toBe(true);
    expect((refused as Error).message).toContain(`process ${process.pid}`);
    await lease.release();
    await expect(syncDataset(context, 'cats')).resolves.toMatchObject({ added: 5, total: 5 });
  });

  it('waits for a live lease from another host and takes over an expired one', async () => {
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(await claimDatasetLease(context.database.db, datasetId, null, 'other-host:4242:abcdef', future)).toBe(true);
    const refused = await syncDataset(context, 'cats').catch((error: unknown) => error);
    expect((refused as Error).message).toContain('process 4242 on other-host');
    const past = new Date(Date.now() - 1_000).toISOString();
    expect(await claimDatasetLease(context.database.db, datasetId, 'other-host:4242:abcdef', 'other-host:4242:abcdef', past)).toBe(true);
    await expect(syncDataset(context, 'cats')).resolves.toMatchObject({ added: 0, total: 5 });
  });

  it('shows a sync whose process is gone as interrupted, not running', async () => {
    await startSyncGeneration(context.database.db, datasetId, 99, new Date().toISOString());
    const live = await acquireDatasetLease(context.database.db, datasetId, 'cats', 'sync', context.clock);
    expect((await showDataset(context, 'cats')).lastSync?.status).toBe('running');
    // The holder of the lease dies without releasing it: a pid of this host that does not run.
    const deadPid = 2 ** 22 + 12_345;
    expect(await claimDatasetLease(context.database.db, datasetId, live.owner, `${hostname()}:${deadPid}:dead00`, new Date(Date.now() + 60_000).toISOString())).toBe(true);
    expect((await showDataset(context, 'cats')).lastSync?.status).toBe('interrupted');
    await claimDatasetLease(context.database.db, datasetId, `${hostname()}:${deadPid}:dead00`, null, null);
    await syncDataset(context, 'cats');
  });

  it('lets exactly one of two simultaneous syncs run', async () => {
    const results = await Promise.allSettled([syncDataset(context, 'cats'), syncDataset(context, 'cats')]);
    const refused = results.filter((result) => result.status === 'rejected');
    const finished = results.filter((result) => result.status === 'fulfilled');
    expect(finished.length).toBeGreaterThanOrEqual(1);
    for (const result of refused) expect(isAppError((result as PromiseRejectedResult).reason, 'DatasetBusy')).toBe(true);
  });
});

describe('cancelling a sync', () => {
  it('stops at the first commit and the next sync resumes where it stopped', async () => {
    const context = await createTestContext('sqlite', { WINNOW_LIST_PAGE_SIZE: '2' });
    const folder = mkdtempSync(join(tmpdir(), 'winnow-cancel-'));
    try {
      for (let i = 0; i < 6; i++) cpSync(CAT, join(folder, `cat-${i}.jpg`));
      await createDataset(context, { name: 'cats', input: { uri: folder } });
      const cancelled = await syncDataset(context, 'cats', { signal: AbortSignal.abort() }).catch((error: unknown) => error);
      expect(isAppError(cancelled, 'SyncCancelled')).toBe(true);
      await expect(syncDataset(context, 'cats')).resolves.toMatchObject({ resumed: true, added: 6, total: 6 });
    } finally {
      await context.drop();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
