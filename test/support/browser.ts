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
