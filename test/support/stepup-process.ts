// A stepup process (src/main.ts, STEPUP_ROLE api or worker) started for real as a child process, so
// a test can SIGTERM it, kill -9 it, pin it to a CPU or start it again. Its output is kept for the
// test's failure message. `startProcessWorld` puts a database, the simulator, API processes and a
// worker together.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { productionNodeFlags } from '../../src/server/node-flags.ts';
import { StepupClient } from '../../src/client/stepup-client.ts';
import { loopbackFetch } from './loopback-fetch.ts';
import { createPostgresDatabase } from './databases.ts';
import { redisUrl } from './test-server.ts';
import { freePort } from './free-port.ts';
import { startSim, twilioEnv, fastArs, type SimFixture } from '../ars/ars-fixture.ts';
import { nodeEntry } from './node-entry.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class StepupChild {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** The last 20 kB of its output (every start). */
  output = '';

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
    /** /readyz (or /healthz) to wait for at start; none for a worker. */
    private readonly readyUrl?: string,
  ) {}

  get pid(): number | undefined {
    return this.running ? this.child!.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [...productionNodeFlags, ...nodeEntry('src/main.ts')], { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    if (!this.readyUrl) return;
    for (let tries = 0; tries < 1200; tries += 1) {
      if (!this.running) throw new Error(`${this.name} exited during start-up: ${this.output}`);
      if (await fetch(this.readyUrl).then((r) => r.ok, () => false)) return;
      await sleep(100);
    }
    throw new Error(`${this.name} did not become ready: ${this.output}`);
  }

  /** Sends `signal`; does not wait (see `waitForExit`). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child!.kill(signal);
  }

  waitForExit(): Promise<void> {
    return this.exited;
  }

  async stop(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }
}

export interface ProcessWorld {
  /** The telephony simulator, in the test's process. */
  sim: SimFixture;
  databaseUrl: string;
  adminToken: string;
  /** API processes (STEPUP_ROLE=api) on `ports`, each listening on 127.0.0.1. */
  apis: StepupChild[];
  ports: number[];
  worker: StepupChild;
  close(): Promise<void>;
}

/**
 * A fresh PostgreSQL database, the simulator, `apis` API processes and one worker process, sharing
 * Redis (REDIS_URL) and every setting. `publicBaseUrl` is where the bank and Twilio reach them (a
 * load balancer, or the first API); `env` adds or overrides settings.
 */
export async function startProcessWorld(options: { apis: number; publicBaseUrl?: string; env?: Record<string, string> }): Promise<ProcessWorld> {
  const database = await createPostgresDatabase();
  const sim = await startSim();
  const ports = await Promise.all(Array.from({ length: options.apis }, () => freePort()));
  const adminToken = `adm-${randomBytes(18).toString('base64url')}`;
  const env: Record<string, string> = {
    ...twilioEnv(sim),
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: `{t${randomBytes(4).toString('hex')}}`,
    PUBLIC_BASE_URL: options.publicBaseUrl ?? `http://127.0.0.1:${ports[0]}`,
    ADMIN_TOKEN: adminToken,
    MASTER_KEY: randomBytes(32).toString('base64'),
    ALLOW_LOOPBACK_CALLBACKS: 'true',
    LOG_LEVEL: 'warn',
    AUTH_FAILURE_LIMIT_PER_MINUTE: '1000',
    HOST: '127.0.0.1',
    // As in startTestServer: a busy machine must not make these processes shed bank requests; the
    // test of shedding sets its own bound.
    MAX_EVENT_LOOP_LAG_MS: '0',
    ...options.env,
  };
  const apis = ports.map((port, index) => new StepupChild(`api-${index + 1}`, { ...env, STEPUP_ROLE: 'api', PORT: String(port) }, `http://127.0.0.1:${port}/readyz`));
  const worker = new StepupChild('worker', { ...env, STEPUP_ROLE: 'worker', PORT: '0' });
  const close = async () => {
    for (const process of [...apis, worker]) await process.stop();
    await sim.close();
    await database.drop();
  };
  try {
    // The first API migrates the database; the other processes start on a migrated schema.
    await apis[0]!.start();
    await Promise.all([...apis.slice(1), worker].map((process) => process.start()));
  } catch (error) {
    await close();
    throw error;
  }
  return { sim, databaseUrl: database.url, adminToken, apis, ports, worker, close };
}

/** A tenant with the tests' fast ARS policy, made through `baseUrl` with the admin token; its bank client. */
export async function arsTenant(baseUrl: string, adminToken: string): Promise<StepupClient> {
  const admin = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await loopbackFetch(baseUrl + path, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await response.json()) as any;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const tenant = await admin('POST', '/admin/v1/tenants', { name: 'Test Bank', bankName: 'Test Bank', allowLoopbackCallbacks: true, policyApproval: { required: false } });
  const key = await admin('POST', `/admin/v1/tenants/${tenant.id}/keys`, {});
  const policy = await admin('GET', `/admin/v1/tenants/${tenant.id}/policy`);
  const document = { ...policy.document, channels: { ...policy.document.channels, ars: { ...policy.document.channels.ars, ...fastArs } } };
  await admin('PUT', `/admin/v1/tenants/${tenant.id}/policy`, document, { 'if-match': `"v${policy.version}"` });
  return new StepupClient({ baseUrl, fetch: loopbackFetch, credentials: { keyId: key.keyId, secret: key.secret } });
}
