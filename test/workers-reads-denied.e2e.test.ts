import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closed, createS3Dataset, runCli, spawnCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { showJob, workerStarted, type JobJson } from './support/jobs.js';
import { referencePolicy, type IamPolicy } from './support/policies.js';
import { proxyUser, startSeededS3, type SeededS3 } from './support/s3-fixture.js';
import { waitFor } from './support/wait.js';

const BUCKET = 'datalake';
const PREFIX = 'projects/farm-animals/';
const INPUT = `s3://${BUCKET}/${PREFIX}`;
const PHOTOS = resolve(import.meta.dirname, 'fixtures/photos');
const photos = readdirSync(PHOTOS).filter((name) => name.endsWith('.jpg'));
const COPIES = 2;
const SAMPLES = photos.length * COPIES;
/** Batches of four samples: a run of 23 samples fans out into six batch jobs. */
const BATCH_SAMPLES = 4;
const JOB_ENV = {
  WINNOW_JOB_BATCH_SAMPLES: String(BATCH_SAMPLES),
  WINNOW_EMBED_THREADS: '1',
  WINNOW_EMBED_DECODE_THREADS: '1',
  WINNOW_JOB_POLL_MS: '200',
  WINNOW_JOB_PROGRESS_MS: '250',
  WINNOW_JOB_MAINTENANCE_SECONDS: '1',
  WINNOW_JOB_RETRY_DELAY_SECONDS: '1',
};
/** The reference policy with every object read under the prefix explicitly denied: listing and the thumbnails' writes still work. */
const readsDenied: IamPolicy = {
  Version: '2012-10-17',
  Statement: [
    ...referencePolicy(BUCKET, PREFIX).Statement,
    { Sid: 'NoReads', Effect: 'Deny', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/${PREFIX}*` },
  ],
};
const owner = proxyUser('AKIABATCHREADS000001', referencePolicy(BUCKET, PREFIX));

let s3: SeededS3;

beforeAll(async () => {
  const objects: Record<string, Buffer> = {};
  for (let copy = 0; copy < COPIES; copy++) {
    for (const name of photos) objects[`${PREFIX}copy-${copy}/${name}`] = readFileSync(resolve(PHOTOS, name));
  }
  // The first sample in id order is never read (empty): the read check must pass it by for a sample a batch would read.
  objects[`${PREFIX}copy-0/0-empty.jpg`] = Buffer.alloc(0);
  s3 = await startSeededS3({ buckets: [BUCKET], users: [owner], objects: { [BUCKET]: objects } });
});
afterAll(async () => {
  await s3?.stop();
});

describe('a run split into batch jobs, on keys that may not read objects', () => {
  let catalog: TestDatabase;
  let worker: ChildProcess | undefined;

  afterAll(async () => {
    worker?.kill('SIGKILL');
    if (worker) await closed(worker);
    await catalog?.drop();
  });

  it('fails once, before any batch job, after one denied GET naming s3:GetObject; runs in batches once reads are allowed', async () => {
    catalog = await createTestDatabase('postgres');
    const env = { ...catalog.env, ...JOB_ENV };
    const cli = (...args: string[]) => runCli(args, { env, timeoutMs: 120_000 });
    expect((await createS3Dataset('farm', { input: INPUT, endpoint: s3.proxy.endpoint, keys: owner, env })).code).toBe(0);
    const synced = await cli('dataset', 'sync', 'farm', '--json');
    expect(synced.json()).toMatchObject({ total: SAMPLES + 1 });

    // The worker names only the runs' queues: it must take their batch jobs too.
    worker = spawnCli(['worker', '--queues', 'thumbnails,embed'], env);
    expect(await workerStarted(worker)).toContain('is working thumbnails, embed, thumbnails-batch, embed-batch (1 at once each)');

    const jobs = async (name: string) => (await cli('jobs', 'list', '--name', name, '--dataset', 'farm', '--json')).json<JobJson[]>();
    s3.proxy.addUser({ ...owner, policy: readsDenied });
    s3.proxy.clearLog();
    const deniedThumbnails = await cli('thumbnails', 'farm', '--size', '32', '--queue');
    expect(deniedThumbnails.code, deniedThumbnails.stderr).toBe(4);
    expect(deniedThumbnails.stderr).toContain(`does not allow s3:GetObject on arn:aws:s3:::${BUCKET}/${PREFIX}copy-0/`);
    expect(deniedThumbnails.stderr).toContain(`Add to the policy: Allow s3:GetObject on arn:aws:s3:::${BUCKET}/${PREFIX}copy-0/*`);
    expect(s3.proxy.denied().map((entry) => entry.action)).toEqual(['s3:GetObject']);
    const [thumbnailRun] = await jobs('thumbnails');
    expect(thumbnailRun).toMatchObject({ state: 'failed', retryCount: 0, error: { code: 'DatasourceAccessDenied' } });
    expect(thumbnailRun!.error!.hint).toContain('Allow s3:GetObject');
    expect(await jobs('thumbnails-batch')).toEqual([]);

    s3.proxy.clearLog();
    const deniedEmbed = await cli('embed', 'farm', '--queue');
    expect(deniedEmbed.code, deniedEmbed.stderr).toBe(4);
    expect(deniedEmbed.stderr).toContain('Winnow may not read the images of "farm", so it cannot embed them');
    expect(deniedEmbed.stderr).toContain('s3:GetObject');
    expect(s3.proxy.denied().map((entry) => entry.action)).toEqual(['s3:GetObject']);
    expect(await jobs('embed')).toMatchObject([{ state: 'failed', retryCount: 0, error: { code: 'DatasourceAccessDenied' } }]);
    expect(await jobs('embed-batch')).toEqual([]);

    // The fix: reads allowed again, the failed run retried. It fans out into batch jobs that this worker takes.
    s3.proxy.addUser(owner);
    s3.proxy.clearLog();
    expect((await cli('jobs', 'retry', thumbnailRun!.id)).code).toBe(0);
    const retried = await waitFor(
      'the retried thumbnail run to finish',
      async () => {
        const job = await showJob(thumbnailRun!.id, env);
        return job.state === 'completed' || job.state === 'failed' ? job : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(retried).toMatchObject({ state: 'completed', result: { total: SAMPLES + 1, generated: SAMPLES, failed: 1 } });
    const batches = await jobs('thumbnails-batch');
    expect(batches).toHaveLength(Math.ceil((SAMPLES + 1) / BATCH_SAMPLES));
    expect(batches.every((batch) => batch.state === 'completed')).toBe(true);
    expect(s3.proxy.denied()).toEqual([]);
  }, 300_000);
});
