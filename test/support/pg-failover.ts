// A PostgreSQL primary, its streaming replica and HAProxy in front (docs/deployment.md,
// "PostgreSQL"), all on 127.0.0.1: stepup's DATABASE_URL names HAProxy. The replica is in HAProxy's
// backend but disabled: a replica is read-only and can be behind, so no connection may reach it
// before it is promoted (HAProxy's pgsql-check cannot tell a primary from a replica). `failOver()`
// kills the primary, promotes the replica and enables it on HAProxy's admin socket, as Patroni or an
// operator would; restarts (`stop`/`resume`) act on whichever server is the primary now.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.ts';
import { postgresDir, runPostgresTool } from './services.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const runPg = (tool: string, args: string[]) => runPostgresTool([tool, ...args]);

export class PostgresFailoverSet {
  private haproxy: ChildProcess | undefined;
  /** The data folder of the server that is the primary now. */
  private current: 'primary' | 'replica' = 'primary';

  private constructor(
    private readonly dir: string,
    readonly primaryPort: number,
    readonly replicaPort: number,
    readonly proxyPort: number,
  ) {}

  /** DATABASE_URL for stepup: through HAProxy. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.proxyPort}/postgres`;
  }

  static async start(): Promise<PostgresFailoverSet> {
    const dir = postgresDir('stepup-pgha-');
    const set = new PostgresFailoverSet(dir, await freePort(), await freePort(), await freePort());
    try {
      await set.startAll();
    } catch (error) {
      // Nothing left running: a HAProxy child would keep the test's process alive for ever.
      await set.destroy();
      throw error;
    }
    return set;
  }

  private async startAll(): Promise<void> {
    const dir = this.dir;
    runPg('initdb', ['-D', join(dir, 'primary'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    this.pgStart('primary', this.primaryPort);
    runPg('pg_basebackup', ['-h', '127.0.0.1', '-p', String(this.primaryPort), '-U', 'postgres', '-D', join(dir, 'replica'), '-R', '-X', 'stream']);
    this.pgStart('replica', this.replicaPort);
    const config = join(dir, 'haproxy.cfg');
    writeFileSync(
      config,
      [
        'global',
        '  maxconn 500',
        `  stats socket ${join(dir, 'haproxy.sock')} level admin`,
        'defaults',
        '  mode tcp',
        '  timeout connect 2s',
        '  timeout client 30m',
        '  timeout server 30m',
        // A check answered late on a busy machine is not a dead server (without this, the check's
        // timeout is its 250 ms interval, and two slow answers cut every session: seen in a loaded run).
        // A crashed server refuses the connection at once, so a failover is still seen within 0.5 s.
        '  timeout check 2s',
        'frontend postgres',
        `  bind 127.0.0.1:${this.proxyPort}`,
        '  default_backend postgres',
        'backend postgres',
        '  option pgsql-check user postgres',
        // A server marked down has its sessions cut: the pool sees them die instead of hanging.
        '  default-server inter 250ms fall 2 rise 2 on-marked-down shutdown-sessions',
        `  server primary 127.0.0.1:${this.primaryPort} check`,
        `  server replica 127.0.0.1:${this.replicaPort} check disabled`,
        '',
      ].join('\n'),
    );
    this.haproxy = spawn(process.env.HAPROXY_BIN || 'haproxy', ['-db', '-f', config], { stdio: 'ignore' });
    await this.waitForQuery(this.url);
  }

  private pgStart(name: string, port: number): void {
    runPg('pg_ctl', ['-D', join(this.dir, name), '-w', '-l', join(this.dir, `${name}.log`), '-o', `-p ${port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c wal_level=replica -c hot_standby=on`, 'start']);
  }

  private async waitForQuery(url: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => undefined);
      const ok = await client.connect().then(() => client.query('SELECT 1')).then(() => true, () => false);
      await client.end().catch(() => undefined);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`no answer on ${url}`);
      await sleep(100);
    }
  }

  /** Waits until the replica has replayed everything the primary has written so far. */
  async replicaCaughtUp(): Promise<void> {
    const primary = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${this.primaryPort}/postgres` });
    const replica = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${this.replicaPort}/postgres` });
    await primary.connect();
    await replica.connect();
    try {
      const target = (await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
      for (;;) {
        const behind = (await replica.query<{ behind: boolean }>('SELECT pg_last_wal_replay_lsn() < $1::pg_lsn AS behind', [target])).rows[0]!.behind;
        if (!behind) return;
        await sleep(50);
      }
    } finally {
      await primary.end();
      await replica.end();
    }
  }

  /**
   * The primary crashes (immediate shutdown, not restarted); the replica is promoted and HAProxy
   * sends connections to it. Afterwards there is no replica (restarts act on the new primary).
   */
  async failOver(): Promise<void> {
    runPg('pg_ctl', ['-D', join(this.dir, 'primary'), '-m', 'immediate', 'stop']);
    runPg('pg_ctl', ['-D', join(this.dir, 'replica'), '-w', 'promote']);
    await this.haproxyCommand('disable server postgres/primary');
    await this.haproxyCommand('enable server postgres/replica');
    this.current = 'replica';
  }

  /** Stops the current primary (immediate: a crash; fast: a clean restart that still cuts clients). */
  async stop(mode: 'immediate' | 'fast'): Promise<void> {
    runPg('pg_ctl', ['-D', join(this.dir, this.current), '-m', mode, 'stop']);
  }

  async resume(): Promise<void> {
    this.pgStart(this.current, this.current === 'primary' ? this.primaryPort : this.replicaPort);
  }

  /** One command on HAProxy's admin socket (its runtime API). */
  private haproxyCommand(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      let answer = '';
      const socket = net.connect(join(this.dir, 'haproxy.sock'), () => socket.end(`${command}\n`));
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  async destroy(): Promise<void> {
    this.haproxy?.kill('SIGKILL');
    for (const name of ['primary', 'replica']) {
      try {
        runPg('pg_ctl', ['-D', join(this.dir, name), '-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
