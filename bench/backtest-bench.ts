// `BENCH_BACKTEST=1 npm run bench`: the policy backtest (docs/admin-api.md "Backtest") over one million
// stored decisions of one tenant on PostgreSQL, timed, with the process's heap and RSS sampled every
// 100 ms, so "memory flat" is a measurement. Writes the `backtest` section of BENCHMARKS.md.
//   BENCH_BACKTEST_DECISIONS  how many decisions to store (default 1,000,000)
//   BENCH_BACKTEST_CUSTOMERS  over how many customers (default 50,000)
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { createPgDb } from '../src/storage/pg-db.ts';
import { migrate } from '../src/storage/migrate.ts';
import { channelModules, policySectionsOf } from '../src/server/channel-modules.ts';
import { composePolicy } from '../src/policy/policy-schema.ts';
import { runBacktest } from '../src/backtest/run-backtest.ts';
import { writeSection } from './benchmarks-file.ts';

const adminUrl = process.env.BENCH_DATABASE_URL;
if (!adminUrl) throw new Error('BENCH_DATABASE_URL is not set: run it with `BENCH_BACKTEST=1 npm run bench`');
const decisions = Number(process.env.BENCH_BACKTEST_DECISIONS ?? 1_000_000);
const customers = Number(process.env.BENCH_BACKTEST_CUSTOMERS ?? 50_000);
const output = process.env.BENCH_OUTPUT ?? 'BENCHMARKS.md';

