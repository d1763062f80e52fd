// Closing what a test process shares across its test files (the PGlite pool's idle databases, the
// browser) once all of the process's tests have run.
import { AsyncResource } from 'node:async_hooks';
import { after } from 'node:test';

/** The scope this module was first loaded in: a test file's top level, outside any test. */
const processScope = new AsyncResource('stepup-after-process-tests');

/**
 * Runs `close` after the process's last test: a hook of node's root test, which runs last, registered
 * from the scope this module was first loaded in. Registered from inside a test instead, it would be that
 * test's hook. Loaded for the first time from inside a test, the hook did not run at all: whoever
 * registers one also closes what it holds after a spell idle.
 */
export function afterProcessTests(close: () => unknown): void {
  processScope.runInAsyncScope(() => after(close));
}
