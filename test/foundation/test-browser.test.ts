// The browser tests' Chromium (test/support/browser.ts): in a run, the run's one Chromium that every
// test process connects to; a file run on its own launches one per process. Either way it is shared by
// the process's tests, each with a context of its own, and closed (or disconnected from) once the
// process's tests have run, so the process exits.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../support/chromium-launch.ts';
import { runTestFile } from '../support/run-test-file.ts';

/** A test process launching its own Chromium, as a file run on its own does (not the run's). */
const ownChromium = { TEST_BROWSER_WS_ENDPOINT: '' };

describe("the browser tests' Chromium", () => {
  test("in a run, the test processes use the run's Chromium: none launches its own, and it outlives them", async () => {
    const server = await chromium.launchServer({ ...chromiumLaunchOptions(), host: '127.0.0.1' });
    try {
      for (const _process of [1, 2]) {
        const { code, output, lingeredMs } = await runTestFile('browser-connected.ts', { TEST_BROWSER_WS_ENDPOINT: server.wsEndpoint() }, 1);
        assert.equal(code, 0, output);
        assert.match(output, /# pass 1/);
        assert.ok(lingeredMs < 5_000, `the process stayed ${lingeredMs} ms after its tests\n${output}`);
      }
      const after = await chromium.connect(server.wsEndpoint());
      assert.ok(after.isConnected(), "the run's Chromium is still there for the next process");
      await after.close();
    } finally {
      await server.close();
    }
  });

  test('a process launching its own: two tests share it, each with its own cookies and storage, and the process exits when they end', async () => {
    const { code, output, lingeredMs } = await runTestFile('browser-across-tests.ts', ownChromium);
    assert.equal(code, 0, output);
    assert.match(output, /# pass 2/);
    // Well under the idle bound (30 s): the end-of-tests hook closed Chromium.
    assert.ok(lingeredMs < 5_000, `the process stayed ${lingeredMs} ms after its tests: Chromium kept it alive\n${output}`);
  });

  test('a process launching its own: with no context open for TEST_BROWSER_IDLE_MS, it closes by itself (in case the end-of-tests hook never runs)', async () => {
    const { code, output } = await runTestFile('browser-idle.ts', { ...ownChromium, TEST_BROWSER_IDLE_MS: '1000' });
    assert.equal(code, 0, output);
    assert.match(output, /# pass 2/);
  });
});
