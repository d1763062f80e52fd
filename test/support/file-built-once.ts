// A file the suite's processes build once between them and then read: the first to ask builds it
// under a lock file (created exclusively, holding its pid), the others wait for the file. The
// in-memory PGlite dump is one (test/support/pglite-snapshot.ts): a run on a fresh machine starts
// four test processes at once, and each built the same dump (several seconds of CPU each).
//
// The file is written under another name and renamed, so no process reads it half-written. A lock
// whose process is gone (killed while building) is taken over; a waiter that waited `waitMs` builds
// the file itself.
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { claimWithPidFile } from './pid-file.ts';

export interface BuildOnceOptions {
  /** How often a waiting process looks for the file (ms). */
  pollMs?: number;
  /** How long a process waits for another's build before building itself (ms). */
  waitMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const readIfThere = (path: string): Uint8Array | undefined => {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** True when the process named in the lock file is gone (or the file names none). */
function lockAbandoned(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lock, 'utf8'));
  } catch {
    return false; // Gone already: the next look finds the file or takes the lock.
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function buildAndWrite(path: string, build: () => Promise<Uint8Array>): Promise<Uint8Array> {
  const bytes = await build();
  const partial = `${path}.${randomBytes(4).toString('hex')}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, path);
  return bytes;
}

/** The file at `path`: read when there, else built by `build` in one of the processes asking at once. */
export async function fileBuiltOnce(path: string, build: () => Promise<Uint8Array>, options: BuildOnceOptions = {}): Promise<Uint8Array> {
  const pollMs = options.pollMs ?? 100;
  const waitUntil = Date.now() + (options.waitMs ?? 120_000);
  const lock = `${path}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  for (;;) {
    const there = readIfThere(path);
    if (there) return there;
    if (claimWithPidFile(lock)) {
      try {
        // Another process may have finished between the look above and taking the lock.
        return readIfThere(path) ?? (await buildAndWrite(path, build));
      } finally {
        try {
          unlinkSync(lock);
        } catch {
          // Taken over by a waiter that found this process gone (it was not: pid reuse); nothing to undo.
        }
      }
    }
    if (Date.now() > waitUntil) return buildAndWrite(path, build);
    if (lockAbandoned(lock)) {
      try {
        unlinkSync(lock);
      } catch {
        // Another waiter took it over first.
      }
      continue;
    }
    await sleep(pollMs);
  }
}
