// `BENCH_PROFILE=1 npm run bench`: where a decision's time goes. Starts stepup under node's
// --cpu-prof, sends it the not_required load (BENCH_PROFILE_SCENARIO=pending: the pending one) for
// BENCH_DURATION seconds, stops it so node writes the profile, and prints self time per package
// (pino, prom-client, zod, express, pg, ioredis, http-message-signatures, stepup's own src/
// folders, ...) and the top functions, counting only the samples taken during the load, as Markdown.
// BENCH_PROFILE_KIND=heap: allocations instead, sampled over the load by V8's sampling heap profiler
// (bench/heap-sampler.ts), bytes per package and per request.
// BENCH_PROFILE_TARGET=mandated profiles the mandated baseline (bench/mandated-baseline-server.ts)
// under the same load instead, so the two tables can be set side by side.
// The profile and the summary stay in BENCH_PROFILE_DIR (default .tmp/profiles/<time>); a
// .cpuprofile opens in Chrome DevTools or speedscope, a .heapprofile in Chrome DevTools.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createBenchTenant, duration, freePort, load, newStepupSecrets, signedChallenge, sleep, startChild, startStepup, stepupEnv, stepupScenarios, stopChild, transfer } from './harness.ts';
import type { PlannedRequest } from './open-loop.ts';
import { summariseCpuProfile, summariseHeapProfile } from './profile-summary.ts';
import { writeSection } from './benchmarks-file.ts';

const kind = process.env.BENCH_PROFILE_KIND ?? 'cpu';
if (kind !== 'cpu' && kind !== 'heap') throw new Error(`BENCH_PROFILE_KIND: cpu or heap, not ${kind}`);
const scenarioName = process.env.BENCH_PROFILE_SCENARIO ?? 'notRequired';
if (scenarioName !== 'notRequired' && scenarioName !== 'pending') throw new Error(`BENCH_PROFILE_SCENARIO: notRequired or pending, not ${scenarioName}`);
const dir = resolve(process.env.BENCH_PROFILE_DIR ?? join('.tmp', 'profiles', new Date().toISOString().replace(/[:.]/g, '-')));
mkdirSync(dir, { recursive: true });
const heapFile = join(dir, 'load.heapprofile');

const targetName = process.env.BENCH_PROFILE_TARGET ?? 'stepup';
if (targetName !== 'stepup' && targetName !== 'mandated') throw new Error(`BENCH_PROFILE_TARGET: stepup or mandated, not ${targetName}`);
if (targetName === 'mandated' && (scenarioName !== 'notRequired' || kind !== 'cpu')) throw new Error('the mandated baseline is profiled for CPU with the not_required load only');

const waitFor = async (path: string) => {
  for (let tries = 0; tries < 300 && !existsSync(path); tries += 1) await sleep(100);
  if (!existsSync(path)) throw new Error(`${path} did not appear`);
};

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const secrets = newStepupSecrets();
const databaseUrl = process.env.BENCH_DATABASE_URL!;
const redisUrl = process.env.REDIS_URL!;
const cpuArgs = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
let server: ChildProcess;
let scenario: () => PlannedRequest;
if (targetName === 'mandated') {
  const key = { keyId: 'bench-mandated', secret: randomBytes(32).toString('base64') };
  server = await startChild('bench/mandated-baseline-server.ts', { PORT: String(port), PUBLIC_BASE_URL: url, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, BASELINE_KEY_ID: key.keyId, BASELINE_KEY_SECRET: key.secret }, 'mandated baseline ready', cpuArgs);
  scenario = () => signedChallenge(url, key, transfer(`c-${randomBytes(6).toString('hex')}`, '1000'));
} else {
  const env = { ...stepupEnv({ port, publicBaseUrl: url, databaseUrl, redisUrl, secrets }), BENCH_HEAP_SAMPLE_FILE: heapFile };
  // V8's default CPU sampling interval (1 ms) is kept: a finer one would distort what it measures.
  server = await startStepup(env, kind === 'cpu' ? { url, extraNodeArgs: cpuArgs } : { url, imports: ['./bench/heap-sampler.ts'] });
  scenario = stepupScenarios(url, await createBenchTenant(url, secrets.adminToken))[scenarioName];
}
await load(url, scenario, { duration: Math.min(3, duration) }); // warm-up: JIT, connections, caches

if (kind === 'heap') {
  server.kill('SIGUSR2');
  await waitFor(`${heapFile}.started`);
}
// V8 stamps CPU samples with CLOCK_MONOTONIC µs, the clock process.hrtime reads in every process.
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const startUs = monotonicUs();
const result = await load(url, scenario);
const window = { startUs, endUs: monotonicUs() };
if (kind === 'heap') {
  server.kill('SIGUSR2');
  await waitFor(heapFile);
}
await stopChild(server); // node writes the CPU profile as the process exits

// One CPU profile per thread: CPU.<date>.<time>.<pid>.<thread>.<seq>; thread 0 is the main thread,
// the one that serves requests (the others are tsx's module-loader thread and any worker threads).
const cpuProfiles = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile') && name.split('.')[4] === '0');
if (kind === 'cpu' && cpuProfiles.length !== 1) throw new Error(`expected one main-thread .cpuprofile in ${dir}, found ${cpuProfiles.length}`);
const profilePath = kind === 'cpu' ? join(dir, cpuProfiles[0]!) : heapFile;
const lines = [
  `## ${kind === 'cpu' ? 'CPU' : 'Allocation'} profile of ${targetName === 'mandated' ? 'the mandated baseline' : 'stepup'} under the ${scenarioName === 'notRequired' ? 'not_required' : 'pending'} load${kind === 'heap' && process.env.BENCH_PROFILE_SURVIVORS === '1' ? ', what survived a young-generation collection' : ''} (${new Date().toISOString().slice(0, 10)})`,
  '',
  `Load: ${Math.round(result.rps)} req/s for ${duration} s after a warm-up (${result.requests} requests, ${result.non2xx + result.errors} errors); only the load is counted, not start-up, set-up or warm-up. Profile: ${profilePath}`,
  '',
  ...(kind === 'cpu' ? summariseCpuProfile(profilePath, { requests: result.requests, window }) : summariseHeapProfile(profilePath, { requests: result.requests })),
];
writeFileSync(join(dir, 'summary.md'), `${lines.join('\n')}\n`);
process.stdout.write(`${lines.join('\n')}\n\nSummary written to ${join(dir, 'summary.md')}\n`);
// BENCH_OUTPUT=BENCHMARKS.md records it there, in a section of its own per target, kind and scenario.
if (process.env.BENCH_OUTPUT) writeSection(process.env.BENCH_OUTPUT, `profile-${targetName}-${kind}-${scenarioName}${process.env.BENCH_PROFILE_SURVIVORS === '1' ? '-survivors' : ''}`, lines);
process.exit(0);
