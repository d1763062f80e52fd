// `BENCH_PROFILE=1 npm run bench`: where a decision's time goes. Starts stepup under node's
// --cpu-prof (BENCH_PROFILE_KIND=heap: --heap-prof, the sampling heap profiler), sends it the
// not_required load (BENCH_PROFILE_SCENARIO=pending: the pending one) for BENCH_DURATION seconds,
// stops it so node writes the profile, and prints self time per package (pino-http, prom-client,
// zod, express, pg, ioredis, http-message-signatures, stepup's own src/ folders, ...) and the top
// functions as Markdown. The profile and the summary stay in BENCH_PROFILE_DIR (default
// .tmp/profiles/<time>) for Chrome DevTools or speedscope.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createBenchTenant, duration, freePort, load, newStepupSecrets, startStepup, stepupEnv, stepupScenarios, stopChild } from './harness.ts';
import { summariseCpuProfile, summariseHeapProfile } from './profile-summary.ts';

const kind = process.env.BENCH_PROFILE_KIND ?? 'cpu';
if (kind !== 'cpu' && kind !== 'heap') throw new Error(`BENCH_PROFILE_KIND: cpu or heap, not ${kind}`);
const scenarioName = process.env.BENCH_PROFILE_SCENARIO ?? 'notRequired';
if (scenarioName !== 'notRequired' && scenarioName !== 'pending') throw new Error(`BENCH_PROFILE_SCENARIO: notRequired or pending, not ${scenarioName}`);
const dir = resolve(process.env.BENCH_PROFILE_DIR ?? join('.tmp', 'profiles', new Date().toISOString().replace(/[:.]/g, '-')));
mkdirSync(dir, { recursive: true });

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const secrets = newStepupSecrets();
// A 10 µs sampling interval would distort what it measures; V8's default (1 ms) is kept for the CPU.
const profileArgs = kind === 'cpu' ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : ['--heap-prof', `--heap-prof-dir=${dir}`];
const stepup = await startStepup(stepupEnv({ port, publicBaseUrl: url, databaseUrl: process.env.BENCH_DATABASE_URL!, redisUrl: process.env.REDIS_URL!, secrets }), { url, extraNodeArgs: profileArgs });
const tenant = await createBenchTenant(url, secrets.adminToken);
const scenario = stepupScenarios(url, tenant)[scenarioName];
// V8 stamps samples with CLOCK_MONOTONIC µs, the clock process.hrtime reads in every process.
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const startUs = monotonicUs();
const result = await load(url, scenario);
const window = { startUs, endUs: monotonicUs() };
await stopChild(stepup); // node writes the profile as the process exits

const suffix = kind === 'cpu' ? '.cpuprofile' : '.heapprofile';
// One file per thread: <KIND>.<date>.<time>.<pid>.<thread>.<seq>; thread 0 is the main thread, the
// one that serves requests (the others are tsx's module-loader thread and any worker threads).
const written = readdirSync(dir).filter((name) => name.endsWith(suffix) && name.split('.')[4] === '0');
if (written.length !== 1) throw new Error(`expected one main-thread ${suffix} in ${dir}, found ${written.length}`);
const profilePath = join(dir, written[0]!);
const lines = [
  `## ${kind === 'cpu' ? 'CPU' : 'Heap'} profile of stepup under the ${scenarioName === 'notRequired' ? 'not_required' : 'pending'} load (${new Date().toISOString().slice(0, 10)})`,
  '',
  `Load: ${Math.round(result.rps)} req/s for ${duration} s (${result.requests} requests, ${result.non2xx + result.errors} errors). ${kind === 'cpu' ? 'Only the samples taken during the load are counted (start-up and the tenant set-up are left out).' : 'The heap profile covers the server\'s whole life (start-up, set-up, the load).'} Profile: ${profilePath}`,
  '',
  ...(kind === 'cpu' ? summariseCpuProfile(profilePath, { requests: result.requests, window }) : summariseHeapProfile(profilePath)),
];
writeFileSync(join(dir, 'summary.md'), `${lines.join('\n')}\n`);
process.stdout.write(`${lines.join('\n')}\n\nSummary written to ${join(dir, 'summary.md')}\n`);
process.exit(0);
