import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/support/context.js';
import { referencePolicy } from '../../test/support/policies.js';
import { fixtureImage, proxyUser, startSeededS3, underPrefix, type SeededS3 } from '../../test/support/s3-fixture.js';
import { DIALECTS } from '../../test/support/databases.js';
import { requireDataset, showDataset } from '../catalog/dataset.service.js';
import { createDataset } from './create-dataset.js';
import { claimDatasetLease, startSyncGeneration } from '../catalog/sync-state.repository.js';
import type { Context } from '../context.js';
import { isAppError } from '../errors.js';
import { acquireDatasetLease } from '../catalog/dataset-lease.js';
import { syncDataset } from './sync-dataset.js';

const CAT = resolve(import.meta.dirname, '../../test/fixtures/images/cat.jpg');
const BUCKET = 'datalake';
const PREFIX = 'projects/farm-animals/';
const PAGE_SIZE = 2;
const HERD = 7;
const owner = proxyUser('AKIASYNCLEASE0000001', referencePolicy(BUCKET, PREFIX));

let s3: SeededS3;
beforeAll(async () => {
  const cows = Object.fromEntries(Array.from({ length: HERD }, (_, i) => [`cows/cow-${i}.jpg`, fixtureImage('cat.jpg')]));
  s3 = await startSeededS3({ buckets: [BUCKET], users: [owner], objects: { [BUCKET]: underPrefix(PREFIX, cows) } });
});
afterAll(async () => s3?.stop());

describe.each(DIALECTS)('sync lease on %s', (dialect) => {
  let context: Context & { drop(): Promise<void> };
  let folder: string;
  let datasetId: string;

  beforeAll(async () => {
    context = await createTestContext(dialect, { WINNOW_LIST_PAGE_SIZE: String(PAGE_SIZE) });
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
    expect(
      await claimDatasetLease(context.database.db, datasetId, live.owner, `${hostname()}:${deadPid}:dead00`, new Date(Date.now() + 60_000).toISOString()),
    ).toBe(true);
    expect((await showDataset(context, 'cats')).lastSync?.status).toBe('interrupted');
    await claimDatasetLease(context.database.db, datasetId, `${hostname()}:${deadPid}:dead00`, null, null);
    await syncDataset(context, 'cats');
  });

  it('lets exactly one of eight simultaneous lease claims win', async () => {
    // A claimant that reads "no holder" can still lose the compare-and-set to another; either way it is refused.
    const claims = await Promise.allSettled(
      Array.from({ length: 8 }, () => acquireDatasetLease(context.database.db, datasetId, 'cats', 'sync', context.clock)),
    );
    const won = claims.flatMap((claim) => (claim.status === 'fulfilled' ? [claim.value] : []));
    const refused = claims.flatMap((claim) => (claim.status === 'rejected' ? [claim.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(refused).toHaveLength(7);
    for (const reason of refused) expect(isAppError(reason, 'DatasetBusy'), String(reason)).toBe(true);
    await won[0]!.release();
  });

  it('lets exactly one of two simultaneous syncs run: the second is refused while the first waits inside its listing', async () => {
    await createDataset(context, {
      name: 'herd',
      input: {
        uri: `s3://${BUCKET}/${PREFIX}`,
        endpoint: s3.proxy.endpoint,
        pathStyle: true,
        accessKeyId: owner.accessKeyId,
        secretAccessKey: owner.secretAccessKey,
      },
    });
    // The first sync holds the lease from before its first page to the end; its second page waits here.
    const hold = s3.proxy.hold(
      (entry) => entry.action === 's3:ListBucket' && entry.query['max-keys'] === String(PAGE_SIZE) && entry.query['continuation-token'] !== undefined,
    );
    const first = settled(syncDataset(context, 'herd'));
    await hold.reached(1);
    const second = await settled(syncDataset(context, 'herd'));
    hold.release();
    const outcomes = [await first, second];
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { added: HERD, total: HERD } });
    const refusal = (second as PromiseRejectedResult).reason as unknown;
    expect(isAppError(refusal, 'DatasetBusy'), String(refusal)).toBe(true);
    expect((refusal as Error).message).toBe(`A sync of "herd" is already running (process ${process.pid} on ${hostname()}).`);
  });
});

async function settled<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return (await Promise.allSettled([promise]))[0]!;
}

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
