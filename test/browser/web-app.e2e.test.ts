import { existsSync } from 'node:fs';
import { ListObjectsCommand } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchBrowser, type Browser } from './browser.js';
import { freshHome, runCli } from '../support/cli.js';
import { readOnlyPolicy, referencePolicy } from '../support/policies.js';
import { fixtureImage as image, startSeededS3, underPrefix, type SeededS3 } from '../support/s3-fixture.js';
import type { ProxyUser } from '../support/s3-policy-proxy.js';
import { startServe, type ServeProcess } from '../support/serve.js';

const BUCKET = 'datalake';
const PREFIX = 'projects/farm-animals/';
const INPUT = `s3://${BUCKET}/${PREFIX}`;
const TRICKY_KEY = 'ç ü 猫 + % # x.jpg';
// Three keyset pages of 200: the first two load at once (one is fetched ahead), the third only when scrolled to.
const SHEEP = 450;
/** Relative key → body: enough samples that the grid must virtualise and page. */
const OBJECTS: Record<string, Buffer> = {
  [TRICKY_KEY]: image('cat.jpg'),
  'cows/cow 1.jpg': image('cat.jpg'),
  'pigs/pig.png': image('coffee.png'),
  'broken/corrupt.jpg': image('corrupt.jpg'),
  ...Object.fromEntries(Array.from({ length: SHEEP }, (_, i) => [`many/sheep-${String(i).padStart(4, '0')}.jpg`, image('cat.jpg')])),
};
const TOTAL = Object.keys(OBJECTS).length;

const reference: ProxyUser = {
  accessKeyId: 'AKIAWEBREFERENCE0001',
  secretAccessKey: 'secret-of-the-web-reference-user',
  policy: referencePolicy(BUCKET, PREFIX),
};
const readOnly: ProxyUser = {
  accessKeyId: 'AKIAWEBREADONLY00001',
  secretAccessKey: 'secret-of-the-web-read-only-user',
  policy: readOnlyPolicy(BUCKET, PREFIX),
};

// Two buckets: one that answers browsers' CORS preflights, one that has no CORS configuration at all.
let withCors: SeededS3;
let withoutCors: SeededS3;
let home: string;
let serve: ServeProcess;
let browser: Browser;
let page: Page;

