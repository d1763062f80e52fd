// Private Redis and PostgreSQL servers owned by one test, so it can stop and restart them.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort } from './free-port.ts';

async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export class PrivateRedis {
  private process: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly options: { appendOnly: boolean; dir: string },
  ) {}

  /** appendOnly: keep data across a restart in an append-only file, as production Redis does. */
  static async start(options: { appendOnly?: boolean } = {}): Promise<PrivateRedis> {
    const dir = mkdtempSync(join(tmpdir(), 'stepup-redis-'));
    const redis = new PrivateRedis(await freePort(), { appendOnly: options.appendOnly ?? false, dir });
    await redis.resume();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async resume(): Promise<void> {
    const bin = process.env.REDIS_SERVER_BIN || 'redis-server';
    const persistence = this.options.appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no'];
    this.process = spawn(bin, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.options.dir, ...persistence], { stdio: 'ignore' });
    await waitForPort(this.port);
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.options.dir, { recursive: true, force: true });
  }
}

/** Runs a PostgreSQL tool from PG_BIN_DIR (as the postgres account when we are root: PostgreSQL refuses root). */
export function runPostgresTool([tool, ...args]: string[]): void {
  const bin = process.env.PG_BIN_DIR;
  if (!bin) throw new Error('PG_BIN_DIR is not set: run the suite with `npm test`');
  const executable = join(bin, tool!);
  if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', executable, ...args], { stdio: 'ignore' });
  else execFileSync(executable, args, { stdio: 'ignore' });
}

/** A fresh temporary folder PostgreSQL may write to (owned by postgres when we are root). */
export function postgresDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  return dir;
}

export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  private static run(args: string[]): void {
    runPostgresTool(args);
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = postgresDir('stepup-pgtest-');
    const pg = new PrivatePostgres(await freePort(), dir);
    PrivatePostgres.run(['initdb', '-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync']);
    await pg.resume();
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async resume(): Promise<void> {
    PrivatePostgres.run(['pg_ctl', '-D', join(this.dir, 'data'), '-w', '-l', join(this.dir, 'log'), '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
    await waitForPort(this.port);
  }

  /** immediate: a crash (no checkpoint, clients cut); fast: a clean shutdown that still cuts clients. */
  async stop(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    PrivatePostgres.run(['pg_ctl', '-D', join(this.dir, 'data'), '-m', mode, 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
