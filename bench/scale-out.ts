// `BENCH_SCALE_OUT=1 npm run bench`: one all-in-one stepup (STEPUP_ROLE=all) against two API
// processes (STEPUP_ROLE=api, two ports, the generator's connections spread over both) and one
// worker (STEPUP_ROLE=worker), on the same PostgreSQL and Redis, one after the other; prints the
// throughput ratio (docs/capacity.md "Scaling out"). Every process is given the same
// PUBLIC_BASE_URL, so a bank's signed request verifies on whichever API process receives it.
// On a machine with fewer cores than processes the ratio measures contention, not scaling: read
// it with the core count printed beside it.
import { cpus } from 'node:os';
import { writeSection } from './benchmarks-file.ts';
import { measureCpu } from './cpu-accounting.ts';
import { connections, createBenchTenant, duration, freePort, load, newStepupSecrets, startStepup, stepupEnv, stepupScenarios, stopChild, type Load } from './harness.ts';

const databaseUrl = process.env.BENCH_DATABASE_URL!;
const redisUrl = process.env.REDIS_URL!;
const secrets = newStepupSecrets();
const allPort = await freePort();
const origin = `http://127.0.0.1:${allPort}`;
const env = (port: number, role: 'all' | 'api' | 'worker') => stepupEnv({ port, publicBaseUrl: origin, databaseUrl, redisUrl, secrets, role, logLevel: role === 'worker' ? 'info' : 'warn' });

// --- one all-in-one process ----------------------------------------------------------------------
const all = await startStepup(env(allPort, 'all'), { url: origin });
const tenant = await createBenchTenant(origin, secrets.adminToken);
const scenarios = stepupScenarios(origin, tenant);
await load(origin, scenarios.notRequired); // warm-up
const allNotRequired = await measureCpu(all.pid!, () => load(origin, scenarios.notRequired));
const allPending = await measureCpu(all.pid!, () => load(origin, scenarios.pending));
await stopChild(all);

// --- two API processes and one worker ------------------------------------------------------------
const [api1Port, api2Port, workerPort] = [await freePort(), await freePort(), await freePort()];
const apiUrls = [`http://127.0.0.1:${api1Port}`, `http://127.0.0.1:${api2Port}`];
const worker = await startStepup(env(workerPort, 'worker'));
const api1 = await startStepup(env(api1Port, 'api'), { url: apiUrls[0] });
const api2 = await startStepup(env(api2Port, 'api'), { url: apiUrls[1] });
const pids = [api1.pid!, api2.pid!, worker.pid!];
await load(apiUrls, scenarios.notRequired); // warm-up
const outNotRequired = await measureCpu(pids, () => load(apiUrls, scenarios.notRequired));
const outPending = await measureCpu(pids, () => load(apiUrls, scenarios.pending));
await Promise.all([stopChild(api1), stopChild(api2), stopChild(worker)]);

const row = (name: string, r: Load) => `| ${name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.non2xx + r.errors} | ${r.cpu?.server ?? 'n/a'} | ${r.cpu?.machine ?? 'n/a'} |`;
const ratio = (a: Load, b: Load) => (a.rps / Math.max(1, b.rps)).toFixed(2);
const lines = [
  `## Scale-out: 2 API processes + 1 worker against 1 all-in-one (${new Date().toISOString().slice(0, 10)})`,
  '',
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}); the same PostgreSQL and Redis for both; autocannon, ${connections} connections, ${duration} s per run, spread over the two API ports. Server CPU is the sum over the processes under test (µs per request).`,
  '',
  '| run | req/s | p50 ms | p99 ms | errors | server CPU µs | machine CPU µs |',
  '|---|---|---|---|---|---|---|',
  row('all-in-one → not_required', allNotRequired),
  row('2 api + 1 worker → not_required', outNotRequired),
  row('all-in-one → pending (OTP)', allPending),
  row('2 api + 1 worker → pending (OTP)', outPending),
  '',
  `- Throughput, scale-out ÷ all-in-one: not_required ${ratio(outNotRequired, allNotRequired)}×, pending ${ratio(outPending, allPending)}× (on ${cpus().length} cores shared with PostgreSQL, Redis and the generator).`,
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);
if (process.env.BENCH_OUTPUT) writeSection(process.env.BENCH_OUTPUT, 'scale-out', lines);
process.exit(0);
