// Starts a real stepup server (HTTP + workers) on 127.0.0.1 with real Redis and PGlite or PostgreSQL.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';
import type { Channel } from '../../src/channels/channel.ts';
import type { Db } from '../../src/storage/db.ts';
import { channelModules, type ChannelModule } from '../../src/server/channel-modules.ts';
import { StepupClient } from '../../src/client/stepup-client.ts';
import { loopbackFetch } from './loopback-fetch.ts';
import { pglitePool } from './pglite-pool.ts';
import type { DbKind } from './databases.ts';
import { postgresPool } from './postgres-pool.ts';
import { freePort } from './free-port.ts';

export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run the suite with `npm test`, which starts a private Redis');
  return url;
}

export interface TestServerOptions {
  db?: DbKind;
  env?: Record<string, string>;
  channels?: Channel[];
  /** Capture every log line (for redaction tests). */
  captureLogs?: boolean;
  /** Channel modules instead of the shipped ones (e.g. ARS with a test vetter). */
  modules?: ChannelModule[];
  /** Wraps the server's database (e.g. `(db) => (faulty = new FaultyDb(db))` from faulty-db.ts). */
  wrapDb?: (db: Db) => Db;
  /** The server's clock for new challenges (see middayClock). */
  clock?: () => Date;
  /** The server's clock for bank request signatures (created, expires): tests move it past the windows. */
  authClock?: () => Date;
}

/**
 * A clock running at real speed but set forward so that it is about noon in `timeZone` when the
 * test starts: daily totals cannot be split by midnight during a run, whenever the suite runs.
 * Only forward, so expiry and the sweeper never fire early.
 */
export function middayClock(timeZone = 'Asia/Seoul'): () => Date {
  const offsetMs = middayClockOffsetMs(timeZone);
  return () => new Date(Date.now() + offsetMs);
}

/** How far ahead of real time it is about noon in `timeZone` (for a JumpClock starting at noon). */
export function middayClockOffsetMs(timeZone = 'Asia/Seoul'): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' }).formatToParts(new Date());
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const secondsIntoDay = part('hour') * 3600 + part('minute') * 60 + part('second');
  return ((((12 * 3600 - secondsIntoDay) % 86_400) + 86_400) % 86_400) * 1000;
}

export interface TestServer {
  url: string;
  adminToken: string;
  /** Bearer token for GET /metrics (METRICS_TOKEN). */
  metricsToken: string;
  config: Config;
  running: RunningServer;
  logs: string[];
  /** The Prometheus text of GET /metrics, scraped with the metrics token. */
  metrics(): Promise<string>;
  admin<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
  createTenant(input?: Record<string, unknown>): Promise<{ tenantId: string; keyId: string; secret: string; webhookSecret: string; client: StepupClient }>;
  close(): Promise<void>;
}

/** A second API process (STEPUP_ROLE=api) beside `first`: the same PostgreSQL database, Redis deployment, master key and admin token. */
export function startTwinApiServer(first: TestServer): Promise<TestServer> {
  return startTestServer({
    env: {
      DATABASE_URL: first.config.databaseUrl!,
      QUEUE_PREFIX: first.config.queuePrefix,
      MASTER_KEY: first.config.masterKeys.current.key.toString('base64'),
      ADMIN_TOKEN: first.adminToken,
      STEPUP_ROLE: 'api',
    },
  });
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const port = await freePort();
  const adminToken = `adm-${randomBytes(18).toString('base64url')}`;
  const metricsToken = `met-${randomBytes(18).toString('base64url')}`;
  // On PostgreSQL, a migrated database from the process's pool: one a server of this process closed, emptied,
  // or a new copy of the migrated template (postgres-pool.ts).
  const database = options.db === 'postgres' ? await postgresPool.lease(options.modules ?? channelModules) : undefined;
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: ':memory:',
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: `{t${randomBytes(4).toString('hex')}}`,
    ADMIN_TOKEN: adminToken,
    METRICS_TOKEN: metricsToken,
    MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: options.captureLogs ? 'debug' : 'silent',
    ALLOW_LOOPBACK_CALLBACKS: 'true',
    SHUTDOWN_GRACE_MS: '2000',
    // A root-handle query from inside a transaction fails the test at once (it hangs PGlite).
    DB_TX_GUARD: 'true',
    // Suites that walk many routes without credentials would trip the default 30; throttle tests set their own.
    AUTH_FAILURE_LIMIT_PER_MINUTE: '1000',
    // Test servers share a busy machine with the whole suite: a process starved for half a second
    // would shed bank requests (docs/reliability.md); the tests of shedding set their own bound.
    MAX_EVENT_LOOP_LAG_MS: '0',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...options.env,
  };
  const config = loadConfig(env, options.modules ?? channelModules);
  const logs: string[] = [];
  const logDestination = options.captureLogs
    ? new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } })
    : undefined;
  // In memory, PGlite comes from the process's pool: a database another server of this process closed,
  // emptied and migrated again, or a new one from a migrated copy (pglite-pool.ts, pglite-snapshot.ts).
  const running = await startServer(config, { logDestination: logDestination as never, memoryDb: (modules) => pglitePool.lease(modules), ...(options.modules ? { modules: options.modules } : {}), ...(options.wrapDb ? { wrapDb: options.wrapDb } : {}), ...(options.clock ? { clock: options.clock } : {}), ...(options.authClock ? { authClock: options.authClock } : {}) });
  for (const channel of options.channels ?? []) running.context.channels.register(channel);
  const url = running.url!;

  const admin: TestServer['admin'] = async (method, path, body, headers = {}) => {
    const response = await loopbackFetch(url + path, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  };

  return {
    url,
    adminToken,
    metricsToken,
    config,
    running,
    logs,
    admin,
    async metrics() {
      const response = await loopbackFetch(`${url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      if (response.status !== 200) throw new Error(`metrics: ${response.status}`);
      return response.text();
    },
    async createTenant(input = {}) {
      // Suites about other things change the policy directly: their tenants opt out of maker-checker,
      // which is on for new tenants (test/policy/maker-checker.test.ts creates its tenants as a bank would).
      const tenant = await admin('POST', '/admin/v1/tenants', { name: 'Test Bank', allowLoopbackCallbacks: true, policyApproval: { required: false }, ...input });
      if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status} ${JSON.stringify(tenant.body)}`);
      const key = await admin('POST', `/admin/v1/tenants/${tenant.body.id}/keys`, {});
      if (key.status !== 201) throw new Error(`key: ${key.status} ${JSON.stringify(key.body)}`);
      // Signed at the server's time: its clock measures the signature window (docs/signing-requests.md).
      const client = new StepupClient({ baseUrl: url, fetch: loopbackFetch, credentials: { keyId: key.body.keyId, secret: key.body.secret }, ...(options.clock ? { clock: options.clock } : {}) });
      return { tenantId: tenant.body.id, keyId: key.body.keyId, secret: key.body.secret, webhookSecret: tenant.body.webhookSecret, client };
    },
    async close() {
      await running.close();
      await database?.release();
    },
  };
}

/** A transfer body as in docs/bank-api.md, with overrides. */
export function transferBody(overrides: Record<string, unknown> = {}, amount = '3500000'): Record<string, any> {
  return {
    customerId: 'cust-1001',
    transaction: {
      reference: `TX-${randomBytes(4).toString('hex')}`,
      type: 'transfer',
      amount: { value: amount, currency: 'KRW' },
      payee: { name: '김철수', bank: '신한은행', account: '110-123-456789' },
    },
    ...overrides,
  };
}

export { eventually } from './eventually.ts';
