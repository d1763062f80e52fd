// Shared by the benchmark scripts (bench/run.ts, bench/profile.ts, bench/scale-out.ts): starting
// servers, the bench tenant, the requests a bank sends, and one closed-loop load run.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { signSync } from './sync-signer.ts';
import type { PlannedRequest } from './open-loop.ts';
import type { CpuShares } from './cpu-accounting.ts';
import { productionNodeFlags } from '../src/server/node-flags.ts';

export const duration = Number(process.env.BENCH_DURATION ?? 10);
export const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
export const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The V8 flags `npm start` and the Dockerfile run stepup with (src/server/node-flags.ts): every measured
 * server, baselines included, runs with them, so none is measured with settings production lacks.
 */
export { productionNodeFlags };
/** Node flags for the servers under test: production's, BENCH_SERVER_NODE_ARGS, then any the caller adds (--cpu-prof). */
export const serverNodeArgs = (extra: string[] = []) => [...productionNodeFlags, ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...extra];

/** `imports` are TypeScript modules preloaded after tsx (bench/heap-sampler.ts). */
function spawnServer(script: string, env: Record<string, string>, extraNodeArgs: string[], imports: string[] = []): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [...serverNodeArgs(extraNodeArgs), '--import', 'tsx', ...imports.flatMap((module) => ['--import', module]), script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // The pipes are always drained (a chatty server never blocks on a full pipe); the last 4 KB kept for errors.
  let output = '';
  const onData = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4096);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return { child, output: () => output };
}

