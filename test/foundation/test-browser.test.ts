// The browser tests' Chromium (test/support/browser.ts): one per test process, shared by its tests, each
// with a context of its own, and closed once the process's tests have run, so the process exits.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runTestFile } from '../support/run-test-file.ts';

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
});
