// A file created only when none is there yet (O_EXCL), holding this process's pid: how the suite's
// processes claim something between them (a port: free-port.ts; a build: file-built-once.ts).
import { closeSync, openSync, writeSync } from 'node:fs';

/** Creates `path` holding this process's pid; false when it exists already (another claim). */
export function claimWithPidFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  return true;
}
