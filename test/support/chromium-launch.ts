// How the suite launches headless Chromium (Debian's chromium at CHROMIUM_PATH, driven by
// playwright-core): by a test process (test/support/browser.ts), or once for a whole run
// (test/support/browser-server.ts).
import type { LaunchOptions } from 'playwright-core';

export function chromiumLaunchOptions(): LaunchOptions & { executablePath: string } {
  const executablePath = process.env.CHROMIUM_PATH;
  if (!executablePath) throw new Error('CHROMIUM_PATH is not set: run `npm test` (it installs Debian\'s chromium and sets it)');
  return {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  };
}
