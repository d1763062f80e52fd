// The browser tests' Chromium (test/support/browser.ts): one per test process, shared by its tests, each
// with a context of its own, and closed once the process's tests have run, so the process exits.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { disabledFeatures, launchTestBrowser } from '../support/browser.ts';
import { runTestFile } from '../support/run-test-file.ts';

/** The command lines of this process's Chromium browser processes (its children named chromium). */
function chromiumCommandLines(): string[][] {
  const lines: string[][] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== process.pid || !stat.includes('(chromium')) continue;
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'));
    } catch {
      // A process that ended while being read.
    }
  }
  return lines;
}

describe('one Chromium per test process', () => {
  test('two tests share it, each with its own cookies and storage, and the process exits when they end', async () => {
    const { code, output, lingeredMs } = await runTestFile('browser-across-tests.ts');
    assert.equal(code, 0, output);
    assert.match(output, /# pass 2/);
    // Well under the idle bound (30 s): the end-of-tests hook closed Chromium.
    assert.ok(lingeredMs < 5_000, `the process stayed ${lingeredMs} ms after its tests: Chromium kept it alive\n${output}`);
  });

  test('with no context open for TEST_BROWSER_IDLE_MS, it closes by itself (in case the end-of-tests hook never runs)', async () => {
    const { code, output } = await runTestFile('browser-idle.ts', { TEST_BROWSER_IDLE_MS: '1000' });
    assert.equal(code, 0, output);
    assert.match(output, /# pass 2/);
  });

  test("a context's page is its only page: no omnibox popup beside it, which cost a renderer of its own", async () => {
    const browser = await launchTestBrowser();
    try {
      await browser.context.newPage();
      const session = await browser.context.browser()!.newBrowserCDPSession();
      const { targetInfos } = await session.send('Target.getTargets');
      await session.detach();
      assert.deepEqual(targetInfos.filter((target) => target.type === 'browser_ui').map((target) => target.url), []);
      assert.ok(targetInfos.some((target) => target.type === 'page'));
    } finally {
      await browser.close();
    }
  });

  test("its --disable-features, the last on Chromium's command line and so the one it reads, keeps playwright's", async () => {
    const browser = await launchTestBrowser();
    try {
      const [commandLine, ...others] = chromiumCommandLines();
      assert.ok(commandLine, 'no Chromium child of this process found');
      assert.equal(others.length, 0);
      const lists = commandLine.filter((arg) => arg.startsWith('--disable-features=')).map((arg) => arg.slice('--disable-features='.length).split(','));
      assert.ok(lists.length >= 1);
      assert.deepEqual(lists.at(-1), disabledFeatures);
      const dropped = lists.flat().filter((feature) => !disabledFeatures.includes(feature));
      assert.deepEqual(dropped, [], 'playwright disables features that test/support/browser.ts does not repeat');
    } finally {
      await browser.close();
    }
  });
});
