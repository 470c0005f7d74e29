/**
 * The web app's jobs view (issue 18) in Chromium: on PostgreSQL, a sync run by a real `winnow worker` during a
 * 503 SlowDown storm shows the call being retried, is cancelled and retried from its buttons and finishes;
 * on the embedded default (SQLite) the same for a sync started from the dataset page, which `winnow serve`
 * runs on its in-process queue.
 */
import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openJobQueue, type WinnowJobQueue } from '../../src/jobs/winnow-jobs.js';
import { createLogger } from '../../src/log/logger.js';
import { CHROMIUM, launchBrowser, type Browser } from './browser.js';
import { closed, runCli, spawnCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { queueDetached, workerStarted } from '../support/jobs.js';
import type { FaultProxy } from '../support/fault-proxy.js';
import { startPhotoBucketBehindFaults, type PhotoBucket } from '../support/photo-bucket.js';
import { startServe, type ServeProcess } from '../support/serve.js';

const BUCKET = 'jobs';
const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const ENV = {
  WINNOW_S3_MAX_ATTEMPTS: '12',
  WINNOW_LIST_PAGE_SIZE: '5',
  WINNOW_JOB_POLL_MS: '200',
  WINNOW_JOB_PROGRESS_MS: '300',
  WINNOW_JOB_MAINTENANCE_SECONDS: '1',
  WINNOW_API_ALLOW_PRIVATE_ENDPOINTS: 'true',
};

let bucket: PhotoBucket;
let storm: FaultProxy;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/test-setup.sh (apt-get install chromium).`);
  bucket = await startPhotoBucketBehindFaults(BUCKET, { slowDownBurst: 0, seed: 18 });
  storm = bucket.storm;
}, 60_000);

afterAll(async () => {
  await bucket?.stop();
});

const create = (env: Record<string, string>) =>
  runCli(
    [
      'dataset',
      'create',
      'farm',
      '--input',
      `s3://${BUCKET}/pics/`,
      '--endpoint',
      storm.endpoint,
      '--path-style',
      '--access-key-id',
      KEYS.accessKeyId,
      '--secret-access-key-stdin',
    ],
    { env, stdin: `${KEYS.secretAccessKey}\n` },
  );

/** The jobs view, reached from the top bar as a user would. */
async function openJobs(page: Page, serve: ServeProcess) {
  await page.goto(serve.signInUrl);
  await page.getByRole('heading', { name: 'Datasets' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
  await page.getByRole('heading', { name: 'Jobs' }).waitFor();
}

const row = (page: Page, id: string) => page.locator(`tr[data-job-id="${id}"]`);

/**
 * Every GET of the bucket answered 503 SlowDown while `start` starts a sync: the jobs view shows the
 * listing call being retried (polling, no reload), cancels the job, and after the storm retries it to completion.
 */
async function throughTheStorm(browser: Browser, serve: ServeProcess, start: () => Promise<string>) {
  const page = browser.page;
  storm.plan.rates = { slowDown: 1 };
  let id = '';
  try {
    id = await start();
    await openJobs(page, serve);
    const retrying = row(page, id).locator('[data-job-retrying]');
    await retrying.waitFor();
    expect(await retrying.textContent()).toMatch(/Retrying ListObjectsV2 after 503 SlowDown, attempt \d+ of 12/);
    await expect.poll(() => row(page, id).getAttribute('data-job-state')).toBe('active');
    await browser.screenshot('jobs-retrying');

    await row(page, id).getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => row(page, id).getAttribute('data-job-state'), { timeout: 30_000 }).toBe('cancelled');
    expect(await row(page, id).locator('[data-job-retrying]').count()).toBe(0);
  } finally {
    storm.plan.rates = {};
  }
  await row(page, id).getByRole('button', { name: 'Retry' }).click();
  await expect.poll(() => row(page, id).getAttribute('data-job-state'), { timeout: 120_000, interval: 500 }).toBe('completed');
  expect(await row(page, id).locator('.job-progress').textContent()).toMatch(/Reading image headers: \d+ of \d+/);
  expect(browser.errors).toEqual([]);
}

describe('on PostgreSQL with a worker, during a 503 SlowDown storm', () => {
  let catalog: TestDatabase;
  let worker: ChildProcess | undefined;
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    catalog = await createTestDatabase('postgres');
    const env = { ...catalog.env, ...ENV };
    const created = await create(env);
    expect(created.code, created.stderr).toBe(0);
    worker = spawnCli(['worker', '--concurrency', '1'], env);
    await workerStarted(worker);
    serve = await startServe(env, ['--no-worker']);
    browser = await launchBrowser();
    browser.page.setDefaultTimeout(30_000);
  }, 180_000);

  afterAll(async () => {
    storm.plan.rates = {};
    await browser?.close();
    await serve?.stop();
    worker?.kill('SIGKILL');
    if (worker) await closed(worker);
    await catalog?.drop();
  });

  it('shows the call being retried, cancels the job and retries it to completion', async () => {
    const env = { ...catalog.env, ...ENV };
    await throughTheStorm(browser!, serve!, () => queueDetached(['dataset', 'sync', 'farm'], env));
  }, 300_000);
});

describe('on the embedded default (SQLite, the in-process queue)', () => {
  let catalog: TestDatabase;
  let queue: WinnowJobQueue;
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    catalog = await createTestDatabase('sqlite');
    const env = { ...catalog.env, ...ENV };
    const created = await create(env);
    expect(created.code, created.stderr).toBe(0);
    queue = await openJobQueue({ config: loadConfig({}, env), database: catalog.database, log: createLogger('silent'), clock: () => new Date() });
    serve = await startServe(env);
    browser = await launchBrowser();
    browser.page.setDefaultTimeout(30_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await queue?.stop();
    await catalog?.drop();
  });

  it('lists a sync started from the dataset page, shows it retrying, cancels it and retries it to completion', async () => {
    const page = browser!.page;
    await throughTheStorm(browser!, serve!, async () => {
      await page.goto(serve!.signInUrl);
      await page.getByRole('heading', { name: 'Datasets' }).waitFor();
      await page.getByRole('link', { name: 'farm' }).click();
      await page.getByRole('button', { name: 'Sync now' }).click();
      await page.locator('[data-sync-status]').first().waitFor();
      const jobs = await queue.list({ names: ['sync'], dataset: 'farm' });
      expect(jobs).toHaveLength(1);
      return jobs[0]!.id;
    });
  }, 300_000);
});
