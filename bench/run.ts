// `npm run bench`: load tests against a real stepup (PostgreSQL + Redis) and two baselines in the same
// run — the bare one (express + 1 INSERT + 1 BullMQ add) and the mandated one (the work every
// challenge-creating request must do, without stepup's framework: bench/mandated-baseline-server.ts);
// results with date and machine into BENCHMARKS.md. Talks only to 127.0.0.1.
//
// Knobs: BENCH_DURATION (s per run, default 10), BENCH_CONNECTIONS (50), BENCH_EXPIRY_COUNT (50000),
// BENCH_ONLY=throughput (only the throughput, CPU and targets section: no expiry, no ARS),
// BENCH_ONLY=ars (only the ARS section), BENCH_ONLY=holds (only not_required with holds off and on,
// docs/holds.md; section "holds"), BENCH_ARS_RUNS (ARS benchmark runs, default 3),
// BENCH_SKIP_ARS=1, BENCH_OUTPUT (file to write; default BENCHMARKS.md for a full run and none for a
// BENCH_ONLY run, so a quick check never overwrites the recorded numbers).
import { randomBytes } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { writeSection } from './benchmarks-file.ts';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import { signSync } from './sync-signer.ts';
import { arsRuns } from './ars-bench.ts';
import { openLoop, type PlannedRequest } from './open-loop.ts';
import { measureCpu, type CpuShares } from './cpu-accounting.ts';
import { connections, createBenchTenant, processWindow, sleep, type ProcessWindow, duration, freePort, load, newStepupSecrets, startChild, startStepup, stepupEnv, stepupScenarios, stopChild, transfer, type Load } from './harness.ts';

const redisUrl = process.env.REDIS_URL!;
const databaseUrl = process.env.BENCH_DATABASE_URL!;
const expiryCount = Number(process.env.BENCH_EXPIRY_COUNT ?? 50_000);
const only = process.env.BENCH_ONLY;
if (only !== undefined && only !== 'throughput' && only !== 'ars' && only !== 'holds') throw new Error(`BENCH_ONLY: "throughput", "ars" or "holds", not ${only}`);
const output = process.env.BENCH_OUTPUT ?? (only ? undefined : 'BENCHMARKS.md');
const arsRunCount = Number(process.env.BENCH_ARS_RUNS ?? 3);
const lines: string[] = [];
const note = (line: string) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
if (only === 'ars') {
  for (const line of await arsRuns({ redisUrl, databaseUrl }, arsRunCount)) note(line);
  if (output) writeSection(output, 'ars', lines);
  process.exit(0);
}

const row = (name: string, r: Load) => `| ${name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.non2xx + r.errors} |`;

// --- servers -------------------------------------------------------------------------------------
const stepupPort = await freePort();
const baselinePort = await freePort();
const mandatedPort = await freePort();
const secrets = newStepupSecrets();
const stepupUrl = `http://127.0.0.1:${stepupPort}`;
const stepup = await startStepup(stepupEnv({ port: stepupPort, publicBaseUrl: stepupUrl, databaseUrl, redisUrl, secrets }), { url: stepupUrl });
const baseline = await startChild('bench/baseline-server.ts', { PORT: String(baselinePort), DATABASE_URL: databaseUrl, REDIS_URL: redisUrl }, 'baseline ready');
const mandatedUrl = `http://127.0.0.1:${mandatedPort}`;
const mandatedKey = { keyId: 'bench-mandated', secret: randomBytes(32).toString('base64') };
const mandated = await startChild('bench/mandated-baseline-server.ts', { PORT: String(mandatedPort), PUBLIC_BASE_URL: mandatedUrl, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, BASELINE_KEY_ID: mandatedKey.keyId, BASELINE_KEY_SECRET: mandatedKey.secret }, 'mandated baseline ready');

const tenant = await createBenchTenant(stepupUrl, secrets.adminToken);
const { admin } = tenant;
const stepupRequests = stepupScenarios(stepupUrl, tenant);
const scenarios = {
  baseline: (): PlannedRequest => {
    const body = transfer(`c-${randomBytes(6).toString('hex')}`, '1000');
    return { path: '/baseline', body, headers: { 'content-type': 'application/json' } };
  },
  // Signed like stepup's requests, by the same signer, with the baseline's own key and origin.
  mandated: (): PlannedRequest => {
    const body = transfer(`c-${randomBytes(6).toString('hex')}`, '1000');
    return { path: '/v1/challenges', body, headers: signSync('POST', `${mandatedUrl}/v1/challenges`, body, mandatedKey) };
  },
  ...stepupRequests,
};