const name = `stepup_backtest_${Date.now()}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const db = createPgDb(url.toString());
const log = (line: string) => process.stdout.write(`[backtest bench] ${line}\n`);

try {
  await migrate(db, channelModules);
  const tenantId = 'ten_benchBacktest01';
  await db.query(`INSERT INTO tenants (id, name, bank_name, webhook_secret_enc) VALUES ($1, 'Bench Bank', 'Bench Bank', 'unused')`, [tenantId]);
  // Another tenant's decisions in the same table and time range: the backtest must not read them.
  await db.query(`INSERT INTO tenants (id, name, bank_name, webhook_secret_enc) VALUES ('ten_benchOtherBank01', 'Other', 'Other', 'unused')`);
  const now = new Date();
  const seeded = Date.now();
  // Decisions spread evenly over the last 30 days, in batches so no statement holds too much at once.
  // Amounts from 10,000 to 5,000,000 KRW; a tenth with a risk score, a twentieth to unregistered payees,
  // one in 500 reported as fraud; statuses as a busy day ends them.
  const batch = 100_000;
  for (const tenant of [tenantId, 'ten_benchOtherBank01']) {
    const count = tenant === tenantId ? decisions : Math.min(100_000, decisions);
    for (let start = 0; start < count; start += batch) {
      await db.query(
        `INSERT INTO challenges (id, tenant_id, customer_id, status, transaction_type, transaction_masked, transaction_enc, transaction_hash,
           amount_minor, currency, context, decision, policy_version, channel, locale, fraud_reported, created_at, expires_at)
         SELECT 'chl_' || $1 || '_' || i, $1, 'cust-' || (i % $4), (ARRAY['not_required', 'not_required', 'approved', 'approved', 'denied', 'expired'])[1 + i % 6],
           CASE WHEN i % 40 = 0 THEN 'certificate_reissue' ELSE 'transfer' END, '{}'::jsonb, 'bench', 'bench',
           CASE WHEN i % 40 = 0 THEN NULL ELSE 10000 + (i * 7919) % 4990000 END, CASE WHEN i % 40 = 0 THEN NULL ELSE 'KRW' END,
           CASE WHEN i % 10 = 0 THEN jsonb_build_object('riskScore', (i % 100) / 100.0) WHEN i % 20 = 1 THEN '{"payeeRegistered": false}'::jsonb ELSE '{}'::jsonb END,
           '{}'::jsonb, 0, (ARRAY['ars', 'webauthn', 'otp'])[1 + i % 3], 'ko-KR', i % 500 = 0,
           $5::timestamptz - (($6::bigint - i) * interval '1 millisecond' * (2592000000.0 / $6::bigint)),
           $5::timestamptz
         FROM generate_series($2::bigint, $3::bigint) AS i`,
        [tenant, start, Math.min(start + batch, count) - 1, customers, now, count],
      );
    }
    log(`${tenant}: ${count} decisions stored`);
  }
  await db.query('ANALYZE challenges');
  log(`seeded in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

  // The shipped server's policy schema, as startServer composes it from its modules.
  const policy = composePolicy(policySectionsOf(channelModules));
  const current = { version: 0, document: policy.defaultPolicy(), author: 'system', createdAt: new Date(0) };
  const draft = policy.defaultPolicy();
  draft.stepUp.dailyCumulativeThreshold = '10000000';
  draft.stepUp.riskScoreThreshold = 0.9;
  draft.hold = { ...draft.hold, enabled: true, minAmount: '3000000' };

  const samples: { heapMb: number; rssMb: number }[] = [];
  const sample = () => {
    const usage = process.memoryUsage();
    samples.push({ heapMb: usage.heapUsed / 2 ** 20, rssMb: usage.rss / 2 ** 20 });
  };
  global.gc?.();
  sample();
  const sampler = setInterval(sample, 100);
  const started = performance.now();
  const result = await runBacktest({ db, clock: () => now, policy }, { tenantId, current, draft, days: 30 });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sample();
  if (result.decisions !== decisions) throw new Error(`replayed ${result.decisions} decisions, stored ${decisions}`);
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const peak = (list: typeof samples, key: 'heapMb' | 'rssMb') => Math.max(...list.map((s) => s[key]));
  const firstQuarter = samples.slice(0, quarter);
  const lastQuarter = samples.slice(-quarter);
  const rows = {
    seconds: seconds.toFixed(1),
    perSecond: Math.round(decisions / seconds),
    heapStart: samples[0]!.heapMb.toFixed(0),
    heapPeakFirst: peak(firstQuarter, 'heapMb').toFixed(0),
    heapPeakLast: peak(lastQuarter, 'heapMb').toFixed(0),
    heapPeak: peak(samples, 'heapMb').toFixed(0),
    rssPeakFirst: peak(firstQuarter, 'rssMb').toFixed(0),
    rssPeakLast: peak(lastQuarter, 'rssMb').toFixed(0),
  };
  log(JSON.stringify({ ...rows, steppedUp: result.steppedUp, holds: result.holds, fraudReportedPassingTotal: result.fraudReportedPassingTotal }));
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; PostgreSQL (fsync off) on the same machine`;
  writeSection(output, 'backtest', [
    `## Policy backtest over stored decisions (${now.toISOString().slice(0, 10)})`,
    '',
    `Machine: ${machine}. \`BENCH_BACKTEST=1 npm run bench\` (bench/backtest-bench.ts): ${decisions.toLocaleString('en-US')} decisions of one tenant over 30 days (${customers.toLocaleString('en-US')} customers), plus ${Math.min(100_000, decisions).toLocaleString('en-US')} of another tenant in the same table; replayed under the defaults and a draft (threshold 10,000,000, risk 0.9, hold from 3,000,000) in keyset pages of 5,000. Heap and RSS sampled every 100 ms; "first" and "last" are the peaks over the first and the last quarter of the run.`,
    '',
    '| decisions | seconds | decisions/s | heap start MiB | heap peak, first quarter | heap peak, last quarter | heap peak | RSS peak, first quarter | RSS peak, last quarter |',
    '|---|---|---|---|---|---|---|---|---|',
    `| ${decisions.toLocaleString('en-US')} | ${rows.seconds} | ${rows.perSecond} | ${rows.heapStart} | ${rows.heapPeakFirst} | ${rows.heapPeakLast} | ${rows.heapPeak} | ${rows.rssPeakFirst} | ${rows.rssPeakLast} |`,
    '',
    `Target: under 60 s — ${seconds < 60 ? 'met' : 'missed'} (${rows.seconds} s). Memory: heap peak ${rows.heapPeakFirst} MiB over the first quarter of the run and ${rows.heapPeakLast} MiB over the last (RSS ${rows.rssPeakFirst} and ${rows.rssPeakLast} MiB): ${Number(rows.heapPeakLast) <= Number(rows.heapPeakFirst) * 1.25 ? 'flat, it does not grow with the decisions read' : 'it grew during the run'}.`,
  ]);
} finally {
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
