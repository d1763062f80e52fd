// `npm run bench`: load tests against a real stepup (PostgreSQL + Redis) and a baseline in the same
// run; results with date and machine into BENCHMARKS.md. Talks only to 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import { signSync } from './sync-signer.ts';
import { arsBench } from './ars-bench.ts';
import { openLoop, type PlannedRequest } from './open-loop.ts';
import { measureCpu, type CpuShares } from './cpu-accounting.ts';

const redisUrl = process.env.REDIS_URL!;
const databaseUrl = process.env.BENCH_DATABASE_URL!;
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const expiryCount = Number(process.env.BENCH_EXPIRY_COUNT ?? 50_000);
const lines: string[] = [];
const note = (line: string) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function startChild(script: string, env: Record<string, string>, readyText: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes(readyText)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}: ${output.slice(-2000)}`)));
  });
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
  cpu?: CpuShares;
}

async function load(url: string, makeRequest: () => PlannedRequest): Promise<Load> {
  const result = await autocannon({
    url,
    connections,
    duration,
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

const row = (name: string, r: Load) => `| ${name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.non2xx + r.errors} |`;

// --- servers -------------------------------------------------------------------------------------
const stepupPort = await freePort();
const baselinePort = await freePort();
const adminToken = randomBytes(24).toString('base64url');
const stepupUrl = `http://127.0.0.1:${stepupPort}`;
const stepup = await startChild('src/main.ts', {
  PORT: String(stepupPort),
  HOST: '127.0.0.1',
  PUBLIC_BASE_URL: stepupUrl,
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: '{bench}',
  MASTER_KEY: randomBytes(32).toString('base64'),
  ADMIN_TOKEN: adminToken,
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_KEY_PER_MINUTE: '100000000',
}, 'stepup');
await new Promise((resolve) => setTimeout(resolve, 1500));
const baseline = await startChild('bench/baseline-server.ts', { PORT: String(baselinePort), DATABASE_URL: databaseUrl, REDIS_URL: redisUrl }, 'baseline ready');

async function admin(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(stepupUrl + path, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, headers: { etag: response.headers.get('etag') ?? undefined }, body: (await response.json()) as any };
}
const tenant = await admin('POST', '/admin/v1/tenants', { name: 'Bench Bank' });
const key = (await admin('POST', `/admin/v1/tenants/${tenant.body.id}/keys`, {})).body as { keyId: string; secret: string };

// Customers with a TOTP token make `pending` challenges (the OTP channel needs no telephony).
const pendingCustomers = Array.from({ length: 100 }, (_, i) => `bench-pending-${i}`);
for (const customerId of pendingCustomers) {
  const path = `/v1/customers/${customerId}/otp-tokens`;
  const body = JSON.stringify({ type: 'totp' });
  const response = await fetch(stepupUrl + path, { method: 'POST', headers: signSync('POST', stepupUrl + path, body, key), body });
  if (response.status !== 201) throw new Error(`token enrollment: ${response.status} ${await response.text()}`);
}

const transfer = (customerId: string, amount: string) =>
  JSON.stringify({ customerId, transaction: { reference: `B-${randomBytes(6).toString('hex')}`, type: 'transfer', amount: { value: amount, currency: 'KRW' }, payee: { name: '김철수', bank: '신한은행', account: '110-123-456789' } } });
const signedChallenge = (body: string) => ({ path: '/v1/challenges', body, headers: signSync('POST', `${stepupUrl}/v1/challenges`, body, key) });
let pendingIndex = 0;
const scenarios = {
  baseline: () => {
    const body = transfer(`c-${randomBytes(6).toString('hex')}`, '1000');
    return { path: '/baseline', body, headers: { 'content-type': 'application/json' } };
  },
  notRequired: () => signedChallenge(transfer(`c-${randomBytes(6).toString('hex')}`, '1000')),
  pending: () => signedChallenge(transfer(pendingCustomers[pendingIndex++ % pendingCustomers.length]!, '3500000')),
};

