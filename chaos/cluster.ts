// The system under test for `npm run chaos`: a PostgreSQL primary and streaming replica behind
// HAProxy, a Redis primary and replica under
// three sentinels, two stepup API processes behind HAProxy (test/support/api-balancer.ts: the bank
// and the simulator's webhooks go through it) and two worker processes, the telephony simulator (a
// process too), all on 127.0.0.1, each of which a fault can kill, freeze, fill up or restart.
import { join } from 'node:path';
import { ChaosProcess, chaosLogDir, processLog } from './chaos-process.ts';
import { randomBytes } from 'node:crypto';
import { PostgresFailoverSet } from '../test/support/pg-failover.ts';
import { RedisSentinelSet } from '../test/support/redis-sentinels.ts';
import { freePort } from '../test/support/free-port.ts';
import { ApiBalancer } from '../test/support/api-balancer.ts';
import { productionNodeFlags } from '../src/server/node-flags.ts';
import { SimMirror, SimulatorProcess } from './sim-process.ts';
import type { RedisLoss } from './redis-loss.ts';
import { nodeEntry } from '../test/support/node-entry.ts';

export const accountSid = 'AC00000000000000000000000000000000';
/** stepup's QUEUE_PREFIX in the run (BullMQ keys and stepup's own keys start with it). */
export const queuePrefix = '{chaos}';
const authToken = 'chaos-simulator-auth-token';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How long a stepup process of the cluster may take to answer /readyz after it is launched. */
const startWithinMs = 90_000;

/** One stepup process (role api or worker) that can be killed and started again with the same settings. */
export class StepupProcess extends ChaosProcess {
  constructor(
    name: string,
    private readonly env: Record<string, string>,
    private readonly readyUrl?: string,
  ) {
    super(name);
  }

  async start(): Promise<void> {
    this.launch([...productionNodeFlags, ...nodeEntry('src/main.ts')], this.env);
    if (!this.readyUrl) return;
    // Up to 90 s: a whole run's first minute, when the cluster starts beside three test processes loading
    // their modules on two cores, once kept a process from listening for the 30 s this was before.
    const deadline = performance.now() + startWithinMs;
    let last = 'not listening';
    while (performance.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited during start-up`);
      const answer = await fetch(this.readyUrl).then(
        async (r) => (r.ok ? undefined : `${r.status} ${await r.text()}`),
        () => 'not listening',
      );
      if (answer === undefined) return;
      last = answer;
      await sleep(50);
    }
    throw new Error(`${this.name} did not become ready within ${startWithinMs / 1000} s (last: ${last}; its log: ${join(chaosLogDir, `${this.name}.log`)})`);
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

/** How long the sentinels wait before they call the primary down (down-after-milliseconds). */
export const sentinelDownAfterMs = 5000;

export interface Cluster {
  /** HAProxy in front of the API processes: the bank's and the webhooks' address (PUBLIC_BASE_URL). */
  apiUrl: string;
  adminToken: string;
  /** PostgreSQL as production runs it: a primary and a streaming replica behind HAProxy (stepup connects to HAProxy). */
  postgres: PostgresFailoverSet;
  /** Redis as production runs it: a primary and a replica, three sentinels (stepup connects through them). */
  redis: RedisSentinelSet;
  /** The API processes behind the balancer; a fault stops one at a time. */
  apis: StepupProcess[];
  balancer: ApiBalancer;
  workers: StepupProcess[];
  simulator: SimulatorProcess;
  /** Every call the simulator reported (its event stream), across its restarts. */
  mirror: SimMirror;
  simUrl: string;
  /** What each loss of the Redis primary (fault 12) lost to asynchronous replication. */
  redisLosses: Promise<RedisLoss>[];
  close(): Promise<void>;
}

export async function startCluster(options: { workers?: number; apis?: number } = {}): Promise<Cluster> {
  // What is started so far, stopped again if a later step fails: a run whose start fails leaves no
  // PostgreSQL, Redis or HAProxy behind on the machine (they had, and slowed the runs after).
  const stops: (() => Promise<void>)[] = [];
  try {
    return await startEach(options, stops);
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}

async function startEach(options: { workers?: number; apis?: number }, stops: (() => Promise<void>)[]): Promise<Cluster> {
  const postgres = await PostgresFailoverSet.start();
  stops.push(() => postgres.destroy());
  // Redis with an append-only file, as production runs it: a restart keeps the queues. The
  // sentinels fail over after 5 s: a 3 s restart is a restart, a lost server is a failover.
  const redis = await RedisSentinelSet.start({ appendOnly: true, downAfterMs: sentinelDownAfterMs });
  stops.push(() => redis.destroy());
  const simulator = new SimulatorProcess(await freePort(), { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, SIM_RING_DELAY_MS: '300', LOG_LEVEL: 'warn' });
  stops.push(() => simulator.signal('SIGKILL'));
  await simulator.start();
  const simUrl = simulator.url;
  const mirror = new SimMirror(simUrl);
  mirror.start();
  stops.push(async () => mirror.stop());

  const balancer = await ApiBalancer.reserve();
  stops.push(() => balancer.stop());
  const apiPorts = await Promise.all(Array.from({ length: options.apis ?? 2 }, () => freePort()));
  const apiUrl = balancer.url;
  const adminToken = `chaos-admin-${randomBytes(18).toString('base64url')}`;
  const env: Record<string, string> = {
    DATABASE_URL: postgres.url,
    REDIS_SENTINELS: redis.sentinelsEnv,
    REDIS_SENTINEL_NAME: redis.name,
    QUEUE_PREFIX: queuePrefix,
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
    TWILIO_REQUEST_TIMEOUT_MS: '5000',
    RATE_LIMIT_PER_KEY_PER_MINUTE: '100000',
    // Every client of the run — the bank, the telephony provider's webhooks, the probe — is 127.0.0.1,
    // as behind one load balancer: the per-address cap must cover them all (docs/security.md, L6).
    // With the default 256 the bank's retries during an outage filled it and Twilio's webhooks were
    // refused with them (docs/reliability.md, "Runs of the new faults").
    MAX_CONNECTIONS_PER_ADDRESS: '0',
  };
  const apis = apiPorts.map((port, index) => new StepupProcess(`api-${index + 1}`, { ...env, STEPUP_ROLE: 'api', PORT: String(port), HOST: '127.0.0.1' }, `http://127.0.0.1:${port}/readyz`));
  const workers = Array.from({ length: options.workers ?? 2 }, (_, index) => new StepupProcess(`worker-${index + 1}`, { ...env, STEPUP_ROLE: 'worker', PORT: '0' }));
  stops.push(async () => {
    await Promise.all([...apis, ...workers].map((process) => process.signal('SIGKILL')));
  });
  // The first API migrates the database; the other processes start on a migrated schema.
  await apis[0]!.start();
  await Promise.all([...apis.slice(1), ...workers].map((process) => process.start()));
  const balancerLog = processLog('haproxy');
  await balancer.start({ ports: apiPorts, accessLog: true }, (chunk) => balancerLog.write(chunk));

  return {
    apiUrl,
    adminToken,
    postgres,
    redis,
    apis,
    balancer,
    workers,
    simulator,
    mirror,
    simUrl,
    redisLosses: [],
    async close() {
      await Promise.all([...apis, ...workers].map((process) => process.signal('SIGKILL')));
      await balancer.stop();
      mirror.stop();
      await simulator.signal('SIGKILL');
      await redis.destroy();
      await postgres.destroy();
    },
  };
}