/** Starts `script` under tsx and resolves once its output contains `readyText`. */
export function startChild(script: string, env: Record<string, string>, readyText: string, extraNodeArgs: string[] = []): Promise<ChildProcess> {
  const { child, output } = spawnServer(script, env, extraNodeArgs);
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (output().includes(readyText)) {
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}: ${output().slice(-2000)}`)));
  });
}

/** Resolves when `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function stopChild(child: ChildProcess): Promise<void> {
  const done = exited(child);
  child.kill('SIGTERM');
  await done;
}

export interface StepupSetup {
  adminToken: string;
  masterKey: string;
  /** Opens /metrics, whose event-loop and GC gauges the runs read. */
  metricsToken: string;
}

export const newStepupSecrets = (): StepupSetup => ({ adminToken: randomBytes(24).toString('base64url'), masterKey: randomBytes(32).toString('base64'), metricsToken: randomBytes(24).toString('base64url') });

/** Environment for a stepup process on the bench's PostgreSQL and Redis. */
export function stepupEnv(options: { port: number; publicBaseUrl: string; databaseUrl: string; redisUrl: string; secrets: StepupSetup; role?: 'all' | 'api' | 'worker'; logLevel?: string }): Record<string, string> {
  return {
    PORT: String(options.port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: options.publicBaseUrl,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: '{bench}',
    MASTER_KEY: options.secrets.masterKey,
    ADMIN_TOKEN: options.secrets.adminToken,
    METRICS_TOKEN: options.secrets.metricsToken,
    LOG_LEVEL: options.logLevel ?? 'warn',
    RATE_LIMIT_PER_KEY_PER_MINUTE: '100000000',
    STEPUP_ROLE: options.role ?? 'all',
  };
}

/**
 * Starts stepup (src/main.ts). With `url` (roles all and api), resolves once GET /readyz answers 200;
 * without (role worker), once it logs that its workers run (give it LOG_LEVEL info).
 */
export async function startStepup(env: Record<string, string>, options: { url?: string; extraNodeArgs?: string[]; imports?: string[] } = {}): Promise<ChildProcess> {
  if (!options.url) return startChild('src/main.ts', env, 'stepup workers running', options.extraNodeArgs);
  const { child, output } = spawnServer('src/main.ts', env, options.extraNodeArgs ?? [], options.imports);
  for (let tries = 0; tries < 600; tries += 1) {
    if (child.exitCode !== null) throw new Error(`stepup at ${options.url} exited with ${child.exitCode}: ${output().slice(-2000)}`);
    if (await fetch(`${options.url}/readyz`).then((response) => response.ok, () => false)) return child;
    await sleep(100);
  }
  throw new Error(`stepup at ${options.url} did not become ready: ${output().slice(-2000)}`);
}

export interface BenchTenant {
  tenantId: string;
  key: { keyId: string; secret: string };
  pendingCustomers: string[];
  admin: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; headers: { etag?: string }; body: any }>;
}

/** A tenant with an HMAC key, and 100 customers with a TOTP token (they make `pending` challenges: OTP needs no telephony). */
export async function createBenchTenant(stepupUrl: string, adminToken: string): Promise<BenchTenant> {
  const admin = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(stepupUrl + path, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, headers: { etag: response.headers.get('etag') ?? undefined }, body: (await response.json()) as any };
  };
  const tenant = await admin('POST', '/admin/v1/tenants', { name: 'Bench Bank', policyApproval: { required: false } });
  if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status} ${JSON.stringify(tenant.body)}`);
  const key = (await admin('POST', `/admin/v1/tenants/${tenant.body.id}/keys`, {})).body as { keyId: string; secret: string };
  const pendingCustomers = Array.from({ length: 100 }, (_, i) => `bench-pending-${i}`);
  for (const customerId of pendingCustomers) {
    const path = `/v1/customers/${customerId}/otp-tokens`;
    const body = JSON.stringify({ type: 'totp' });
    const response = await fetch(stepupUrl + path, { method: 'POST', headers: signSync('POST', stepupUrl + path, body, key), body });
    if (response.status !== 201) throw new Error(`token enrollment: ${response.status} ${await response.text()}`);
  }
  return { tenantId: tenant.body.id, key, pendingCustomers, admin };
}

export const transfer = (customerId: string, amount: string) =>
  JSON.stringify({ customerId, transaction: { reference: `B-${randomBytes(6).toString('hex')}`, type: 'transfer', amount: { value: amount, currency: 'KRW' }, payee: { name: '김철수', bank: '신한은행', account: '110-123-456789' } } });

/** A signed POST /v1/challenges as a bank sends it; `origin` is what the server takes as its public base URL. */
export const signedChallenge = (origin: string, key: { keyId: string; secret: string }, body: string): PlannedRequest => ({ path: '/v1/challenges', body, headers: signSync('POST', `${origin}/v1/challenges`, body, key) });

/** Makers of the stepup requests: below the threshold (`not_required`) and above it for an OTP customer (`pending`). */
export function stepupScenarios(origin: string, tenant: BenchTenant) {
  let pendingIndex = 0;
  return {
    notRequired: () => signedChallenge(origin, tenant.key, transfer(`c-${randomBytes(6).toString('hex')}`, '1000')),
    pending: () => signedChallenge(origin, tenant.key, transfer(tenant.pendingCustomers[pendingIndex++ % tenant.pendingCustomers.length]!, '3500000')),
  };
}

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
  cpu?: CpuShares;
}

/** Closed loop: `connections` connections, each sending its next request when the last is answered; several URLs share the connections round-robin. */
export async function load(url: string | string[], makeRequest: () => PlannedRequest, options: { duration?: number } = {}): Promise<Load> {
  const result = await autocannon({
    // autocannon takes several URLs and spreads the connections over them (its README); its types say string.
    url: url as string,
    connections,
    duration: options.duration ?? duration,
    requests: [
      {
        method: 'POST',
        setupRequest: (request: autocannon.Request) => {
          const made = makeRequest();
          return { ...request, path: made.path, body: made.body, headers: made.headers };
        },
      },
    ],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx, requests: result.requests.total };
}

/** What stepup's own gauges said about a stretch of the run (scraped from /metrics at its start and end). */
export interface ProcessWindow {
  /** Event-loop delay over the window (prom-client's monitorEventLoopDelay histogram, reset at each scrape), ms. */
  loopP99Ms: number;
  loopMaxMs: number;
  /** Time in garbage collection over the window, ms, and how many collections. */
  gcMs: number;
  gcCount: number;
  /**
   * stepup's own time for POST /v1/challenges over the window (its request histogram: from the
   * request's arrival to the last byte of the answer, waits for PostgreSQL and Redis included, the
   * network and the load generator not): answers counted, and the share that took over 50 ms.
   */
  answers: number;
  answersOver50msShare: number;
}

/** Cumulative POST /v1/challenges answers by histogram bucket (`le` → count), all statuses summed. */
function challengeAnswerBuckets(metricsText: string): Map<string, number> {
  const buckets = new Map<string, number>();
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith('stepup_http_request_duration_seconds_bucket{') || !line.includes('route="/v1/challenges"') || !line.includes('method="POST"')) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (le) buckets.set(le, (buckets.get(le) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return buckets;
}

/** The gauges of stepup's /metrics that explain a latency tail: event-loop delay and GC. */
async function scrapeProcess(url: string, token: string): Promise<{ loopP99Ms: number; loopMaxMs: number; gcSeconds: number; gcCount: number; answers: Map<string, number> }> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(name))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    loopP99Ms: sum('nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: sum('nodejs_eventloop_lag_max_seconds') * 1000,
    gcSeconds: sum('nodejs_gc_duration_seconds_sum'),
    gcCount: sum('nodejs_gc_duration_seconds_count'),
    answers: challengeAnswerBuckets(text),
  };
}

/** Starts a window (the scrape resets the event-loop histogram); the returned function ends it. */
export async function processWindow(url: string, token: string): Promise<() => Promise<ProcessWindow>> {
  const start = await scrapeProcess(url, token);
  return async () => {
    const end = await scrapeProcess(url, token);
    const counted = (le: string) => (end.answers.get(le) ?? 0) - (start.answers.get(le) ?? 0);
    const answers = counted('+Inf');
    return {
      loopP99Ms: end.loopP99Ms,
      loopMaxMs: end.loopMaxMs,
      gcMs: (end.gcSeconds - start.gcSeconds) * 1000,
      gcCount: end.gcCount - start.gcCount,
      answers,
      answersOver50msShare: answers > 0 ? (answers - counted('0.05')) / answers : 0,
    };
  };
}

