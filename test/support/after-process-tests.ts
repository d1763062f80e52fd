// Closing what a test process shares across its test files (the PGlite pool's idle databases, the
// browser) once all of the process's tests have run.
import { after } from 'node:test';

const closers = new Set<() => unknown>();

// One hook of node's root test, registered as this module loads (a test file's top level, before its
// tests run), that runs every closer registered by then. node runs the root's `after` hooks once its
// last top-level test or suite has ended; a hook registered after that (as the PGlite pool did, from
// the handing back of a database in a file's last `after` hook) never runs, and the process lived on
// until the idle bounds closed what was open (30 s). Loaded for the first time from inside a test, this
// is that test's hook instead, and runs when that test ends.
after(() => Promise.all([...closers].map((close) => close())));

/**
 * Runs `close` after the process's last test; register it before that test ends (best, as the module
 * that holds the resource loads). Whoever registers one also closes what it holds after a spell idle.
 */
export function afterProcessTests(close: () => unknown): void {
  closers.add(close);
}