// --- throughput and latency ----------------------------------------------------------------------
const baselineUrl = `http://127.0.0.1:${baselinePort}`;
await load(baselineUrl, scenarios.baseline); // warm-up
const baseMax = await measureCpu(baseline.pid!, () => load(baselineUrl, scenarios.baseline));
await load(stepupUrl, scenarios.notRequired); // warm-up (JIT, connections, prepared statements)
const notRequiredMax = await measureCpu(stepup.pid!, () => load(stepupUrl, scenarios.notRequired));
const pendingMax = await measureCpu(stepup.pid!, () => load(stepupUrl, scenarios.pending));
// Half load: open-loop at a fixed rate, each latency counted from when its request was due.
const half = async (url: string, makeRequest: () => PlannedRequest, max: Load): Promise<Load> => {
  const rate = Math.round(max.rps / 2);
  const result = await openLoop(url, { rate, durationSeconds: duration, connections, makeRequest });
  return { rps: result.rps, p50: result.p50, p99: result.p99, errors: result.errors, non2xx: 0, requests: result.sent };
};
const baseHalf = await half(baselineUrl, scenarios.baseline, baseMax);
const notRequiredHalf = await half(stepupUrl, scenarios.notRequired, notRequiredMax);
const pendingHalf = await half(stepupUrl, scenarios.pending, pendingMax);