// --- throughput and latency ----------------------------------------------------------------------
const baselineUrl = `http://127.0.0.1:${baselinePort}`;
/**
 * Before each measured run, the after-work of the runs before it is done first, the same for every
 * server: PostgreSQL's checkpoint of their writes and autovacuum of the tables they filled, and the
 * baselines' BullMQ jobs (they have no worker, so every job they ever added would otherwise stay in
 * Redis). Each run then measures the server under test, not the machine catching up on another
 * server's load, and the baselines, measured first, no longer get an emptier Redis than stepup.
 */
const settle = async () => {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query('CHECKPOINT');
    for (let waited = 0; waited < 60; waited += 1) {
      const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'`);
      if (rows[0]!.n === 0) break;
      await sleep(500);
    }
  } finally {
    await admin.end();
  }
  const redisAdmin = new Redis(redisUrl);
  for (const prefix of ['{baseline}', '{mandated}']) {
    const stream = redisAdmin.scanStream({ match: `${prefix}:*`, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) if (keys.length > 0) await redisAdmin.unlink(...keys);
  }
  await redisAdmin.quit();
  await sleep(2000);
};
/**
 * Holds on (docs/holds.md): every not_required transfer of the bench tenant is held (hold.minAmount
 * 1000, the bench's amount), which adds the hold to the decision and a delayed release job per
 * challenge; notification calls off (the bench has no telephony). Returns the policy to holds off.
 */
