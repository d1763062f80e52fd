// A test process of scripts/run-tests.mjs that runs test files from the run's queue (test-queue.mjs) one
// at a time until the queue is empty, each file as a suite of its own named by its path, so that the
// workers end within one file of each other and each pays one process start-up.
//
// node's test runner runs its root's `after` hooks (those that close what a process shares across files:
// test/support/after-process-tests.ts) as soon as no top-level test or suite is running or waiting. So a
// file's suite takes the next file from the queue in its first `after` hook, before it ends: the next
// suite is then waiting, and the root's hooks run only after the last file. The suite is created in the
// root's async context (`rootScope`): created from inside the hook, it would be a child of the ending suite.
import { appendFileSync } from 'node:fs';
import { AsyncResource } from 'node:async_hooks';
import { after, describe, test } from 'node:test';
import { takeNext } from './test-queue.mjs';

/**
 * Runs the queue's files in this process. `preload`: modules to load first, at the root (modules that
 * register the root's hooks); `fileTimeoutMs`: the longest a file's tests may take; `timesFile`: where
 * each file's wall and CPU time are noted (TEST_TIMES=1); `exitWithinMs`: how long after its last file the
 * process may live on.
 */
export async function runQueuedFiles({ queueDir, worker, preload = [], fileTimeoutMs = Infinity, timesFile, exitWithinMs = 60_000 }) {
  for (const url of preload) await import(url);
  // After the last file and the preloaded modules' hooks, the process must end by itself: something
  // still holding it (a child process, a server a file left open) fails the run, named, within
  // `exitWithinMs`, instead of holding it until the process's timeout.
  after(() => {
    setTimeout(() => {
      process.stderr.write(`[stepup] ${worker} still running ${exitWithinMs / 1000} s after its last test file, held by: ${process.getActiveResourcesInfo().join(', ')}\n`);
      process.exit(1);
    }, exitWithinMs).unref();
  });
  const rootScope = new AsyncResource('stepup-test-queue');
  const startNext = () => {
    const next = takeNext(queueDir, worker);
    if (next === undefined) return;
    const wallAtStart = performance.now();
    const cpuAtStart = process.cpuUsage();
    const noteTimes = () => {
      if (!timesFile) return;
      const { user, system } = process.cpuUsage(cpuAtStart);
      appendFileSync(timesFile, `${JSON.stringify({ testFile: next.name, worker, wallMs: performance.now() - wallAtStart, cpuMs: (user + system) / 1000 })}\n`);
    };
    rootScope.runInAsyncScope(() =>
      describe(next.name, { timeout: fileTimeoutMs }, async () => {
        // First of the suite's `after` hooks: it runs even when the file's own hooks fail.
        after(() => {
          noteTimes();
          startNext();
        });
        try {
          await import(next.url);
        } catch (error) {
          // A file that fails to load is a failing test named after it.
          test(`${next.name} loads`, () => {
            throw error;
          });
        }
      }),
    );
  };
  startNext();
}
