import { existsSync } from 'node:fs';
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchBrowser, type Browser } from './browser.js';
import { freshHome } from '../support/cli.js';
import { referencePolicy, type IamPolicy } from '../support/policies.js';
import { fixtureImage as image, proxyUser as user, startSeededS3, underPrefix, type SeededS3 } from '../support/s3-fixture.js';
import { startServe, type ServeProcess } from '../support/serve.js';

const BUCKET = 'datalake';
const PREFIX = 'projects/barn/';
const INPUT = `s3://${BUCKET}/${PREFIX}`;
const GONE_THUMBNAIL = `${PREFIX}.winnow/thumbnails/cows/gone.jpg_thumb.jpg`;
const KEPT_THUMBNAIL = `${PREFIX}.winnow/thumbnails/cows/a.jpg_thumb.jpg`;

/** The reference policy with deleting objects explicitly denied: thumbnails of removed samples stay behind. */
function noDeletePolicy(): IamPolicy {
  const policy = referencePolicy(BUCKET, PREFIX);
  return { ...policy, Statement: [...policy.Statement, { Effect: 'Deny', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${BUCKET}/${PREFIX}*` }] };
}
const oldKeys = user('AKIAEDITNODELETE0001', noDeletePolicy());
const newKeys = user('AKIAEDITDELETES00001', referencePolicy(BUCKET, PREFIX));

let s3: SeededS3;
let serve: ServeProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/test-setup.sh (apt-get install chromium).`);
  s3 = await startSeededS3({
    buckets: [BUCKET],
    cors: true,
    users: [oldKeys, newKeys],
    objects: { [BUCKET]: underPrefix(PREFIX, { 'cows/a.jpg': image('cat.jpg'), 'cows/gone.jpg': image('cat.jpg') }) },
  });
  // The bucket is s3rver on this machine: the operator allows loopback endpoints for API users.
  serve = await startServe({ WINNOW_HOME: freshHome(), WINNOW_API_ALLOW_PRIVATE_ENDPOINTS: 'true' });
  browser = await launchBrowser();
  page = browser.page;
  page.setDefaultTimeout(20_000);
  await page.goto(serve.signInUrl);
  await page.getByRole('heading', { name: 'Datasets' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await s3?.stop();
});

afterEach(() => {
  expect(browser.errors, 'console errors').toEqual([]);
});

async function bucketKeys(): Promise<string[]> {
  const listed = await s3.seed.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX }));
  return (listed.Contents ?? []).map((object) => object.Key!).sort();
}

async function syncNow() {
  await page.getByRole('button', { name: 'Sync now' }).click();
  await page.locator('[data-sync-status="completed"]').waitFor({ timeout: 60_000 });
}

describe('editing a dataset and cleaning its outputs in the web app', () => {
  it('lists the thumbnails a sync could not delete, with the keys that may not delete', async () => {
    await page.getByRole('link', { name: 'New dataset' }).click();
    await page.getByLabel('Name').fill('barn');
    await page.getByLabel('Resource path').fill(INPUT);
    await page.getByLabel('Access key ID').fill(oldKeys.accessKeyId);
    await page.getByLabel('Secret access key').fill(oldKeys.secretAccessKey);
    await page.getByLabel('Region').fill('us-east-1');
    await page.getByLabel('Endpoint').fill(s3.proxy.endpoint);
    await page.getByLabel('Path-style addressing').check();
    await page.getByLabel('Make thumbnails').check();
    await page.getByRole('button', { name: 'Save and verify' }).click();
    await page.locator('.light[data-light="delete"]').waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Open dataset' }).click();
    await syncNow();
    expect(await bucketKeys()).toContain(GONE_THUMBNAIL);

    await s3.seed.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}cows/gone.jpg` }));
    await page.reload();
    await syncNow();
    const notice = page.locator('.orphaned-outputs-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toContain(`1 thumbnail of removed samples still in ${INPUT}.winnow/`);
    expect(await notice.textContent()).toContain(GONE_THUMBNAIL);
    expect(await notice.textContent()).toContain('the keys may not delete there');
    expect(await bucketKeys()).toContain(GONE_THUMBNAIL);
  });

  it('opens the form filled in from the dataset, never showing a secret, and saves new keys and a new name', async () => {
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit “barn”' }).waitFor();
    expect(await page.getByLabel('Name').inputValue()).toBe('barn');
    expect(await page.getByLabel('Resource path').inputValue()).toBe(INPUT);
    expect(await page.getByLabel('Resource path').getAttribute('readonly')).not.toBeNull();
    expect(await page.getByLabel('Access key ID').inputValue()).toBe(oldKeys.accessKeyId);
    expect(await page.getByLabel('Endpoint').inputValue()).toBe(s3.proxy.endpoint);
    expect(await page.getByLabel('Path-style addressing').isChecked()).toBe(true);
    expect(await page.getByLabel('Make thumbnails').isChecked()).toBe(true);
    expect(await page.getByLabel('Secret access key').inputValue()).toBe('');
    expect(await page.content()).not.toContain(oldKeys.secretAccessKey);
    await browser.screenshot('edit-01-form', { fullPage: true });

    // A new key id without its secret is refused, with the reason, and nothing changes.
    await page.getByLabel('Access key ID').fill(newKeys.accessKeyId);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Not saved.').waitFor();
    expect(await page.locator('.dataset-form').textContent()).toContain('was given without its secret');
    // The browser logs the refused request itself.
    expect(browser.errors.splice(0)).toEqual([expect.stringContaining('400 (Bad Request)')]);

    await page.getByLabel('Secret access key').fill(newKeys.secretAccessKey);
    await page.getByLabel('Name').fill('barn-2');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(`${serve.url}/datasets/barn-2`);
    await page.getByRole('heading', { name: 'barn-2' }).waitFor();
  });

  it('cleans the outputs of removed samples with the new keys, and nothing else', async () => {
    const notice = page.locator('.orphaned-outputs-notice');
    await notice.getByRole('button', { name: 'Clean outputs' }).click();
    await notice.getByText('Deleted 1 thumbnail of removed samples.').waitFor();
    const keys = await bucketKeys();
    expect(keys).not.toContain(GONE_THUMBNAIL);
    expect(keys).toContain(KEPT_THUMBNAIL);
    expect(keys).toContain(`${PREFIX}cows/a.jpg`);
    expect(s3.proxy.log.filter((entry) => entry.action === 's3:DeleteObject' && entry.decision === 'Allowed').map((entry) => entry.resource)).toEqual([
      `arn:aws:s3:::${BUCKET}/${GONE_THUMBNAIL}`,
    ]);
    await page.reload();
    await page.getByRole('heading', { name: 'barn-2' }).waitFor();
    await page.locator('.dataset-facts').waitFor();
    expect(await page.locator('.orphaned-outputs-notice').count()).toBe(0);
  });
});
