// The system under test for `npm run chaos`: a private PostgreSQL and Redis, one stepup API process
// and two worker processes, the telephony simulator, all on 127.0.0.1, each of which a fault can
// kill, stop or restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrivatePostgres, PrivateRedis } from '../test/support/services.ts';
import { freePort } from '../test/support/test-server.ts';
import { productionNodeFlags } from '../src/server/node-flags.ts';
import { createSimulator, type Simulator } from '../src/telephony/simulator/create-simulator.ts';

export const accountSid = 'AC00000000000000000000000000000000';
const authToken = 'chaos-simulator-auth-token';
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

/** One stepup process (role api or worker) that can be killed and started again with the same settings. */
export class StepupProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly log: WriteStream;
  /** Set while the run itself stops the process (a fault or the end of the run). */
  private stopping = false;
  /** Exits nobody asked for: a crash. The run reports them and fails. */
  readonly unexpectedExits: string[] = [];

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
    private readonly readyUrl?: string,
  ) {
    this.log = processLog(name);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [...productionNodeFlags, '--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
    if (!this.readyUrl) return;
    for (let tries = 0; tries < 600; tries += 1) {
      if (!this.running) throw new Error(`${this.name} exited during start-up`);
      if (await fetch(this.readyUrl).then((r) => r.ok, () => false)) return;
      await sleep(50);
    }
    throw new Error(`${this.name} did not become ready`);
  }

  /** Sends a signal and waits for the process to exit (SIGTERM: at most `graceMs`, then SIGKILL). */
  async signal(signal: 'SIGKILL' | 'SIGTERM', graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.child!.kill(signal);
    const killed = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(killed);
  }
}

export interface Cluster {
  apiUrl: string;
  adminToken: string;
  postgres: PrivatePostgres;
  redis: PrivateRedis;
  api: StepupProcess;
  workers: StepupProcess[];
  simulator: Simulator;
  simUrl: string;
  close(): Promise<void>;
}

export async function startCluster(options: { workers?: number } = {}): Promise<Cluster> {
  const postgres = await PrivatePostgres.start();
  // Redis with an append-only file, as production runs it: a restart keeps the queues.
  const redis = await PrivateRedis.start({ appendOnly: true });
  const simulator = createSimulator({ accountSid, authToken, ringDelayMs: 300 });
  const simServer = http.createServer(simulator.app);
  await new Promise<void>((resolve) => simServer.listen(0, '127.0.0.1', () => resolve()));
  const simUrl = `http://127.0.0.1:${(simServer.address() as AddressInfo).port}`;

  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const adminToken = `chaos-admin-${randomBytes(18).toString('base64url')}`;
  const env: Record<string, string> = {
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: '{chaos}',
    PUBLIC_BASE_URL: apiUrl,
    ADMIN_TOKEN: adminToken,
    MASTER_KEY: randomBytes(32).toString('base64'),
    TWILIO_ACCOUNT_SID: accountSid,
    TWILIO_AUTH_TOKEN: authToken,
    TWILIO_FROM: '+82215880000',
    TWILIO_API_BASE_URL: simUrl,
    ALLOW_LOOPBACK_CALLBACKS: 'true',
    ARS_RETRY_DELAY_SCALE: '0.05',
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_MS: '5000',
    RATE_LIMIT_PER_KEY_PER_MINUTE: '100000',
  };
  const api = new StepupProcess('api', { ...env, STEPUP_ROLE: 'api', PORT: String(apiPort), HOST: '127.0.0.1' }, `${apiUrl}/readyz`);
  const workers = Array.from({ length: options.workers ?? 2 }, (_, index) => new StepupProcess(`worker-${index + 1}`, { ...env, STEPUP_ROLE: 'worker', PORT: '0' }));
  // The API migrates the database first; workers start on a migrated schema.
  await api.start();
  await Promise.all(workers.map((worker) => worker.start()));

  return {
    apiUrl,
    adminToken,
    postgres,
    redis,
    api,
    workers,
    simulator,
    simUrl,
    async close() {
      await Promise.all([api, ...workers].map((process) => process.signal('SIGKILL')));
      simulator.close();
      simServer.closeAllConnections();
      await new Promise<void>((resolve) => simServer.close(() => resolve()));
      await redis.destroy();
      await postgres.destroy();
    },
  };
}
