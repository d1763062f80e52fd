// ARS benchmarks (BENCHMARKS.md "Performance"), against a real stepup process (PostgreSQL + Redis) and the
// telephony simulator in this process:
//  1. challenge creation → the simulator receiving Calls.create, with the call rate limit lifted;
//  2. latency of Twilio's webhooks (TwiML fetches, Gather answers, status callbacks) while ~200
//     simulated calls are up at once. PUBLIC_BASE_URL points at a timing proxy in front of stepup,
//     so the simulator signs for the proxy's URL and every webhook is timed as stepup answers it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import type { AddressInfo } from 'node:net';
import { createSimulator, type Simulator } from '@stepup/telephony-simulator';
import { StepupClient } from '../src/client/stepup-client.ts';
import { processWindow, serverNodeArgs, type ProcessWindow } from './harness.ts';

export interface ArsBenchOptions {
  redisUrl: string;
  /** A PostgreSQL URL; the benchmark creates (and drops) a database of its own on that server. */
  databaseUrl: string;
  /** Simulated calls up at once in the webhook run (default 200). */
  calls?: number;
  /** Challenges timed from creation to Calls.create (default 200). */
  creations?: number;
}

const accountSid = 'AC00000000000000000000000000000000';
const ordinals = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth'];
const secret = '20478153';

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
const ms = (value: number) => value.toFixed(1);
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Forwards to stepup and times each webhook from the first byte forwarded to the last byte back. */
function timingProxy(target: () => string, samples: { hook: string; ms: number }[]): http.Server {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const started = process.hrtime.bigint();
      const upstream = http.request(target() + req.url, { method: req.method, headers: req.headers, agent }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => body.push(chunk));
        answer.on('end', () => {
          const hook = /\/(answer|gather|no-input|status)(\?|$)/.exec(req.url ?? '')?.[1] ?? 'other';
          samples.push({ hook, ms: Number(process.hrtime.bigint() - started) / 1e6 });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(body));
        });
      });
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
}

async function startStepup(env: Record<string, string>, url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...serverNodeArgs(), '--import', 'tsx', 'src/main.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let tries = 0; tries < 300; tries += 1) {
    if (child.exitCode !== null) throw new Error(`stepup exited with ${child.exitCode}`);
    const up = await fetch(`${url}/readyz`).then((response) => response.ok, () => false);
    if (up) return child;
    await sleep(100);
  }
  throw new Error('stepup did not become ready');
}

/** Answers every question after a listener's pause: the first one wrong, the next one right. */
function answerCalls(sim: Simulator, stop: AbortSignal, thinkMs: () => number): { maxUp: () => number } {
  const answered = new Map<string, { prompt: string; count: number }>();
  let maxUp = 0;
  const tick = () => {
    if (stop.aborted) return;
    let up = 0;
    for (const call of sim.state.listCalls()) {
      if (call.status === 'in-progress') up += 1;
      if (!call.awaitingDigits || !call.prompt) continue;
      // Each new question has new positions, so a new prompt.
      const previous = answered.get(call.sid);
      if (previous?.prompt === call.prompt) continue;
      const asks = (previous?.count ?? 0) + 1;
      answered.set(call.sid, { prompt: call.prompt, count: asks });
      const { sid, prompt } = call;
      setTimeout(() => {
        if (stop.aborted) return;
        const positions = [...prompt.matchAll(/\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)\b/g)].map((m) => ordinals.indexOf(m[1]!) + 1);
        const right = positions.map((position) => secret[position - 1]).join('');
        sim.engine.pressDigits(sid, asks === 1 ? [...right].map((digit) => String((Number(digit) + 1) % 10)).join('') : right);
      }, thinkMs());
    }
    maxUp = Math.max(maxUp, up);
    setTimeout(tick, 10);
  };
  tick();
  return { maxUp: () => maxUp };
}

async function inBatches<T>(items: T[], size: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) await Promise.all(items.slice(start, start + size).map((item, offset) => work(item, start + offset)));
}