note(`## Challenge creation throughput (${new Date().toISOString().slice(0, 10)})`);
note('');
note(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; PostgreSQL (fsync off) and Redis on the same machine; load generator, server, PostgreSQL and Redis share the cores. Max runs: autocannon, ${connections} connections, ${duration} s. Half-load runs: open loop at half the max rate for ${duration} s over ${connections} connections opened beforehand (as wrk2 does), requests evenly spaced, each latency counted from when its request was due (bench/open-loop.ts); the generator is one Node process sharing the cores, so its own pauses count against the server too, most at the highest rate (the baseline's).`);
note('');
note('| run | req/s | p50 ms | p99 ms | errors |');
note('|---|---|---|---|---|');
note(row('baseline (express + 1 INSERT + 1 BullMQ add), max', baseMax));
note(row('signed POST /v1/challenges → not_required, max', notRequiredMax));
note(row('signed POST /v1/challenges → pending (OTP), max', pendingMax));
note(row('baseline at half of its max', baseHalf));
note(row('not_required at half of its max', notRequiredHalf));
note(row('pending at half of its max', pendingHalf));
note('');
const ratio = (a: Load) => ((100 * a.rps) / baseMax.rps).toFixed(0);
note(`- not_required: ${ratio(notRequiredMax)}% of the baseline's throughput (target ≥ 60%); p99 at half load ${notRequiredHalf.p99} ms (target ≤ 50 ms).`);
note(`- pending: ${ratio(pendingMax)}% of the baseline's throughput (target ≥ 60%); p99 at half load ${pendingHalf.p99} ms (target ≤ 50 ms).`);
note('');
if (baseMax.cpu && notRequiredMax.cpu && pendingMax.cpu) {
  note('CPU per request during the max runs, in µs (from /proc: the server process, all `postgres` processes, all `redis-server` processes, the load generator, and all cores together). The generator signs each stepup request (RFC 9421 HMAC and Content-Digest) as a bank would; the baseline\'s requests are unsigned.');
  note('');
  note('| run | server | PostgreSQL | Redis | generator | machine |');
  note('|---|---|---|---|---|---|');
  const cpuRow = (name: string, c: CpuShares) => `| ${name} | ${c.server} | ${c.postgres} | ${c.redis} | ${c.generator} | ${c.machine} |`;
  note(cpuRow('baseline', baseMax.cpu));
  note(cpuRow('not_required', notRequiredMax.cpu));
  note(cpuRow('pending', pendingMax.cpu));
  note('');
}

// --- expiry at scale -------------------------------------------------------------------------------
const redis = new Redis(redisUrl);
const db = new pg.Pool({ connectionString: databaseUrl });
const createRate = Math.max(100, pendingMax.rps * 0.8);
const ttl = Math.min(3600, Math.ceil(expiryCount / createRate + 30));
const policy = await admin('GET', `/admin/v1/tenants/${tenant.body.id}/policy`);
// Lifetimes above 600 s are refused while ARS (out of band) can be chosen (docs/policy-reference.md
// "Security bounds"); these customers answer by OTP, so ARS leaves the channel order.
const expiryPolicy = { ...policy.body.document, challengeTtlSeconds: ttl, ...(ttl > 600 ? { channelOrder: ['webauthn', 'otp'] } : {}) };
const expiryPut = await admin('PUT', `/admin/v1/tenants/${tenant.body.id}/policy`, expiryPolicy, { 'if-match': policy.headers.etag ?? `"v${policy.body.version}"` });
if (expiryPut.status !== 200) throw new Error(`policy: ${expiryPut.status} ${JSON.stringify(expiryPut.body)}`);
await new Promise((resolve) => setTimeout(resolve, 2500));
await db.query(`UPDATE challenges SET status = 'canceled' WHERE status = 'pending'`); // earlier runs' leftovers stop counting
const memoryBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
const createdSince = new Date();
const creationResult = await autocannon({
  url: stepupUrl,
  connections,
  amount: expiryCount,
  requests: [{ method: 'POST', setupRequest: (request: autocannon.Request) => ({ ...request, ...scenarios.pending() }) }],
});
const memoryAfter = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
const pendingNow = Number((await db.query(`SELECT count(*) AS n FROM challenges WHERE status = 'pending' AND created_at >= $1`, [createdSince])).rows[0].n);
const deadline = Date.now() + (ttl + 120) * 1000;
for (;;) {
  const left = Number((await db.query(`SELECT count(*) AS n FROM challenges WHERE status = 'pending' AND created_at >= $1`, [createdSince])).rows[0].n);
  if (left === 0 || Date.now() > deadline) break;
  await new Promise((resolve) => setTimeout(resolve, 2000));
}
const lateness = await db.query(
  `SELECT count(*) AS n,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - expires_at)) AS p50,
          percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - expires_at)) AS p99,
          max(extract(epoch FROM completed_at - expires_at)) AS max,
          count(*) FILTER (WHERE status = 'pending') AS still_pending
   FROM challenges WHERE created_at >= $1`,
  [createdSince],
);
const l = lateness.rows[0];
note(`## Expiry of ${expiryCount.toLocaleString('en-US')} pending challenges`);
note('');
note(`Created ${creationResult.requests.total} challenges (${creationResult.non2xx} non-2xx) at ${Math.round(creationResult.requests.average)} req/s with a ${ttl} s TTL; ${pendingNow} were pending at once.`);
note('');
note(`- Redis memory while they were pending: ${((memoryAfter - memoryBefore) / Math.max(1, pendingNow)).toFixed(0)} bytes per pending challenge (expiry job + request nonce; target ≤ 2048).`);
note(`- Expiry lateness (completedAt − expiresAt): p50 ${(Number(l.p50) * 1000).toFixed(0)} ms, p99 ${(Number(l.p99) * 1000).toFixed(0)} ms, max ${(Number(l.max) * 1000).toFixed(0)} ms (target p99 ≤ 1000 ms); still pending at the end: ${l.still_pending}.`);
note('');

// --- ARS: webhook latency with 200 simulated calls, challenge → Calls.create ----------------------
if (process.env.BENCH_SKIP_ARS !== '1') for (const line of await arsBench({ redisUrl, databaseUrl })) note(line);

writeFileSync('BENCHMARKS.md', `# Benchmarks\n\nProduced by \`npm run bench\` (bench/run.ts). Numbers are from one run on the machine named; they are\nmeasurements, not guarantees.\n\n${lines.join('\n')}\n`);
await redis.quit();
await db.end();
stepup.kill('SIGTERM');
baseline.kill('SIGTERM');
process.exit(0);
