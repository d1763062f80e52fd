// Runs a fixture test file (test/support/fixtures/) in a process of its own, as the suite's runner
// would, for tests of what a test process leaves open when its tests end.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { nodeEntry } from './node-entry.ts';

/**
 * Runs `fixture`, whose last test is its `lastTest`-th, and says how long the process lived after that
 * test passed. A process still alive after 90 s is killed, so a hang fails the calling test instead of
 * holding it. (30 s was too short on a loaded machine: with the suite's files on one core, a fixture that
 * loads the server's modules and a PGlite from the dump had not passed its first test after 30 s.)
 */
export async function runTestFile(fixture: string, env: Record<string, string> = {}, lastTest = 2): Promise<{ code: number | null; output: string; lingeredMs: number }> {
  const child = spawn(process.execPath, ['--test-reporter=tap', ...nodeEntry(join(import.meta.dirname, 'fixtures', fixture))], {
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let reportedAt = 0;
  const passed = new RegExp(`^ok ${lastTest} `, 'm');
  child.stdout.on('data', (chunk) => {
    output += chunk;
    if (passed.test(output) && !reportedAt) reportedAt = Date.now();
  });
  child.stderr.on('data', (chunk) => (output += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(killer);
  assert.ok(reportedAt > 0, `test ${lastTest} never passed\n${output}`);
  return { code, output, lingeredMs: Date.now() - reportedAt };
}