const withHolds = async <T>(run: () => Promise<T>): Promise<T> => {
  const setHolds = async (enabled: boolean) => {
    const current = await admin('GET', `/admin/v1/tenants/${tenant.tenantId}/policy`);
    const hold = { ...current.body.document.hold, enabled, minAmount: '1000', appliesTo: ['approved', 'not_required'], notifyCallsAfterSeconds: [] };
    const put = await admin('PUT', `/admin/v1/tenants/${tenant.tenantId}/policy`, { ...current.body.document, hold }, { 'if-match': current.headers.etag ?? `"v${current.body.version}"` });
    if (put.status !== 200) throw new Error(`policy: ${put.status} ${JSON.stringify(put.body)}`);
    await sleep(2500); // past the policy cache
  };
  await setHolds(true);
  try {
    await settle();
    return await run();
  } finally {
    await setHolds(false);
  }
};
const heldRow = 'signed POST /v1/challenges → not_required, held (holds on), max';
if (only === 'holds') {
  const loadBefore = loadavg()[0]!;
  await load(stepupUrl, scenarios.notRequired); // warm-up
  await settle();
  const off = await measureCpu(stepup.pid!, () => load(stepupUrl, scenarios.notRequired));
  const on = await withHolds(() => measureCpu(stepup.pid!, () => load(stepupUrl, scenarios.notRequired)));
  const counter = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const held = await counter.query<{ n: string }>(`SELECT count(*) AS n FROM challenges WHERE hold_state IS NOT NULL`);
  await counter.end();
  note(`## Holds on (${new Date().toISOString().slice(0, 10)})`);
  note('');
  note(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; \`BENCH_ONLY=holds npm run bench\`: one stepup, the same session, autocannon ${connections} connections, ${duration} s each, PostgreSQL checkpointed before each run. Holds on: every not_required transfer held (a hold and a delayed release job per challenge; notification calls off). ${held.rows[0]!.n} challenges were held. Load average before the runs: ${loadBefore.toFixed(1)} (${cpus().length} cores): with other work on the machine, compare the two lines with each other, not with the numbers of other sections.`);
  note('');
  note('| run | req/s | p50 ms | p99 ms | errors | server µs/req |');
  note('|---|---|---|---|---|---|');
  note(`${row('signed POST /v1/challenges → not_required, max', off)} ${off.cpu?.server ?? '—'} |`);
  note(`${row(heldRow, on)} ${on.cpu?.server ?? '—'} |`);
  note('');
  note(`- Holds on: ${((100 * on.rps) / Math.max(1, off.rps)).toFixed(0)}% of the throughput with holds off.`);
  if (output) writeSection(output, 'holds', lines);
  await Promise.all([stopChild(stepup), stopChild(baseline), stopChild(mandated)]);
  process.exit(0);
}
await load(baselineUrl, scenarios.baseline); // warm-up
await settle();
const baseMax = await measureCpu(baseline.pid!, () => load(baselineUrl, scenarios.baseline));
await load(mandatedUrl, scenarios.mandated); // warm-up
await settle();
const mandatedMax = await measureCpu(mandated.pid!, () => load(mandatedUrl, scenarios.mandated));
await load(stepupUrl, scenarios.notRequired); // warm-up (JIT, connections, prepared statements)
await settle();
const notRequiredMax = await measureCpu(stepup.pid!, () => load(stepupUrl, scenarios.notRequired));
await settle();
const pendingMax = await measureCpu(stepup.pid!, () => load(stepupUrl, scenarios.pending));
const heldMax = await withHolds(() => load(stepupUrl, scenarios.notRequired));
// Half load: open-loop at a fixed rate, each latency counted from when its request was due.
const half = async (url: string, makeRequest: () => PlannedRequest, max: Load): Promise<Load> => {
  await settle();
  const rate = Math.max(1, Math.round(max.rps / 2));
  const result = await openLoop(url, { rate, durationSeconds: duration, connections, makeRequest });
  return { rps: result.rps, p50: result.p50, p99: result.p99, errors: result.errors, non2xx: 0, requests: result.sent };
};
const baseHalf = await half(baselineUrl, scenarios.baseline, baseMax);
const mandatedHalf = await half(mandatedUrl, scenarios.mandated, mandatedMax);
/** A stepup half-load run, with what stepup's own event loop and GC did meanwhile. */
const stepupHalf = async (makeRequest: () => PlannedRequest, max: Load): Promise<Load & { process: ProcessWindow }> => {
  const end = await processWindow(stepupUrl, secrets.metricsToken);
  const result = await half(stepupUrl, makeRequest, max);
  return { ...result, process: await end() };
};
const notRequiredHalf = await stepupHalf(scenarios.notRequired, notRequiredMax);
const pendingHalf = await stepupHalf(scenarios.pending, pendingMax);

