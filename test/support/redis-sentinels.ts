// A replicated Redis watched by three sentinels, all on 127.0.0.1, for failover tests and the chaos
// run: a primary, one replica, and sentinels (quorum 2) that promote the replica when the primary
// has been unreachable for `downAfterMs`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForPing(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    const ok = await client.connect().then(() => client.ping()).then(() => true, () => false);
    client.disconnect();
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis on ${port} did not answer`);
    await sleep(100);
  }
}

export class RedisSentinelSet {
  readonly name = 'stepup-primary';
  private readonly servers = new Map<number, ChildProcess>();
  private readonly sentinelProcesses: ChildProcess[] = [];
  private appendOnly = false;

  private constructor(
    private readonly dir: string,
    readonly dataPorts: number[],
    readonly sentinelPorts: number[],
  ) {}

  /** `REDIS_SENTINELS` for stepup. */
  get sentinelsEnv(): string {
    return this.sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',');
  }

  static async start(options: { downAfterMs?: number; appendOnly?: boolean } = {}): Promise<RedisSentinelSet> {
    const dir = mkdtempSync(join(tmpdir(), 'stepup-sentinel-'));
    const set = new RedisSentinelSet(dir, [await freePort(), await freePort()], [await freePort(), await freePort(), await freePort()]);
    set.appendOnly = options.appendOnly ?? false;
    try {
      await set.startAll(options);
    } catch (error) {
      // Nothing left running: a Redis child would keep the test's process alive for ever.
      await set.destroy();
      throw error;
    }
    return set;
  }

  private async startAll(options: { downAfterMs?: number }): Promise<void> {
    const dir = this.dir;
    const [primary, replica] = this.dataPorts as [number, number];
    await this.startServer(primary);
    await this.startServer(replica, primary);
    for (const port of this.sentinelPorts) {
      const file = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${this.name} 127.0.0.1 ${primary} 2`,
          `sentinel down-after-milliseconds ${this.name} ${options.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${this.name} 10000`,
          `sentinel parallel-syncs ${this.name} 1`,
          '',
        ].join('\n'),
      );
      this.sentinelProcesses.push(spawn(process.env.REDIS_SERVER_BIN || 'redis-server', [file, '--sentinel'], { stdio: 'ignore' }));
      await waitForPing(port);
    }
    // The sentinels know the replica once they have read the primary's INFO.
    await this.waitFor(async (sentinel) => (await sentinel.call('SENTINEL', 'REPLICAS', this.name)) as unknown[], (replicas) => replicas.length >= 1, 'the sentinels to see the replica');
  }

  private async startServer(port: number, replicaOf?: number): Promise<void> {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir, '--dbfilename', `dump-${port}.rdb`, '--appenddirname', `aof-${port}`, '--appendonly', this.appendOnly ? 'yes' : 'no'];
    if (replicaOf !== undefined) args.push('--replicaof', '127.0.0.1', String(replicaOf));
    this.servers.set(port, spawn(process.env.REDIS_SERVER_BIN || 'redis-server', args, { stdio: 'ignore' }));
    await waitForPing(port);
  }

  /** The port the sentinels name as primary now. */
  async primaryPort(): Promise<number> {
    const sentinel = new Redis({ port: this.sentinelPorts[0]!, host: '127.0.0.1' });
    try {
      const [, port] = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name)) as [string, string];
      return Number(port);
    } finally {
      sentinel.disconnect();
    }
  }

  /** `redis://` of the server the sentinels name as primary now. */
  async primaryUrl(): Promise<string> {
    return `redis://127.0.0.1:${await this.primaryPort()}`;
  }

  /**
   * Starts a killed server again from its files. The sentinels make it a replica of the current
   * primary if it is no longer the primary itself.
   */
  async restart(port: number): Promise<void> {
    await this.startServer(port);
  }

  /** kill -9 the primary (the server is lost, not restarted). Returns its port. */
  async killPrimary(): Promise<number> {
    const port = await this.primaryPort();
    const child = this.servers.get(port);
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    }
    return port;
  }

  /** Waits until the sentinels name another primary than `oldPort`; returns the new one. */
  async waitForNewPrimary(oldPort: number, timeoutMs = 30_000): Promise<number> {
    const reply = await this.waitFor(
      async (sentinel) => (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name)) as [string, string],
      (address) => Number(address[1]) !== oldPort,
      'a new primary',
      timeoutMs,
    );
    return Number(reply[1]);
  }

  private async waitFor<T>(ask: (sentinel: Redis) => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
    const sentinel = new Redis({ port: this.sentinelPorts[0]!, host: '127.0.0.1' });
    try {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await ask(sentinel);
        if (done(value)) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(100);
      }
    } finally {
      sentinel.disconnect();
    }
  }

  async destroy(): Promise<void> {
    for (const child of [...this.servers.values(), ...this.sentinelProcesses]) if (child.exitCode === null) child.kill('SIGKILL');
    await sleep(100);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
