import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's package (scripts/test-setup.sh installs it); playwright-core never downloads a browser here. */
export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-artifacts/screenshots');

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors, as "type: text (url)". */
  errors: string[];
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** Chromium with a fresh profile, one page, and every console error collected. */
export async function launchBrowser(options: { viewport?: { width: number; height: number } } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'winnow-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: options.viewport ?? { width: 1280, height: 860 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context,
    page,
    errors,
    screenshot: async (name, shotOptions = {}) => {
      const viewport = page.viewportSize();
      // The app scrolls inside <main>, so a "full page" means a window tall enough for all of main.
      const contentHeight = shotOptions.fullPage
        ? await page.evaluate(
            () => document.body.scrollHeight + (document.querySelector('main')?.scrollHeight ?? 0) - (document.querySelector('main')?.clientHeight ?? 0),
          )
        : 0;
      if (viewport && contentHeight > viewport.height) await page.setViewportSize({ width: viewport.width, height: contentHeight });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
      if (viewport && contentHeight > viewport.height) await page.setViewportSize(viewport);
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