note(`## Challenge creation throughput (${new Date().toISOString().slice(0, 10)})`);
note('');
note(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; PostgreSQL (fsync off) and Redis on the same machine; load generator, servers, PostgreSQL and Redis share the cores. Max runs: autocannon, ${connections} connections, ${duration} s. Half-load runs: open loop at half the max rate for ${duration} s over ${connections} connections opened beforehand (as wrk2 does), requests evenly spaced, each latency counted from when its request was due (bench/open-loop.ts); the generator is one Node process sharing the cores, so its own pauses count against the server too, most at the highest rate. Before each measured run PostgreSQL is checkpointed, autovacuum is let finish, and the baselines' jobs (they have no worker) are removed from Redis, so no run pays for the one before it.`);
note('');
note('Two baselines run in the same session. The **bare baseline** (bench/baseline-server.ts) is express + 1 INSERT + 1 BullMQ add, unsigned: the least any server that stores a challenge does. The **mandated baseline** (bench/mandated-baseline-server.ts) does, per request and without stepup\'s framework (node:http, no middleware, no metrics), the work the product requires: RFC 9421 HMAC signature and Content-Digest verified with http-message-signatures, the nonce claimed in Redis (SET NX EX), the body checked by a strict zod schema, a challenge row as wide as stepup\'s inserted with its audit entry in one statement (indexes as stepup\'s), an ES256 receipt signed (crypto.sign, ieee-p1363), the transaction envelope-encrypted (AES-256-GCM data key wrapped by a master key), one BullMQ job added, one pino line logged (to /dev/null). Its requests are signed by the same signer as stepup\'s (bench/sync-signer.ts).');
note('');
note('| run | req/s | p50 ms | p99 ms | errors |');
note('|---|---|---|---|---|');
note(row('bare baseline (express + 1 INSERT + 1 BullMQ add), max', baseMax));
note(row('mandated baseline (signature, nonce, zod, row + audit, receipt, envelope, job, log), max', mandatedMax));
note(row('signed POST /v1/challenges → not_required, max', notRequiredMax));
note(row('signed POST /v1/challenges → pending (OTP), max', pendingMax));
note(row(heldRow, heldMax));
note(row('bare baseline at half of its max', baseHalf));
note(row('mandated baseline at half of its max', mandatedHalf));
note(row('not_required at half of its max', notRequiredHalf));
note(row('pending at half of its max', pendingHalf));
note('');
const share = (a: Load, of: Load) => (100 * a.rps) / Math.max(1, of.rps);
note(`- Against the bare baseline (for comparison with earlier runs): not_required ${share(notRequiredMax, baseMax).toFixed(0)}%, pending ${share(pendingMax, baseMax).toFixed(0)}% of its throughput.`);
note('');
if (baseMax.cpu && mandatedMax.cpu && notRequiredMax.cpu && pendingMax.cpu) {
  note('CPU per request during the max runs, in µs (from /proc: the server process, all `postgres` processes, all `redis-server` processes, the load generator, and all cores together). The generator signs each stepup and mandated-baseline request (RFC 9421 HMAC and Content-Digest) as a bank would; the bare baseline\'s requests are unsigned.');
  note('');
  note('| run | server | PostgreSQL | Redis | generator | machine |');
  note('|---|---|---|---|---|---|');
  const cpuRow = (name: string, c: CpuShares) => `| ${name} | ${c.server} | ${c.postgres} | ${c.redis} | ${c.generator} | ${c.machine} |`;
  note(cpuRow('bare baseline', baseMax.cpu));
  note(cpuRow('mandated baseline', mandatedMax.cpu));
  note(cpuRow('not_required', notRequiredMax.cpu));
  note(cpuRow('pending', pendingMax.cpu));
  note('');
}

// --- targets (issue 16): stepup as a share of the mandated baseline ---------------------------------
note('### Targets against the mandated baseline');
note('');
note('| target | measured | goal | |');
note('|---|---|---|---|');
const target = (name: string, measured: number, goal: number, unit: string, atMost: boolean, digits = 0) => {
  const met = Number.isFinite(measured) && (atMost ? measured <= goal : measured >= goal);
  note(`| ${name} | ${measured.toFixed(digits)}${unit} | ${atMost ? '≤' : '≥'} ${goal}${unit} | ${met ? 'met' : 'missed'} |`);
};
target('not_required throughput, share of the mandated baseline\'s', share(notRequiredMax, mandatedMax), 90, '%', false);
target('pending throughput, share of the mandated baseline\'s', share(pendingMax, mandatedMax), 80, '%', false);
if (notRequiredMax.cpu && mandatedMax.cpu) target('server CPU per not_required decision, × the mandated baseline\'s', notRequiredMax.cpu.server / Math.max(1, mandatedMax.cpu.server), 1.15, '×', true, 2);
else note('| server CPU per not_required decision | not measured (no /proc) | ≤ 1.15× | missed |');
target('not_required p99 at half load', notRequiredHalf.p99, 50, ' ms', true, 1);
target('pending p99 at half load', pendingHalf.p99, 50, ' ms', true, 1);
note('');
const loop = (run: { process: ProcessWindow }) =>
  `event-loop delay p99 ${run.process.loopP99Ms.toFixed(0)} ms, max ${run.process.loopMaxMs.toFixed(0)} ms; GC ${run.process.gcMs.toFixed(0)} ms in ${run.process.gcCount} collections; answers that took stepup over 50 ms by its own clock: ${(run.process.answersOver50msShare * 100).toFixed(2)}% of ${run.process.answers}`;
note(`- stepup's own event loop during the half-load runs (its /metrics; 10 ms resolution) — not_required: ${loop(notRequiredHalf)}; pending: ${loop(pendingHalf)}. A latency far above the loop's maximum delay was spent outside stepup's event loop (waiting for PostgreSQL or Redis, or in the load generator).`);
note(`- Throughput as a share of the mandated baseline's: not_required ${share(notRequiredMax, mandatedMax).toFixed(0)}%, pending ${share(pendingMax, mandatedMax).toFixed(0)}%.`);
if (notRequiredMax.cpu && pendingMax.cpu && mandatedMax.cpu) {
  const times = (a: number, b: number) => `${(a / Math.max(1, b)).toFixed(2)}×`;
  const m = mandatedMax.cpu;
  note(`- CPU per request as a multiple of the mandated baseline's — server: not_required ${times(notRequiredMax.cpu.server, m.server)}, pending ${times(pendingMax.cpu.server, m.server)}; PostgreSQL: ${times(notRequiredMax.cpu.postgres, m.postgres)}, ${times(pendingMax.cpu.postgres, m.postgres)}; Redis: ${times(notRequiredMax.cpu.redis, m.redis)}, ${times(pendingMax.cpu.redis, m.redis)}; whole machine: ${times(notRequiredMax.cpu.machine, m.machine)}, ${times(pendingMax.cpu.machine, m.machine)}.`);
}
note('');

// --- storage per challenge (for docs/capacity.md): bytes on disk per row, heap and each index ------
{
  const sizes = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  await sizes.query('VACUUM ANALYZE challenges, audit_log, audit_inbox');
  const perRow = async (table: string) =>
    (
      await sizes.query<{ rows: string; row_bytes: string; heap: string; indexes: string }>(
        `SELECT count(*) AS rows, coalesce(avg(pg_column_size(t.*)), 0) AS row_bytes, pg_table_size('${table}') AS heap, pg_indexes_size('${table}') AS indexes FROM ${table} t`,
      )
    ).rows[0]!;
  const challenges = await perRow('challenges');
  const audit = await perRow('audit_log');
  const rows = Math.max(1, Number(challenges.rows));
  note('### Storage per challenge');
  note('');
  note(`After the runs above: ${challenges.rows} challenges, ${audit.rows} audit entries. Bytes per row as PostgreSQL stores them (pg_column_size of the tuple; table and index size over the row count, so page overhead and free space included):`);
  note('');
  note('| table | tuple bytes | table bytes per row | index bytes per row |');
  note('|---|---|---|---|');
  note(`| challenges | ${Math.round(Number(challenges.row_bytes))} | ${Math.round(Number(challenges.heap) / rows)} | ${Math.round(Number(challenges.indexes) / rows)} |`);
  const auditRows = Math.max(1, Number(audit.rows));
  note(`| audit_log | ${Math.round(Number(audit.row_bytes))} | ${Math.round(Number(audit.heap) / auditRows)} | ${Math.round(Number(audit.indexes) / auditRows)} |`);
  note('');
  await sizes.end();
}

const finish = async (extra: () => Promise<void>) => {
  await extra();
  if (output) writeSection(output, only ?? 'run', lines);
  await Promise.all([stopChild(stepup), stopChild(baseline), stopChild(mandated)]);
  process.exit(0);
};
if (only === 'throughput') await finish(async () => {});

// --- expiry at scale -------------------------------------------------------------------------------
const redis = new Redis(redisUrl);
const db = new pg.Pool({ connectionString: databaseUrl });
const createRate = Math.max(100, pendingMax.rps * 0.8);
const ttl = Math.min(3600, Math.ceil(expiryCount / createRate + 30));
const policy = await admin('GET', `/admin/v1/tenants/${tenant.tenantId}/policy`);
// Lifetimes above 600 s are refused while ARS (out of band) can be chosen (docs/policy-reference.md
// "Security bounds"); these customers answer by OTP, so ARS leaves the channel order.
const expiryPolicy = { ...policy.body.document, challengeTtlSeconds: ttl, ...(ttl > 600 ? { channelOrder: ['webauthn', 'otp'] } : {}) };
const expiryPut = await admin('PUT', `/admin/v1/tenants/${tenant.tenantId}/policy`, expiryPolicy, { 'if-match': policy.headers.etag ?? `"v${policy.body.version}"` });
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
if (process.env.BENCH_SKIP_ARS !== '1') for (const line of await arsRuns({ redisUrl, databaseUrl }, arsRunCount)) note(line);

await finish(async () => {
  await redis.quit();
  await db.end();
});
