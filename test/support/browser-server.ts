// The test run's Chromium (started by scripts/run-tests.mjs when a chosen file uses a browser): one
// Playwright browser server, its WebSocket endpoint printed on a line of its own. Every test process
// connects to it (TEST_BROWSER_WS_ENDPOINT, test/support/browser.ts) instead of launching a Chromium of
// its own: a launch costs about 1.6 s of CPU, and a run's browser files are spread over about ten
// processes. Each test still gets a browser context of its own. Closes Chromium and exits when its
// stdin closes (the runner is done) or on SIGINT/SIGTERM.
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from './chromium-launch.ts';

const server = await chromium.launchServer({ ...chromiumLaunchOptions(), host: '127.0.0.1' });
process.stdout.write(`${server.wsEndpoint()}\n`);
let closing = false;
const close = () => {
  if (closing) return;
  closing = true;
  void server.close().then(() => process.exit(0));
};
process.stdin.on('end', close).resume();
process.once('SIGTERM', close);
