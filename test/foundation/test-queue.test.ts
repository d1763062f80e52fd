// The suite's queue of test files (scripts/lib/test-queue.mjs) and its workers (scripts/lib/test-worker.mjs):
// every file runs exactly once, a worker busy with a long file takes nothing else meanwhile, a file that
// fails to load or whose `after` hook fails fails the run without stopping its worker, and what a worker
// shares across its files is closed after its last file, not its first.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
// @ts-expect-error -- a plain ES module of the runner's, without types
import { fillQueue, leftInQueue, takeNext, takenBy } from '../../scripts/lib/test-queue.mjs';

const runner = fileURLToPath(new URL('../../scripts/run-tests.mjs', import.meta.url));
const queueModule = new URL('../../scripts/lib/test-queue.mjs', import.meta.url).href;
const workerModule = new URL('../../scripts/lib/test-worker.mjs', import.meta.url).href;
const fixture = (name: string) => new URL(`../support/fixtures/queued/${name}.mjs`, import.meta.url).href;

const dir = mkdtempSync(join(tmpdir(), 'stepup-queue-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
/** The environment of a test process the runner starts, without this test's own runner context. */
const childEnv = (extra: Record<string, string>) => ({ ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_TEST_CONTEXT')), ...extra });

test('four processes taking from one queue at once take each of its 300 entries exactly once', async () => {
  const queueDir = join(dir, 'race');
  fillQueue(queueDir, Array.from({ length: 300 }, (_, index) => ({ url: `file:///${index}`, name: `file-${index}` })));
  // They start taking together, once all four are ready (each notes itself in the barrier folder and waits
  // for the others), and yield between takes, so that their taking overlaps on a loaded machine too.
  const barrier = join(dir, 'barrier');
  mkdirSync(barrier);
  const taker = `import { readdirSync, writeFileSync } from 'node:fs';
import { takeNext } from ${JSON.stringify(queueModule)};
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
writeFileSync(${JSON.stringify(barrier)} + '/' + process.argv[2], '');
while (readdirSync(${JSON.stringify(barrier)}).length < 4) await pause(5);
const taken = [];
for (let next; (next = takeNext(process.argv[1], process.argv[2])) !== undefined; await pause(1)) taken.push(next.name);
process.stdout.write(JSON.stringify(taken));`;
  const outputs = await Promise.all(
    [1, 2, 3, 4].map(
      (worker) =>
        new Promise<string[]>((resolve, reject) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', taker, queueDir, `worker-${worker}`], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.on('data', (chunk) => (out += chunk));
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`taker exited ${code}`))));
        }),
    ),
  );
  const all = outputs.flat();
  assert.equal(all.length, 300, 'every entry taken once, none twice');
  assert.equal(new Set(all).size, 300);
  assert.deepEqual(leftInQueue(queueDir), []);
  const byWorker = takenBy(queueDir) as Map<string, string[]>;
  assert.equal([...byWorker.values()].flat().length, 300);
  outputs.forEach((taken, index) => assert.deepEqual(byWorker.get(`worker-${index + 1}`) ?? [], taken, 'takenBy reports what each worker took, in its order'));
  assert.ok(outputs.filter((taken) => taken.length > 0).length >= 2, `the takers overlapped: ${outputs.map((taken) => taken.length)}`);
  assert.equal(takeNext(queueDir, 'worker-5'), undefined, 'an empty queue gives nothing');
});

test('two workers: each file once, the long file alone in its worker, failures reported, the root hook after the last file', () => {
  const queueDir = join(dir, 'workers');
  const log = join(dir, 'workers.log');
  writeFileSync(log, '');
  const names = ['long', 'broken', 'after-fails', 'quick-1', 'quick-2', 'quick-3'];
  fillQueue(queueDir, names.map((name) => ({ url: fixture(name), name })));
  const workers = [1, 2].map((index) => {
    const path = join(dir, `worker-${index}.test.mjs`);
    const options = { queueDir, worker: `worker-${index}`, preload: [fixture('root-hook')], fileTimeoutMs: 60_000 };
    writeFileSync(path, `import { runQueuedFiles } from ${JSON.stringify(workerModule)};\nawait runQueuedFiles(${JSON.stringify(options)});\n`);
    return path;
  });
  const run = spawnSync(process.execPath, [runner, '--run-files', ...workers], {
    env: childEnv({ TEST_CONCURRENCY: '2', QUEUE_LOG: log }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 1, `the load failure and the failed hook fail the run: ${run.stdout}`);
  assert.match(run.stdout, /✖ broken loads/, 'a file that fails to load is a failing test named after it');
  assert.match(run.stdout, /this file does not load/);
  assert.match(run.stdout, /✖ after-fails \(/, 'the file whose after hook failed is failed');
  assert.match(run.stdout, /this after hook fails/);
  assert.match(run.stdout, /ℹ fail 1\b/, 'the load failure counts as a failed test');
  assert.match(run.stdout, /ℹ pass 8\b/, `long, after-fails and two tests in each quick file passed: ${run.stdout}`);

  assert.deepEqual(leftInQueue(queueDir), []);
  const byWorker = takenBy(queueDir) as Map<string, string[]>;
  const longWorker = [...byWorker].find(([, files]) => files.includes('long'))!;
  assert.deepEqual(longWorker[1], ['long'], `the worker running the long file took nothing else meanwhile: ${JSON.stringify([...byWorker])}`);
  assert.deepEqual([...byWorker].find(([worker]) => worker !== longWorker[0])![1], names.slice(1), 'the other worker took the rest, in order');

  const notes = readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split(' '));
  const events = (pid: string) => notes.filter(([p]) => p === pid).map(([, what]) => what);
  const pidOf = (what: string) => notes.find(([, w]) => w === what)![0]!;
  assert.deepEqual(events(pidOf('long')), ['long', 'long-end', 'root-after'], 'the long worker: its file, then the root hook');
  const others = events(pidOf('quick-1'));
  assert.deepEqual(
    others,
    ['broken', 'after-fails', 'quick-1', 'quick-1-suite', 'quick-1-after', 'quick-2', 'quick-2-suite', 'quick-2-after', 'quick-3', 'quick-3-suite', 'quick-3-after', 'root-after'],
    'every file once, its own after hook at its end, the root hook once after the last file',
  );
  assert.equal(notes.filter(([, what]) => what === 'root-after').length, 2);
});

test('a worker still held open after its last file fails the run, naming what holds it, instead of living on', () => {
  const queueDir = join(dir, 'held');
  fillQueue(queueDir, [{ url: fixture('leaves-timer'), name: 'leaves-timer' }]);
  const path = join(dir, 'held-worker.test.mjs');
  writeFileSync(path, `import { runQueuedFiles } from ${JSON.stringify(workerModule)};\nawait runQueuedFiles(${JSON.stringify({ queueDir, worker: 'worker-1', exitWithinMs: 1000 })});\n`);
  const started = performance.now();
  const run = spawnSync(process.execPath, [runner, '--run-files', path], { env: childEnv({ TEST_CONCURRENCY: '1' }), encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.signal, null, `the worker ended by itself after ${((performance.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(run.status, 1, run.stdout);
  assert.match(run.stdout, /✔ leaves a timer/);
  assert.match(run.stdout + run.stderr, /worker-1 still running 1 s after its last test file, held by: .*Timeout/);
});
