// test: slow, about 26 s
// One process per PGlite folder (docs/reliability.md): two processes on one DATA_DIR both answered
// ready and wrote the same files (two started at once corrupted the folder). The second is refused at
// start with a message naming the folder and the process holding it; a holder killed with kill -9
// leaves a lock that the next start takes over.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig, ConfigError } from '../../src/config/config.ts';
import { nodeEntry } from '../support/node-entry.ts';

const opener = join(import.meta.dirname, '../support/open-pglite-folder.ts');
const children: ChildProcessWithoutNullStreams[] = [];

function openInChild(folder: string): { child: ChildProcessWithoutNullStreams; verdict: Promise<string> } {
  const child = spawn(process.execPath, [...nodeEntry(opener), folder], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const verdict = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child exited ${code} without a verdict`)));
  });
  return { child, verdict };
}

// One folder for both tests: the first process to open it runs initdb (several seconds of CPU), the
// later ones only open it. Neither test needs a fresh folder.
const folder = join(mkdtempSync(join(tmpdir(), 'stepup-lock-')), 'pglite');
after(() => rmSync(join(folder, '..'), { recursive: true, force: true }));

const exited = (child: ChildProcessWithoutNullStreams) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
/** Ends every child still running (a test that failed half-way leaves its holder). */
const endChildren = () => Promise.all(children.splice(0).map((child) => (child.kill('SIGKILL'), exited(child))));

test('two processes started at once on a fresh folder: exactly one opens it', { timeout: 120_000 }, async () => {
  try {
    const both = [openInChild(folder), openInChild(folder)];
    const verdicts = await Promise.all(both.map((one) => one.verdict));
    assert.equal(verdicts.filter((v) => v.startsWith('open ')).length, 1, verdicts.join(' | '));
    assert.equal(verdicts.filter((v) => v.startsWith('refused ')).length, 1, verdicts.join(' | '));
    for (const one of both) one.child.stdin.end();
    await Promise.all(both.map((one) => exited(one.child)));
  } finally {
    await endChildren();
  }
});

test('a second process on a held folder is refused, naming the folder and the holder; after kill -9 the folder opens again', { timeout: 120_000 }, async () => {
  try {
    const first = openInChild(folder);
    assert.equal(await first.verdict, `open ${first.child.pid}`);
    const second = openInChild(folder);
    const refused = await second.verdict;
    assert.match(refused, /^refused /);
    assert.ok(refused.includes(folder), refused);
    assert.ok(refused.includes(`process ${first.child.pid}`), refused);
    assert.match(refused, /DATABASE_URL/);
    await exited(second.child);
    first.child.kill('SIGKILL');
    await exited(first.child);
    const third = openInChild(folder);
    assert.equal(await third.verdict, `open ${third.child.pid}`, 'a dead holder\'s lock is taken over');
    third.child.stdin.end();
    await exited(third.child);
    // Closed cleanly: the lock is gone with it.
    const fourth = openInChild(folder);
    assert.equal(await fourth.verdict, `open ${fourth.child.pid}`);
    fourth.child.stdin.end();
    await exited(fourth.child);
  } finally {
    await endChildren();
  }
});

test('STEPUP_ROLE=api or worker on the embedded database is refused with a pointer to DATABASE_URL', () => {
  const masterKey = Buffer.alloc(32, 7).toString('base64');
  for (const role of ['api', 'worker']) {
    assert.throws(
      () => loadConfig({ MASTER_KEY: masterKey, STEPUP_ROLE: role }),
      (error: unknown) => error instanceof ConfigError && /STEPUP_ROLE/.test(error.message) && /DATABASE_URL/.test(error.message),
    );
    assert.equal(loadConfig({ MASTER_KEY: masterKey, STEPUP_ROLE: role, DATABASE_URL: 'postgres://db.internal/stepup' }).role, role);
  }
  assert.equal(loadConfig({ MASTER_KEY: masterKey }).role, 'all');
});
