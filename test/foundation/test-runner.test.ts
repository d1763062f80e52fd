// The suite's runner (scripts/run-tests.mjs): a test process that never ends fails its file after
// TEST_FILE_TIMEOUT_MS, named in the report, and is ended, instead of holding the whole run (and CI)
// for ever or living on after it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('../../scripts/run-tests.mjs', import.meta.url));
const neverExits = fileURLToPath(new URL('../support/fixtures/never-exits.mjs', import.meta.url));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a test process that never exits fails its file after TEST_FILE_TIMEOUT_MS, is ended, and the run ends', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stepup-runner-'));
  const pidFile = join(dir, 'pid');
  let pid: number | undefined;
  t.after(() => {
    if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const started = performance.now();
  const run = spawnSync(process.execPath, [runner, '--run-files', neverExits], {
    // Without this test's own runner context (NODE_TEST_CONTEXT), as `npm test` starts it.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_TEST_CONTEXT')), TEST_FILE_TIMEOUT_MS: '3000', NEVER_EXITS_PID_FILE: pidFile },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const seconds = (performance.now() - started) / 1000;
  pid = Number(readFileSync(pidFile, 'utf8'));
  assert.equal(run.signal, null, `the runner ended by itself (after ${seconds.toFixed(1)} s): ${run.stdout}`);
  assert.equal(run.status, 1, run.stdout);
  assert.match(run.stdout, /never-exits\.mjs/);
  assert.match(run.stdout, /timed out after 3000ms/);
  assert.equal(alive(pid), false, `the test process ${pid} was ended with the run`);
});
