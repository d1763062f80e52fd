// `npm run chaos`: PostgreSQL, Redis, two API processes behind HAProxy and two worker processes and the telephony simulator;
// a mixed load of not_required, OTP and ARS challenges (answered right, wrong, with *, unanswered)
// with a webhook receiver that verifies signatures and fails some deliveries; each fault injected in
// turn; then the checks of chaos/checks.ts. Exits 1 when any check counts more than zero.
//   CHAOS_RATE (challenges/s, default 30), CHAOS_FAULT_GAP_S (seconds of load around each fault,
//   default 15), CHAOS_FAULTS (comma-separated fault numbers, default all), CHAOS_REPORT (write
//   the Markdown table there too), CHAOS_LOG_DIR (where every process's output is kept; default
//   .chaos/<start time>/).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { StepupClient } from '../src/client/stepup-client.ts';
import { chaosLogDir } from './chaos-process.ts';
import { queuePrefix, startCluster, type Cluster } from './cluster.ts';
import { faults } from './faults.ts';
import { BankLoad, type Customer, type Scenario } from './bank-load.ts';
import { CallAnswerer, type CallPlan } from './call-answerer.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';
import { runChecks, type CheckRow } from './checks.ts';
import { describeLoss, fatesOf, unscheduledSweeps } from './redis-loss.ts';

const rate = Number(process.env.CHAOS_RATE ?? 30);
const gapSeconds = Number(process.env.CHAOS_FAULT_GAP_S ?? 15);
const chosen = process.env.CHAOS_FAULTS ? process.env.CHAOS_FAULTS.split(',').map((n) => faults[Number(n) - 1]!) : faults;
const secret = '20478153';
const mix: [Scenario, number][] = [
  ['not_required', 30],
  ['otp', 20],
  ['ars_right', 20],
  ['ars_wrong', 10],
  ['ars_star', 10],
  ['ars_unanswered', 10],
];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => process.stderr.write(`[chaos] ${line}\n`);

