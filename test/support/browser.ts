// Headless Chromium for browser tests (Debian chromium at CHROMIUM_PATH, driven by playwright-core),
// with a fresh profile per launch that close() removes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchTestBrowser(): Promise<TestBrowser> {
  const executablePath = process.env.CHROMIUM_PATH;
  if (!executablePath) throw new Error('CHROMIUM_PATH is not set: source /work/svc/env.sh or run `npm test`');
  const userDataDir = mkdtempSync(join(tmpdir(), 'stepup-chromium-'));
  // playwright passes the profile as --user-data-dir.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** A browser with one page at the console's screenshot size (1280 × 860). */
export async function launchTestPage(): Promise<{ browser: TestBrowser; page: Page }> {
  const browser = await launchTestBrowser();
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 860 });
  return { browser, page };
}

/** Waits until the page shows exactly `count` Chart.js charts (`canvas[data-chart]`), each drawn with data. */
export async function waitForCharts(page: Page, count: number): Promise<void> {
  await page.waitForFunction((expected) => {
    const canvases = [...document.querySelectorAll('canvas[data-chart]')];
    const Chart = (window as unknown as { Chart?: { getChart(canvas: Element): { data: { datasets: unknown[] } } | undefined } }).Chart;
    return canvases.length === expected && canvases.every((canvas) => (Chart?.getChart(canvas)?.data.datasets.length ?? 0) > 0);
  }, count);
}

/**
 * A fresh browser's page signed in to the console at `url` with `token` (1280 × `height`). Script errors
 * go to `errors`, and console errors once signed in (the session probe before sign-in answers 401 by design).
 */
export async function signedInConsole(url: string, token: string, errors: string[], height = 1100): Promise<{ browser: TestBrowser; page: Page }> {
  const browser = await launchTestBrowser();
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  await page.goto(`${url}/admin`);
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Tenants' }).waitFor();
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { browser, page };
}