/** A database of its own on the same server (its MASTER_KEY differs from the other runs'). */
async function scratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `stepup_ars_bench_${randomBytes(4).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(sql);
    await client.end();
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface ArsBenchResult {
  lines: string[];
  webhookP99Ms: number;
  creationP99Ms: number;
  webhookWindow: ProcessWindow;
  creationWindow: ProcessWindow;
}

export async function arsBench(options: ArsBenchOptions): Promise<ArsBenchResult> {
  const { redisUrl, calls = 200, creations = 200 } = options;
  const database = await scratchDatabase(options.databaseUrl);
  const databaseUrl = database.url;
  const authToken = `bench-${randomBytes(12).toString('hex')}`;
  const adminToken = randomBytes(24).toString('base64url');
  const metricsToken = randomBytes(24).toString('base64url');
  const samples: { hook: string; ms: number }[] = [];
  // Gather timeouts ×4 (20 s): the simulated customers take up to 12 s to answer.
  const sim = createSimulator({ accountSid, authToken, ringDelayMs: 1500, gatherTimeoutScale: 4, pauseScale: 0 });
  const simServer = http.createServer(sim.app);
  const simUrl = await listen(simServer);
  let stepupUrl = '';
  const proxy = timingProxy(() => stepupUrl, samples);
  const proxyUrl = await listen(proxy);
  const port = await new Promise<number>((resolve) => {
    const probe = http.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  stepupUrl = `http://127.0.0.1:${port}`;
  const stepup = await startStepup(
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: proxyUrl,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: `{benchars${randomBytes(3).toString('hex')}}`,
      MASTER_KEY: randomBytes(32).toString('base64'),
      ADMIN_TOKEN: adminToken,
      METRICS_TOKEN: metricsToken,
      LOG_LEVEL: 'error',
      RATE_LIMIT_PER_KEY_PER_MINUTE: '100000000',
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_FROM: '+8215880000',
      TWILIO_API_BASE_URL: simUrl,
    },
    stepupUrl,
  );
  const lines: string[] = [];
  let result: Omit<ArsBenchResult, 'lines'> | undefined;
  try {
    const admin = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(stepupUrl + path, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
      return (await response.json()) as any;
    };
    const tenant = await admin('POST', '/admin/v1/tenants', { name: 'ARS Bench Bank', policyApproval: { required: false } });
    const key = await admin('POST', `/admin/v1/tenants/${tenant.id}/keys`, {});
    const policy = await admin('GET', `/admin/v1/tenants/${tenant.id}/policy`);
    const ars = { ...policy.document.channels.ars, callsPerSecond: 1000, callAttempts: 1, maxCallsPerCustomerPerHour: 100, maxCallsPerNumberPerDay: 500 };
    await admin('PUT', `/admin/v1/tenants/${tenant.id}/policy`, { ...policy.document, channels: { ...policy.document.channels, ars } }, { 'if-match': `"v${policy.version}"` });
    const client = new StepupClient({ baseUrl: stepupUrl, publicBaseUrl: proxyUrl, credentials: { keyId: key.keyId, secret: key.secret } });
    const customers = Array.from({ length: Math.max(calls, creations) }, (_, index) => ({ id: `bench-ars-${index}`, number: `+8223${String(1_000_000 + index).padStart(7, '0')}` }));
    await inBatches(customers, 20, async ({ id, number }) => {
      await client.request('PUT', `/v1/customers/${id}/phone`, { number });
      await client.request('PUT', `/v1/customers/${id}/knowledge-secret`, { secret });
    });
    const challengeFor = (customerId: string) => ({
      customerId,
      channels: ['ars'],
      locale: 'en-US',
      transaction: { reference: `B-${randomBytes(6).toString('hex')}`, type: 'transfer', amount: { value: '3500000', currency: 'KRW' }, payee: { name: 'Kim Chulsoo', bank: 'Shinhan Bank', account: '110-123-456789' } },
    });

    // 1. Creation → Calls.create. Busy numbers: the calls end at once and do not load the run.
    const timed = customers.slice(0, creations);
    for (const { number } of timed) sim.state.setNumber({ number, callForwarding: null, answer: 'busy' });
    const sentAt = new Map<string, number>();
    const endCreationWindow = await processWindow(stepupUrl, metricsToken);
    // A steady stream of about 20 challenges per second: latency, not saturation, is measured.
    await inBatches(timed, 2, async ({ id, number }) => {
      sentAt.set(number, Date.now());
      const created = await client.createChallenge<any>(challengeFor(id));
      if (created.status !== 201 || created.body.channel !== 'ars') throw new Error(`challenge: ${created.status} ${JSON.stringify(created.body)}`);
      await sleep(100);
    });
    for (let waited = 0; waited < 200 && sim.state.listCalls().length < timed.length; waited += 1) await sleep(50);
    const toCreate = sim.state.listCalls().map((call) => call.dateCreated.getTime() - sentAt.get(call.to)!).sort((a, b) => a - b);
    const creationWindow = await endCreationWindow();

    // 2. Webhooks while the calls are up: wrong answer, new positions, right answer, status.
    samples.length = 0;
    const concurrent = customers.slice(0, calls);
    for (const { number } of concurrent) sim.state.setNumber({ number, callForwarding: null, answer: 'human' });
    const stop = new AbortController();
    // Customers take 4–12 s to answer each question (they listen to the call first); calls are
    // placed over about 10 s, so they are all up together while their webhooks interleave.
    const endWebhookWindow = await processWindow(stepupUrl, metricsToken);
    const driver = answerCalls(sim, stop.signal, () => 4000 + Math.random() * 8000);
    const ids: string[] = [];
    await inBatches(concurrent, 2, async ({ id }) => {
      const created = await client.createChallenge<any>(challengeFor(id));
      ids.push(created.body.id);
      await sleep(Math.max(0, 10_000 / concurrent.length * 2 - 10));
    });
    // Wait on the simulator's side (polling stepup would load the server being measured).
    const numbers = new Set(concurrent.map(({ number }) => number));
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && sim.state.listCalls().filter((call) => numbers.has(call.to) && call.status === 'completed').length < concurrent.length) await sleep(200);
    await sleep(500); // the last status callbacks
    stop.abort();
    const webhookWindow = await endWebhookWindow();
    let approved = 0;
    await inBatches(ids, 20, async (id) => {
      if ((await client.getChallenge<any>(id)).body.status === 'approved') approved += 1;
    });
    const all = samples.map((sample) => sample.ms).sort((a, b) => a - b);
    const byHook = (hook: string) => samples.filter((sample) => sample.hook === hook).map((sample) => sample.ms).sort((a, b) => a - b);

    lines.push(`## ARS: webhooks and call placement (${new Date().toISOString().slice(0, 10)})`, '');
    lines.push(`stepup (one process: API + workers) on PostgreSQL and Redis; the telephony simulator and a timing proxy (PUBLIC_BASE_URL) in the load generator's process, all on the same machine.`, '');
    lines.push(`### Twilio webhook latency, ${concurrent.length} simulated calls (at most ${driver.maxUp()} up at once)`, '');
    lines.push('Calls placed over about 10 s; each: TwiML on answer (AMD human), a wrong answer (new positions), the right answer, the final status callback, the customer taking 4–12 s per answer. Time from the request reaching the proxy to the last byte of stepup\'s answer.', '');
    lines.push('| webhook | count | p50 ms | p95 ms | p99 ms | max ms |', '|---|---|---|---|---|---|');
    for (const [name, values] of [['answer (TwiML: greeting, transaction, ask)', byHook('answer')], ['gather (answer checked, next TwiML)', byHook('gather')], ['status (call ended)', byHook('status')], ['all', all]] as const) {
      lines.push(`| ${name} | ${values.length} | ${ms(percentile(values, 50))} | ${ms(percentile(values, 95))} | ${ms(percentile(values, 99))} | ${ms(values[values.length - 1] ?? NaN)} |`);
    }
    lines.push('', `- ${approved} of ${ids.length} challenges approved. p99 over all webhooks ${ms(percentile(all, 99))} ms (target ≤ 20 ms).`, '');
    lines.push(`### Challenge creation → Calls.create at the simulator (${toCreate.length} challenges, rate limit lifted: callsPerSecond 1000)`, '');
    lines.push('From sending the signed `POST /v1/challenges` to the simulator receiving `Calls.create` (creation, the place-call job, vetting, the call through the twilio SDK); a steady stream of about 20 challenges per second.', '');
    lines.push(`- p50 ${percentile(toCreate, 50)} ms, p95 ${percentile(toCreate, 95)} ms, p99 ${percentile(toCreate, 99)} ms, max ${toCreate[toCreate.length - 1]} ms (target p99 ≤ 100 ms).`, '');
    result = { webhookP99Ms: percentile(all, 99), creationP99Ms: percentile(toCreate, 99), webhookWindow, creationWindow };
  } finally {
    stepup.kill('SIGTERM');
    sim.close();
    simServer.closeAllConnections();
    simServer.close();
    proxy.closeAllConnections();
    proxy.close();
    await new Promise((resolve) => stepup.once('exit', resolve).once('error', resolve));
    await database.drop().catch(() => undefined);
  }
  return { lines, ...result! };
}

