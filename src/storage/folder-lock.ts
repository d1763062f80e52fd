// One process per embedded-database folder (docs/reliability.md). PGlite has no lock of its own: two
// processes on one folder both answered ready and wrote the same files, and two started at once
// corrupted it. The holder's pid (and, on Linux, its start time, so a reused pid is not mistaken for
// it) is written to `<folder>.lock`, created exclusively; a lock whose process is gone (kill -9, a
// crash) is taken over, a live one refuses the start with a message naming the folder and the holder.
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

interface LockOwner {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot), or null where /proc is missing. */
  startTicks: string | null;
  command: string;
  since: string;
}

export class FolderInUseError extends Error {
  constructor(folder: string, owner: LockOwner) {
    super(
      `the embedded database folder ${folder} is in use by process ${owner.pid} (${owner.command}, since ${owner.since}). ` +
        'One process per PGlite folder: stop that process or choose another DATA_DIR; to run several processes ' +
        '(api and worker apart, or more than one), set DATABASE_URL to a PostgreSQL server.',
    );
    this.name = 'FolderInUseError';
  }
}

function startTicksOf(pid: number): string | null {
  try {
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const ticks = startTicksOf(owner.pid);
  return owner.startTicks === null || ticks === null || ticks === owner.startTicks;
}

const readOwner = (path: string): LockOwner | null => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
};

/**
 * Throws FolderInUseError when a live process holds `folder`, without taking it: a command that
 * binds ports before it opens the database (the demo) says who holds the folder first.
 */
export function assertFolderFree(folder: string): void {
  const owner = readOwner(`${folder}.lock`);
  if (owner && owner.pid !== process.pid && isAlive(owner)) throw new FolderInUseError(folder, owner);
}

export interface FolderLock {
  release(): void;
}

/** Takes `<folder>.lock` for this process, or throws FolderInUseError. */
export function lockFolder(folder: string): FolderLock {
  const path = `${folder}.lock`;
  const me: LockOwner = { pid: process.pid, startTicks: startTicksOf(process.pid), command: process.argv.slice(1).join(' ').slice(0, 200), since: new Date().toISOString() };
  // Written whole under a private name, then linked into place: link fails when the lock exists,
  // so exactly one of several processes starting at once gets it, and nobody reads a half-written one.
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, JSON.stringify(me));
  try {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        linkSync(draft, path);
        return ownLock(path, me);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = readOwner(path);
      if (owner && isAlive(owner)) throw new FolderInUseError(folder, owner);
      takeOverStale(path, owner);
    }
    throw new Error(`could not take the lock ${path}: it kept changing hands`);
  } finally {
    unlinkSync(draft);
  }
}

/**
 * Moves a dead holder's lock aside. Another process may have taken it over in the meantime: if what
 * was moved aside is not the dead holder's, it is linked back for its live owner.
 */
function takeOverStale(path: string, seen: LockOwner | null): void {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readOwner(aside);
  if (moved && seen && moved.pid !== seen.pid && isAlive(moved)) {
    try {
      linkSync(aside, path);
    } catch {
      // A third process holds it now: the next attempt reads it.
    }
  }
  unlinkSync(aside);
}

function ownLock(path: string, me: LockOwner): FolderLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    const owner = readOwner(path);
    if (owner?.pid === me.pid && owner.since === me.since) unlinkSync(path);
  };
  process.on('exit', release);
  return { release };
}
