import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchBrowser, type Browser } from './browser.js';
import { AZURITE_ACCOUNT, startAzurite, type Azurite } from '../support/azurite.js';
import { freshHome } from '../support/cli.js';
import { startServe, type ServeProcess } from '../support/serve.js';

const image = (name: string) => readFileSync(resolve(import.meta.dirname, '../fixtures/images', name));
const KEYS = ['cows/cow 1.jpg', 'pigs/ç ü 猫 + % # x.png'];

let azurite: Azurite;
let serve: ServeProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/test-setup.sh (apt-get install chromium).`);
  azurite = await startAzurite();
  await azurite.createContainer('images');
  await azurite.putBlobs('images', [
    { key: `farm/${KEYS[0]}`, body: image('cat.jpg') },
    { key: `farm/${KEYS[1]}`, body: image('coffee.png') },
  ]);
  // Azurite listens on loopback: the operator allows private endpoints for API users.
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
  await azurite?.stop();
});

afterEach(() => {
  expect(browser.errors, 'console errors').toEqual([]);
});

describe('the create form for other stores', () => {
  it('offers presets for s3:// and asks for what the chosen one needs', async () => {
    await page.getByRole('link', { name: 'New dataset' }).click();
    await page.getByLabel('Resource path').fill('s3://photos/farm/');
    await page.getByLabel('Storage').selectOption({ label: 'Cloudflare R2' });
    await page.getByLabel('Account ID').waitFor();
    expect(await page.getByLabel('Region').count()).toBe(0);
    expect(await page.getByLabel('SSE-KMS key').count()).toBe(0);
    await page.getByLabel('Storage').selectOption({ label: 'Amazon S3' });
    await page.getByLabel('Region').waitFor();
  });

  it('connects an Azure container with a SAS token, verifies it and shows its images through Winnow', async () => {
    await page.getByLabel('Name').fill('azure-farm');
    await page.getByLabel('Resource path').fill(`azure://${AZURITE_ACCOUNT}/images/farm/`);
    expect(await page.getByLabel('Access key ID').count()).toBe(0);
    await page.getByLabel('SAS token').fill(azurite.containerSas('images', 'rcwdl'));
    await page.getByLabel('Endpoint').fill(azurite.endpoint);
    await browser.screenshot('azure-01-create', { fullPage: true });
    await page.getByRole('button', { name: 'Save and verify' }).click();
    await page.locator('.light[data-light="delete"]').waitFor({ timeout: 30_000 });
    const lights = await page.evaluate(() =>
      Object.fromEntries([...document.querySelectorAll<HTMLElement>('.light')].map((light) => [light.dataset.light, light.dataset.state])),
    );
    expect(lights).toMatchObject({ list: 'ok', read: 'ok', write: 'ok', overwrite: 'ok', delete: 'ok' });
    expect(await page.locator('.light[data-light="list"] .light-call').textContent()).toContain('SAS l (list)');

    await page.getByRole('link', { name: 'Open dataset' }).click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('[data-sync-status="completed"]').waitFor({ timeout: 60_000 });
    // Both images load from Winnow's own route: the SAS token is never handed to the browser.
    await page.waitForFunction(
      (count) => [...document.querySelectorAll<HTMLImageElement>('.cell img')].filter((img) => img.complete && img.naturalWidth > 0).length === count,
      KEYS.length,
    );
    const sources = await page.evaluate(() => [...document.querySelectorAll<HTMLImageElement>('.cell img')].map((img) => img.src));
    for (const source of sources) {
      expect(new URL(source).origin).toBe(serve.url);
      expect(source).not.toContain('sig=');
    }
    await browser.screenshot('azure-02-grid');
  });
});