const fixed = (value: number) => value.toFixed(1);

/**
 * The ARS benchmark `runs` times (BENCH_ARS_RUNS, default 3), each on a fresh stepup and database:
 * the first run's tables, then every run's p99s beside what stepup's own gauges saw in the same
 * windows (event-loop delay, GC), so a tail can be told apart from the process that made it.
 */
export async function arsRuns(options: ArsBenchOptions, runs: number): Promise<string[]> {
  const results: ArsBenchResult[] = [];
  for (let run = 0; run < runs; run += 1) results.push(await arsBench(options));
  const lines = [...results[0]!.lines];
  lines.push(`### The ARS targets over ${runs} runs`, '');
  lines.push('Each run on a fresh stepup process and database. Event-loop delay and GC time are stepup\'s own (`nodejs_eventloop_lag_*`, `nodejs_gc_duration_seconds` on /metrics, over the same window; the delay histogram has 10 ms resolution).', '');
  lines.push('| run | webhook p99 ms (≤ 20) | event-loop delay p99 / max ms | GC ms (collections) | creation → Calls.create p99 ms (≤ 100) | event-loop delay p99 / max ms | GC ms (collections) |', '|---|---|---|---|---|---|---|');
  results.forEach((result, index) => {
    const w = result.webhookWindow;
    const c = result.creationWindow;
    lines.push(`| ${index + 1} | ${fixed(result.webhookP99Ms)} | ${fixed(w.loopP99Ms)} / ${fixed(w.loopMaxMs)} | ${fixed(w.gcMs)} (${w.gcCount}) | ${fixed(result.creationP99Ms)} | ${fixed(c.loopP99Ms)} / ${fixed(c.loopMaxMs)} | ${fixed(c.gcMs)} (${c.gcCount}) |`);
  });
  const worstWebhook = Math.max(...results.map((result) => result.webhookP99Ms));
  const worstCreation = Math.max(...results.map((result) => result.creationP99Ms));
  lines.push('', `- Worst of ${runs} runs: webhook p99 ${fixed(worstWebhook)} ms (target ≤ 20 ms: ${worstWebhook <= 20 ? 'met' : 'missed'}); creation → Calls.create p99 ${fixed(worstCreation)} ms (target ≤ 100 ms: ${worstCreation <= 100 ? 'met' : 'missed'}).`, '');
  return lines;
}