function startBucket(cors: boolean, user: ProxyUser, objects: Record<string, Buffer>): Promise<SeededS3> {
  return startSeededS3({ buckets: [BUCKET], cors, users: [user], objects: { [BUCKET]: underPrefix(PREFIX, objects) } });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/test-setup.sh (apt-get install chromium).`);
  [withCors, withoutCors] = await Promise.all([startBucket(true, reference, OBJECTS), startBucket(false, readOnly, { 'cows/cow 1.jpg': image('cat.jpg') })]);
  home = freshHome();
  // The buckets are s3rver on this machine: the operator allows loopback endpoints for API users.
  serve = await startServe({ WINNOW_HOME: home, WINNOW_API_ALLOW_PRIVATE_ENDPOINTS: 'true' });
  browser = await launchBrowser();
  page = browser.page;
  page.setDefaultTimeout(20_000);
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  for (const bucket of [withCors, withoutCors]) await bucket?.stop();
});

afterEach(() => {
  expect(browser.errors, 'console errors').toEqual([]);
});

const grid = () => page.getByRole('grid', { name: 'Samples' });
const cells = () => grid().getByRole('gridcell');
const cellOf = (key: string) => page.locator(`[role="gridcell"][data-key="${key.replaceAll('"', '\\"')}"]`);
const gridStatus = () => page.locator('.grid-status');
const waitForGridStatus = (text: string) => page.waitForFunction((expected) => document.querySelector('.grid-status')?.textContent === expected, text);
const activeElement = (attribute: string) => page.evaluate((name) => document.activeElement?.getAttribute(name) ?? null, attribute);

async function fillDatasetForm(name: string, endpoint: string, user: ProxyUser) {
  await page.getByRole('link', { name: 'New dataset' }).click();
  await page.getByRole('heading', { name: 'New dataset' }).waitFor();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Resource path').fill(INPUT);
  await page.getByLabel('Access key ID').fill(user.accessKeyId);
  await page.getByLabel('Secret access key').fill(user.secretAccessKey);
  await page.getByLabel('Region').fill('us-east-1');
  await page.getByLabel('Endpoint').fill(endpoint);
  await page.getByLabel('Path-style addressing').check();
}

async function lightStates(): Promise<Record<string, string>> {
  await page.locator('.light[data-light="delete"]').waitFor({ timeout: 30_000 });
  return page.evaluate(() =>
    Object.fromEntries([...document.querySelectorAll<HTMLElement>('.light')].map((light) => [light.dataset.light, light.dataset.state])),
  );
}

/** Tab from the current focus until a grid cell has it (proves the grid is in the focus order). */
async function tabIntoGrid() {
  for (let step = 0; step < 15; step += 1) {
    await page.keyboard.press('Tab');
    if ((await activeElement('role')) === 'gridcell') return;
  }
  throw new Error('Tab never reached the sample grid');
}

describe('web app against winnow serve and an IAM-enforcing S3', () => {
  it('signs in through the link winnow serve printed', async () => {
    await page.goto(`${serve.url}/?signin=expired`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('status').first().textContent()).toContain('does not work any more');
    await browser.screenshot('01-sign-in');

    await page.goto(serve.signInUrl);
    await page.getByRole('heading', { name: 'Datasets' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByText('No datasets yet').waitFor();
    const cookies = await browser.context.cookies(serve.url);
    expect(cookies.find((cookie) => cookie.name === 'winnow_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('creates a dataset for the reference policy user through the form and shows five green lights', async () => {
    await fillDatasetForm('farm', withCors.proxy.endpoint, reference);
    await browser.screenshot('02-create-dataset', { fullPage: true });
    await page.getByRole('button', { name: 'Save and verify' }).click();
    expect(await lightStates()).toEqual({ list: 'ok', read: 'ok', write: 'ok', overwrite: 'ok', delete: 'ok', cors: 'ok' });
    expect(await page.locator('.light[data-light="list"] .light-call').textContent()).toContain('s3:ListBucket');
    const policy = JSON.parse((await page.getByRole('region', { name: 'Least-privilege policy' }).locator('pre').textContent()) ?? '') as {
      Statement: Array<{ Action: string }>;
    };
    expect(policy.Statement.map((statement) => statement.Action)).toEqual(['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject']);
    expect(withCors.proxy.denied()).toEqual([]);
    await browser.screenshot('03-verify-all-green', { fullPage: true });
  });

  it('runs a sync from the dataset page and follows it to completion', async () => {
    await page.getByRole('link', { name: 'Open dataset' }).click();
    await page.getByRole('heading', { name: 'farm' }).waitFor();
    await page.getByText('Nothing indexed yet').waitFor();
    // The policy stays at hand on the dataset page, not only right after creating it.
    await page.getByText('Policy and settings').click();
    await page.getByRole('region', { name: 'Least-privilege policy' }).locator('pre').getByText('s3:ListBucket').waitFor();
    await page.getByText('Policy and settings').click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('[data-sync-status="running"]').waitFor();
    await page.getByRole('button', { name: 'Cancel sync' }).waitFor();
    await page.locator('[data-sync-status="completed"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-sync-status="completed"]').textContent()).toContain(`Sync complete: ${TOTAL.toLocaleString('en')} samples`);
    await cellOf('broken/corrupt.jpg').waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.cell img')].some((img) => img.complete && img.naturalWidth > 0));
    await browser.screenshot('04-dataset-grid');
  });

  it('keeps only the rows on screen in the DOM and pages in the rest while scrolling', async () => {
    // Without filters the total is known up front; the pages still arrive only as they are scrolled to.
    expect(await gridStatus().textContent()).toBe(`${TOTAL} samples`);
    const pageRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/samples?')) pageRequests.push(request.url());
    });
    const deadline = Date.now() + 20_000;
    while ((await cellOf(TRICKY_KEY).count()) === 0) {
      if (Date.now() > deadline) throw new Error('the last sample never scrolled into view');
      await grid().evaluate((element) => element.scrollBy(0, element.clientHeight));
      await page.waitForTimeout(50);
    }
    expect(pageRequests).toEqual([expect.stringContaining('cursor=')]);
    expect(await cells().count()).toBeLessThan(100);
    expect(await page.locator('[role="gridcell"][data-index="0"]').count()).toBe(0);
    await page.waitForFunction((key) => {
      const img = document.querySelector<HTMLImageElement>(`[data-key="${key}"] img`);
      return img !== null && img.complete && img.naturalWidth > 0;
    }, TRICKY_KEY);
    await grid().evaluate((element) => element.scrollTo(0, element.scrollHeight));
    await browser.screenshot('05-grid-scrolled-to-end');
  });

  it('filters by name, status, type and folder, and sorts', async () => {
    await page.getByLabel('Name contains').fill('猫');
    await waitForGridStatus('1 sample');
    expect(await cells().getAttribute('data-key')).toBe(TRICKY_KEY);
    expect(decodeURIComponent(new URL(page.url()).search)).toBe('?q=猫');
    await browser.screenshot('06-filtered-by-name');
    await page.getByRole('button', { name: 'Clear filters' }).click();

    await page.getByLabel('Status').selectOption({ label: 'Unreadable' });
    await waitForGridStatus('1 sample');
    expect(await cells().getAttribute('data-key')).toBe('broken/corrupt.jpg');
    await page.getByLabel('Status').selectOption({ label: 'Any status' });

    await page.getByLabel('Type').selectOption({ label: '.png' });
    await waitForGridStatus('1 sample');
    expect(await cells().getAttribute('data-key')).toBe('pigs/pig.png');
    await page.getByLabel('Type').selectOption({ label: 'Any type' });

    await page.getByLabel('Folder').fill('cows');
    await waitForGridStatus('1 sample');
    expect(await cells().getAttribute('data-key')).toBe('cows/cow 1.jpg');
    await page.getByLabel('Folder').fill('');

    await page.getByLabel('Sort').selectOption({ label: 'Key, Z → A' });
    await page.locator('[role="gridcell"][data-index="0"]').waitFor();
    await page.waitForFunction((key) => document.querySelector('[data-index="0"]')?.getAttribute('data-key') === key, TRICKY_KEY);
    await page.getByLabel('Sort').selectOption({ label: 'Key, A → Z' });
    await page.waitForFunction(() => document.querySelector('[data-index="0"]')?.getAttribute('data-key') === 'broken/corrupt.jpg');
  });

  it('asks the server once for a freshly signed URL when the bucket refuses an image (an expired URL)', async () => {
    let refused = 0;
    await page.route(
      (url) => url.pathname.endsWith('/cows/cow%201.jpg'),
      async (route) => {
        refused += 1;
        await route.fulfill({
          status: 403,
          contentType: 'application/xml',
          body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
        });
      },
      { times: 1 },
    );
    const resigned = page.waitForRequest((request) => request.url().endsWith('/sample?key=cows%2Fcow%201.jpg'));
    await page.getByLabel('Folder').fill('cows');
    await waitForGridStatus('1 sample');
    await resigned;
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-key="cows/cow 1.jpg"] img');
      return img !== null && img.complete && img.naturalWidth > 0;
    });
    expect(refused).toBe(1);
    // Chromium logs the refused image; it is the one error this test provokes.
    expect(browser.errors.splice(0)).toEqual([expect.stringContaining('403')]);
    await page.getByLabel('Folder').fill('');
    await waitForGridStatus(`${TOTAL} samples`);
  });

  it('opens a sample with spaces, unicode, +, % and # in its key from the keyboard and loads the real image', async () => {
    await page.getByLabel('Name contains').fill('猫');
    await waitForGridStatus('1 sample');
    await page.getByLabel('Name contains').focus();
    await tabIntoGrid();
    expect(await activeElement('data-key')).toBe(TRICKY_KEY);
    await page.keyboard.press('Enter');

    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).toBe(TRICKY_KEY);
    expect(await dialog.locator('.sample-key-full').textContent()).toBe(TRICKY_KEY);
    expect(await dialog.getByText('96 × 64 px').count()).toBe(1);
    const fullImage = dialog.locator('.sample-detail-image img');
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.sample-detail-image img');
      return img !== null && img.complete && img.naturalWidth > 0;
    });
    expect(await fullImage.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(96);
    // The key reached S3 encoded exactly once: the proxy verified the presigned signature over it.
    expect(withCors.proxy.denied()).toEqual([]);
    await browser.screenshot('07-sample-detail');

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await activeElement('data-key')).toBe(TRICKY_KEY);
  });

  it('moves through the grid with the arrow keys and steps through samples in the detail', async () => {
    await page.getByLabel('Name contains').fill('sheep');
    await waitForGridStatus('More than 400 samples');
    await page.getByLabel('Name contains').focus();
    await tabIntoGrid();
    expect(await activeElement('data-index')).toBe('0');
    await page.keyboard.press('ArrowRight');
    expect(await activeElement('data-key')).toBe('many/sheep-0001.jpg');
    const columns = Number(await grid().getAttribute('aria-colcount'));
    await page.keyboard.press('ArrowDown');
    expect(await activeElement('data-index')).toBe(String(1 + columns));
    await page.keyboard.press('End');
    const lastOfSecondRow = 2 * columns - 1;
    expect(await activeElement('data-index')).toBe(String(lastOfSecondRow));

    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // The title names the folder too: many/01.jpg and other/01.jpg must not look alike.
    const name = (index: number) => `many/sheep-${String(index).padStart(4, '0')}.jpg`;
    expect(await dialog.getByRole('heading').textContent()).toBe(name(lastOfSecondRow));
    await page.keyboard.press('ArrowRight');
    await dialog.getByRole('heading', { name: name(lastOfSecondRow + 1) }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await activeElement('data-index')).toBe(String(lastOfSecondRow + 1));
  });

  it('lists the dataset with its sample count and last sync', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
    const row = page.getByRole('row', { name: /farm/ });
    await row.waitFor();
    expect(await row.textContent()).toContain(INPUT);
    expect(await row.locator('td.number').textContent()).toBe(TOTAL.toLocaleString('en'));
    expect(await row.textContent()).not.toContain('Never');
    await browser.screenshot('08-datasets');
  });

  it('shows a read-only user red write lights with the fix, and the CORS configuration to apply', async () => {
    await fillDatasetForm('farm-read-only', withoutCors.proxy.endpoint, readOnly);
    await page.getByRole('button', { name: 'Save and verify' }).click();
    const states = await lightStates();
    expect(states).toMatchObject({ list: 'ok', read: 'ok', write: 'denied', cors: 'denied' });
    expect(states.overwrite).not.toBe('ok');
    expect(states.delete).not.toBe('ok');
    const write = page.locator('.light[data-light="write"]');
    expect(await write.locator('.light-fix').textContent()).toContain(`arn:aws:s3:::${BUCKET}/${PREFIX}.winnow/probes/*`);
    expect(await write.textContent()).toContain('AccessDenied');

    const corsJson = await page.locator('.cors-result pre').textContent();
    const configuration = JSON.parse(corsJson ?? '') as Array<{ AllowedOrigins: string[]; AllowedMethods: string[] }>;
    expect(configuration[0]?.AllowedOrigins).toEqual([serve.url]);
    expect(configuration[0]?.AllowedMethods).toContain('GET');
    await page.getByRole('button', { name: 'Copy CORS configuration' }).click();
    await page.locator('.cors-result').getByText('Copied').waitFor();
    expect(JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))).toEqual(configuration);
    await browser.screenshot('09-verify-read-only', { fullPage: true });
  });

  it('creates a dataset that makes thumbnails through the form, and the grid shows them', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
    await fillDatasetForm('farm-thumbnails', withCors.proxy.endpoint, reference);
    await page.getByLabel('Include').fill('cows/**');
    await page.getByLabel('Make thumbnails').check();
    await page.getByLabel('Thumbnail size').fill('64');
    await page.getByRole('button', { name: 'Save and verify' }).click();
    expect(await lightStates()).toMatchObject({ write: 'ok' });
    await page.getByRole('link', { name: 'Open dataset' }).click();
    await page.getByRole('heading', { name: 'farm-thumbnails' }).waitFor();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('[data-sync-status="completed"]').waitFor({ timeout: 60_000 });
    const thumbnail = page.locator('[data-key="cows/cow 1.jpg"] img');
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-key="cows/cow 1.jpg"] img');
      return img !== null && img.src.includes('.winnow/thumbnails/') && img.complete && img.naturalWidth > 0;
    });
    expect(await thumbnail.evaluate((img: HTMLImageElement) => Math.max(img.naturalWidth, img.naturalHeight))).toBe(64);
    await browser.screenshot('10-thumbnails-from-the-form');
  });

  it('signs out, and signs back in with an API token', async () => {
    const created = await runCli(['token', 'create', 'browser-test'], { env: { WINNOW_HOME: home } });
    expect(created.code, created.stderr).toBe(0);
    const token = /wnw_[\w-]+/.exec(created.stdout)?.[0];
    expect(token).toBeDefined();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('API token').fill('wnw_not-a-token');
    await page.keyboard.press('Enter');
    await page.getByText('That API token is not valid.').waitFor();
    // Chromium logs every 4xx response; this one is the expected answer to a wrong token.
    expect(browser.errors.splice(0)).toEqual([expect.stringContaining('401 (Unauthorized)')]);
    await page.getByLabel('API token').fill(token!);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Datasets' }).waitFor();
  });

  it('deletes a dataset from its page and leaves every object in the bucket as it was, thumbnails included', async () => {
    const objects = async () => {
      const listed: string[] = [];
      let marker: string | undefined;
      do {
        const listing = await withCors.seed.send(new ListObjectsCommand({ Bucket: BUCKET, Marker: marker }));
        listed.push(...(listing.Contents ?? []).map((object) => `${object.Key} ${object.Size} ${object.ETag}`));
        marker = listing.IsTruncated ? listing.Contents?.at(-1)?.Key : undefined;
      } while (marker !== undefined);
      return listed.sort();
    };
    const before = await objects();
    expect(before.some((line) => line.includes('/.winnow/thumbnails/'))).toBe(true);
    await page.getByRole('link', { name: 'farm-thumbnails' }).click();
    await page.getByText('Policy and settings').click();
    await page.getByRole('button', { name: 'Delete dataset…' }).click();
    await page.getByRole('button', { name: 'Delete dataset', exact: true }).click();
    await page.getByRole('heading', { name: 'Datasets' }).waitFor();
    await page.getByRole('link', { name: 'farm-thumbnails' }).waitFor({ state: 'detached' });
    expect(await objects()).toEqual(before);
  });
});
