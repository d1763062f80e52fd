// The processes of a chaos run (stepup's, the simulator): each one's output kept in the run's log
// folder, every start and exit noted, an exit nobody asked for reported.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Where a run keeps every process's output: `CHAOS_LOG_DIR`, default `.chaos/<start time>/`, one
 * `<name>.log` per process (stdout and stderr, every restart appended, each exit noted).
 */
export const chaosLogDir = (() => {
  const dir = process.env.CHAOS_LOG_DIR ?? join('.chaos', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  return dir;
})();

/** An append-only log file of one process of the run. */
export function processLog(name: string): WriteStream {
  return createWriteStream(join(chaosLogDir, `${name}.log`), { flags: 'a' });
}

/**
 * A child process of the run whose output goes to its log file, each start and exit noted; an exit
 * nobody asked for (`signal` sets `stopping`) is reported at once and kept in `unexpectedExits`.
 */
export abstract class ChaosProcess {
  protected child: ChildProcess | undefined;
  protected exited: Promise<void> = Promise.resolve();
  protected stopping = false;
  private readonly log: WriteStream;
  /** Exits nobody asked for: a crash. The run reports them and fails. */
  readonly unexpectedExits: string[] = [];

  constructor(readonly name: string) {
    this.log = processLog(name);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  protected launch(args: string[], env: Record<string, string>): void {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.stopping = false;
    this.log.write(`[chaos] ${new Date().toISOString()} started, pid ${child.pid}\n`);
    child.stdout!.on('data', (chunk: Buffer) => this.log.write(chunk));
    child.stderr!.on('data', (chunk: Buffer) => {
      this.log.write(chunk);
      const text = chunk.toString();
      if (/error|Error/.test(text) && process.env.CHAOS_VERBOSE) process.stderr.write(`[${this.name}] ${text}`);
    });
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        const how = `exited (code ${code}, signal ${signal})`;
        this.log.write(`[chaos] ${new Date().toISOString()} ${how}${this.stopping ? '' : ' — not asked to'}\n`);
        if (!this.stopping) {
          this.unexpectedExits.push(`${this.name} ${how} at ${new Date().toISOString()}`);
          process.stderr.write(`[chaos] ${this.name} ${how} although nothing stopped it: see ${join(chaosLogDir, `${this.name}.log`)}\n`);
        }
        resolve();
      }),
    );
  }

  abstract start(): Promise<void>;
  abstract signal(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
}

/** kill -9, down for `ms`, started again: the fault of losing one process for a moment. */
export async function killFor(process: ChaosProcess, ms: number): Promise<void> {
  await process.signal('SIGKILL');
  await sleep(ms);
  await process.start();
}
