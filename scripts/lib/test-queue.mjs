// The run's queue of test files (scripts/run-tests.mjs): a folder with one entry per file, numbered in the
// order they should start, which the test processes (workers) take one at a time until none is left. A
// worker takes an entry by renaming it into the folder of taken ones under its own name: rename is atomic,
// so two workers asking at once never both get it. A worker that finishes a file takes the next, so the
// workers end within one file of each other, however long each file turns out to take.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const pending = (queueDir) => join(queueDir, 'pending');
const taken = (queueDir) => join(queueDir, 'taken');
const entryName = (index) => String(index).padStart(5, '0');

/** Writes `files` ({ url, name }, in the order they should start) into a new queue in `queueDir`. */
export function fillQueue(queueDir, files) {
  mkdirSync(pending(queueDir), { recursive: true });
  mkdirSync(taken(queueDir), { recursive: true });
  files.forEach((file, index) => writeFileSync(join(pending(queueDir), entryName(index)), JSON.stringify(file)));
}

/** Takes the first entry no worker has taken, for `worker`; undefined once the queue is empty. */
export function takeNext(queueDir, worker) {
  for (const entry of readdirSync(pending(queueDir)).sort()) {
    const claimed = join(taken(queueDir), `${entry}.${worker}`);
    try {
      renameSync(join(pending(queueDir), entry), claimed);
    } catch (error) {
      if (error.code === 'ENOENT') continue; // another worker took it first
      throw error;
    }
    return JSON.parse(readFileSync(claimed, 'utf8'));
  }
  return undefined;
}

/** The files each worker took, in the order it took them: Map worker → names. */
export function takenBy(queueDir) {
  const byWorker = new Map();
  for (const entry of readdirSync(taken(queueDir)).sort()) {
    const worker = entry.slice(entry.indexOf('.') + 1);
    const { name } = JSON.parse(readFileSync(join(taken(queueDir), entry), 'utf8'));
    byWorker.set(worker, [...(byWorker.get(worker) ?? []), name]);
  }
  return byWorker;
}

/** The names of the files no worker took. */
export function leftInQueue(queueDir) {
  return readdirSync(pending(queueDir))
    .sort()
    .map((entry) => JSON.parse(readFileSync(join(pending(queueDir), entry), 'utf8')).name);
}
