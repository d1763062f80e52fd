// Files the suite's processes build once between them (test/support/file-built-once.ts): on a fresh
// machine, the four test processes a run starts at once each built the same PGlite dump.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript } from '../support/run-script.ts';
import { within } from '../support/within.ts';

const fixture = 'test/support/fixtures/build-file-once.ts';

describe('a file built once by the processes asking for it', () => {
  test('three processes asking at once: one builds it, all three get its bytes, no lock is left', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stepup-built-once-'));
    try {
      const env = { BUILT_FILE: join(folder, 'dump', 'file.bin'), BUILDS_LOG: join(folder, 'builds.log') };
      const runs = await Promise.all([runScript(fixture, env), runScript(fixture, env), runScript(fixture, env)]);
      for (const run of runs) assert.equal(run.code, 0, run.output);
      const builders = readFileSync(env.BUILDS_LOG, 'utf8').trim().split('\n');
      assert.equal(builders.length, 1, `built by ${builders.join(', ')}`);
      for (const run of runs) assert.equal(run.output, `built by ${builders[0]}`);
      assert.equal(readFileSync(env.BUILT_FILE, 'utf8'), `built by ${builders[0]}`);
      assert.equal(existsSync(`${env.BUILT_FILE}.lock`), false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('a lock held longer than the wait by a live process: the waiter builds the file itself, leaving the lock to its holder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stepup-built-once-'));
    try {
      const env = { BUILT_FILE: join(folder, 'file.bin'), BUILDS_LOG: join(folder, 'builds.log'), BUILD_WAIT_MS: '300' };
      // This test's own process holds the lock and never builds: a holder stuck while building.
      writeFileSync(`${env.BUILT_FILE}.lock`, String(process.pid));
      const run = await within(10_000, runScript(fixture, env), 'the waiter to build the file itself');
      assert.equal(run.code, 0, run.output);
      const builders = readFileSync(env.BUILDS_LOG, 'utf8').trim().split('\n');
      assert.equal(builders.length, 1);
      assert.equal(run.output, `built by ${builders[0]}`);
      assert.equal(readFileSync(`${env.BUILT_FILE}.lock`, 'utf8'), String(process.pid));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('a lock left by a process that died while building is taken over', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stepup-built-once-'));
    try {
      const env = { BUILT_FILE: join(folder, 'file.bin'), BUILDS_LOG: join(folder, 'builds.log') };
      const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      writeFileSync(`${env.BUILT_FILE}.lock`, gone.stdout);
      const run = await runScript(fixture, env);
      assert.equal(run.code, 0, run.output);
      const builders = readFileSync(env.BUILDS_LOG, 'utf8').trim().split('\n');
      assert.equal(builders.length, 1);
      assert.equal(run.output, `built by ${builders[0]}`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
