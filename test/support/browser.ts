// Headless Chromium for browser tests (Debian chromium at CHROMIUM_PATH, driven by playwright-core).
// One Chromium per test process, launched at first use: each test gets a browser context of its own
// (its own cookies, storage and cache, as a new profile would have) that close() closes. Launching
// Chromium costs about 1.6 s of CPU, and a process runs several browser test files. The browser
// closes once the process's tests have all run, or after TEST_BROWSER_IDLE_MS (30 s) with no context
// open (its child processes would keep the test process alive), and is launched again if it crashed.
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { afterProcessTests } from './after-process-tests.ts';

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

const idleMs = Number(process.env.TEST_BROWSER_IDLE_MS ?? 30_000);

/**
 * Chromium features the tests' browser runs without. Chromium reads only the last `--disable-features`
 * of its command line, so this one repeats playwright-core's own (1.65: its `chromiumSwitches`), which it
 * replaces; `test/foundation/test-browser.test.ts` fails when playwright's list holds one this does not.
 * Added: the omnibox popup as a WebUI page (Chromium 156 opens one with every window, and every context's
 * first page is a window: a renderer of its own, about 1 s of CPU per context, the pages' own being a
 * fraction of that), and the spare renderer Chromium keeps started for a page of another site (a test's
 * pages are on one site, 127.0.0.1 or localhost, so the spare went unused: a renderer per context).
 */
export const disabledFeatures = [
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades', 'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay', 'MediaRouter', 'PaintHolding', 'ThirdPartyStoragePartitioning', 'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin', 'OptimizationHints', 'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch',
  'msForceBrowserSignIn', 'msEdgeUpdateLaunchServicesPreferredVersion',
  'WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup', 'SpareRendererForSitePerProcess',
];
let shared: Promise<Browser> | undefined;
let openContexts = 0;
let idleCloser: NodeJS.Timeout | undefined;

const closeShared = async (): Promise<void> => {
  clearTimeout(idleCloser);
  const browser = shared;
  shared = undefined;
  if (browser) await (await browser.catch(() => undefined))?.close();
};

afterProcessTests(closeShared);

function sharedBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH;
  if (!executablePath) throw new Error("CHROMIUM_PATH is not set: run `npm test` (it installs Debian's chromium and sets it)");
  shared ??= chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--disable-features=${disabledFeatures.join(',')}`],
  });
  return shared;
}

export async function launchTestBrowser(): Promise<TestBrowser> {
  clearTimeout(idleCloser);
  openContexts += 1;
  let context: BrowserContext;
  try {
    let browser = await sharedBrowser();
    if (!browser.isConnected()) {
      shared = undefined;
      browser = await sharedBrowser();
    }
    context = await browser.newContext();
  } catch (error) {
    openContexts -= 1;
    throw error;
  }
  let closed = false;
  return {
    context,
    close: async () => {
      if (closed) return;
      closed = true;
      await context.close();
      openContexts -= 1;
      // Unreferenced: an open browser keeps the process alive anyway, and a closed one needs no timer.
      if (openContexts === 0) idleCloser = setTimeout(() => void closeShared(), idleMs).unref();
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
  await signInToConsole(page, url, token);
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { browser, page };
}

/**
 * Opens the console at `url` on `page` and signs in with `token` (signing out first when the page's
 * session is still signed in), until the Tenants page shows. When it does not, the error says what the
 * page shows instead and how the console's API calls were answered.
 */
export async function signInToConsole(page: Page, url: string, token: string): Promise<void> {
  const answers: string[] = [];
  const noteAnswer = (response: Response) => {
    const { pathname } = new URL(response.url());
    // The console's API calls, not its files.
    if (pathname.startsWith('/admin/') && !pathname.startsWith('/admin/assets/')) answers.push(`${response.request().method()} ${pathname} ${response.status()}`);
  };
  page.on('response', noteAnswer);
  try {
    await page.goto(`${url}/admin`);
    // The console asks for its session before it shows a page: the sign-in page's heading, or a signed-in one's.
    await page.getByRole('heading', { level: 1 }).waitFor();
    const signOut = page.getByRole('button', { name: 'Sign out' });
    if (await signOut.isVisible()) {
      await signOut.click();
      // Signed out once the console hides the button again, with its sign-in page shown.
      await signOut.waitFor({ state: 'hidden' });
    }
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Tenants' }).waitFor();
  } catch (error) {
    const shown = await page.locator('main').innerText({ timeout: 1_000 }).catch(() => '(unreadable)');
    throw new Error(`not signed in to the console: ${(error as Error).message.split('\n')[0]}\nthe page shows: ${shown.slice(0, 500)}\nthe API answered: ${answers.join(', ')}`, { cause: error });
  } finally {
    page.off('response', noteAnswer);
  }
}