async function admin(cluster: Cluster, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(cluster.apiUrl + path, {
    method,
    headers: { authorization: `Bearer ${cluster.adminToken}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, any>;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return { status: response.status, body: json, etag: response.headers.get('etag') };
}

/** A set-up request, retried while the API answers 503 (the machine is shared: the set-up runs under load too). */
async function setUp<T extends { status: number }>(request: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    const response = await request();
    if (response.status !== 503 || tries >= 20) return response;
    await sleep(1000);
  }
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) await Promise.all(items.slice(start, start + size).map(work));
}

/** A Seoul landline per customer (02-3xxx-xxxx): ARS only calls landlines. */
const landline = (n: number) => `+8223${String(n).padStart(7, '0')}`;

async function main(): Promise<void> {
  const receiver = await startWebhookReceiver({ failShare: 0.1 });
  say(`starting PostgreSQL, Redis, the simulator, two API processes behind HAProxy and two worker processes (their logs: ${chaosLogDir})`);
  const cluster = await startCluster({ workers: 2 });
  const answerer = new CallAnswerer(cluster.mirror, cluster.simUrl);
  try {
    // Maker-checker off: the run's policy is set-up, and a proposal would leave the defaults in force.
    const tenant = await admin(cluster, 'POST', '/admin/v1/tenants', { name: 'Chaos Bank', bankName: 'Chaos Bank', allowLoopbackCallbacks: true, defaultCallbackUrl: receiver.url, policyApproval: { required: false } });
    receiver.setSecret(tenant.body.webhookSecret);
    const key = await admin(cluster, 'POST', `/admin/v1/tenants/${tenant.body.id}/keys`, {});
    const policy = await admin(cluster, 'GET', `/admin/v1/tenants/${tenant.body.id}/policy`);
    const document = structuredClone(policy.body.document);
    document.challengeTtlSeconds = 60;
    Object.assign(document.channels.ars, { callsPerSecond: 200, maxCallsPerCustomerPerHour: 20, maxCallsPerNumberPerDay: 50 });
    // Every transfer from 1 KRW is held for a minute (docs/holds.md): releases run through the faults
    // (jobs and the sweep); the notification calls are left out so the call counts stay the ARS ones.
    document.hold = { enabled: true, minAmount: '1', seconds: 60, appliesTo: ['approved', 'not_required'], stopClosesBeforeSeconds: 10, notifyCallsAfterSeconds: [], newPayeeWithinSeconds: 0 };
    const written = await admin(cluster, 'PUT', `/admin/v1/tenants/${tenant.body.id}/policy`, document, { 'if-match': policy.etag! });
    if (written.status !== 200) throw new Error(`chaos: the run's policy was not applied (${written.status})`);
    const client = new StepupClient({ baseUrl: cluster.apiUrl, credentials: { keyId: key.body.keyId, secret: key.body.secret } });

    // Customers for the whole run, each used once (no day totals, call caps or locks shared between sessions).
    const loadSeconds = gapSeconds * (chosen.length + 1);
    const perScenario = (weight: number) => Math.ceil(((rate * loadSeconds * weight) / 100) * 1.3) + 5;
    const customers: Customer[] = [];
    let phones = 0;
    say(`enrolling customers for ${loadSeconds} s of load at ${rate}/s`);
    for (const [scenario, weight] of mix) {
      const batch: Customer[] = Array.from({ length: perScenario(weight) }, (_, i) => ({ id: `${scenario}-${i}`, scenario }));
      await inBatches(batch, 20, async (customer) => {
        if (scenario === 'otp') {
          customer.seed = new Uint8Array(randomBytes(20));
          const token = await setUp(() => client.createOtpToken<{ id: string }>(customer.id, { type: 'totp', secretHex: Buffer.from(customer.seed!).toString('hex') }));
          if (token.status !== 201) throw new Error(`OTP token for ${customer.id}: ${token.status} ${JSON.stringify(token.body)}`);
        } else if (scenario.startsWith('ars_')) {
          const number = landline((phones += 1));
          const plan = scenario.slice(4) as CallPlan;
          await cluster.simulator.setNumber(number, { callForwarding: false, answer: plan === 'unanswered' ? 'no-answer' : 'human' });
          answerer.plan(number, plan, secret);
          for (const [path, body] of [['phone', { number }], ['knowledge-secret', { secret }]] as const) {
            const response = await setUp(() => client.request('PUT', `/v1/customers/${customer.id}/${path}`, body));
            if (response.status >= 300) throw new Error(`enrolling ${customer.id} (${path}): ${response.status} ${JSON.stringify(response.body)}`);
          }
        }
      });
      customers.push(...batch);
    }
    const probe = await setUp(() => client.createChallenge<{ id: string }>({
      customerId: 'probe',
      transaction: { reference: 'TX-PROBE', type: 'transfer', amount: { value: '1000', currency: 'KRW' }, payee: { name: 'Probe', bank: 'Shinhan Bank', account: '110-123-456789' } },
    }, { idempotencyKey: `probe-${randomBytes(6).toString('hex')}` }));
    if (probe.status !== 201) throw new Error(`probe challenge: ${probe.status} ${JSON.stringify(probe.body)}`);
    const ready = async () => (await client.getChallenge(probe.body.id).then((r) => r.status === 200, () => false));

    // The machine's load during the run (it is shared): part of the report.
    const loads: number[] = [];
    const sampling = setInterval(() => loads.push(loadavg()[0]!), 5000);
    answerer.start();
    const load = new BankLoad(client, customers, mix);
    say(`load: ${rate} challenges/s`);
    load.start(rate);
    await sleep(gapSeconds * 1000);
    const recoveries: { fault: string; seconds: number | null }[] = [];
    for (const fault of chosen) {
      say(`fault: ${fault.name}`);
      await fault.inject(cluster);
      const repaired = performance.now();
      let seconds: number | null = null;
      while (performance.now() - repaired < 60_000) {
        if (await ready()) {
          seconds = (performance.now() - repaired) / 1000;
          break;
        }
        await sleep(50);
      }
      recoveries.push({ fault: fault.name, seconds });
      say(`  API serving again ${seconds === null ? 'NEVER (60 s)' : `after ${seconds.toFixed(2)} s`}`);
      await sleep(gapSeconds * 1000);
    }
    await load.stop();
    clearInterval(sampling);
    say(`load stopped: ${load.sessions.length} sessions; draining (challenges end within their 60 s lifetime, webhooks retry)`);

    const drainDeadline = performance.now() + 150_000;
    let rows: CheckRow[] = [];
    for (;;) {
      rows = await runChecks({ databaseUrl: cluster.postgres.url, sessions: load.sessions, stats: load.stats, receiver, calls: [...cluster.mirror.calls.values()], pressed: answerer.pressed });
      const draining = rows.filter((r) => ['challenges created but not terminal', 'decisions that never reached the bank', 'stuck call attempts'].includes(r.check) && r.count > 0);
      if (draining.length === 0 || performance.now() > drainDeadline) break;
      await sleep(2000);
    }
    answerer.stop();
    const crashes = [...cluster.apis, ...cluster.workers, cluster.simulator].flatMap((process) => process.unexpectedExits);
    rows.push({ check: 'processes that exited although nothing stopped them', count: crashes.length, examples: crashes.slice(0, 3) });
    // What the lost Redis primary took with it, and whether the reconciler and the sweeps redid it.
    const lossReport: string[] = [];
    const notRedone: string[] = [];
    for (const loss of await Promise.all(cluster.redisLosses)) {
      const fates = await fatesOf(loss.lostKeys, queuePrefix, cluster.postgres.url);
      lossReport.push('', ...describeLoss(loss, fates));
      notRedone.push(...fates.filter((fate) => fate.recovered === false).map((fate) => `${fate.key} (${fate.outcome})`));
    }
    if (cluster.redisLosses.length > 0) rows.push({ check: 'jobs lost with the Redis primary whose work was never done', count: notRedone.length, examples: notRedone.slice(0, 3) });
    const unscheduled = await unscheduledSweeps(await cluster.redis.primaryUrl(), queuePrefix);
    rows.push({ check: 'sweeps no longer scheduled', count: unscheduled.length, examples: unscheduled });

    const byStatus = [...load.stats.byStatus].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`).join(', ');
    const report = [
      `Machine: 1-minute load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the load (${loads.length} samples, 5 s apart).`,
      '',
      `Load: ${load.sessions.length} sessions at ${rate}/s (${mix.map(([s, w]) => `${s} ${w}%`).join(', ')}); ${load.stats.requests} API answers (${byStatus}); ${load.stats.networkErrors} connection errors and ${load.stats.balancerErrors} load-balancer errors (502/504: an API process lost with the request; retried); ${receiver.failedOnPurpose} deliveries refused on purpose by the receiver.`,
      '',
      '| fault | API serving again after |',
      '|---|---|',
      ...recoveries.map((r) => `| ${r.fault} | ${r.seconds === null ? '**never (60 s)**' : `${r.seconds.toFixed(2)} s`} |`),
      '',
      '| check | count | examples |',
      '|---|---|---|',
      ...rows.map((r) => `| ${r.check} | ${r.count === 0 ? '0' : `**${r.count}**`} | ${r.examples.join('; ')} |`),
      ...lossReport,
    ].join('\n');
    console.log(report);
    if (process.env.CHAOS_REPORT) writeFileSync(process.env.CHAOS_REPORT, `${report}\n`);
    const failed = rows.filter((r) => r.count > 0).length + recoveries.filter((r) => r.seconds === null).length;
    say(failed === 0 ? 'every check is zero' : `${failed} checks failed`);
    say(`every process's log of this run: ${chaosLogDir}`);
    process.exitCode = failed === 0 ? 0 : 1;
  } finally {
    answerer.stop();
    await cluster.close();
    await receiver.close();
  }
}

await main();
process.exit(process.exitCode ?? 0);
