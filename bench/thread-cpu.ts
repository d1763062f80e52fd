// `npx tsx bench/thread-cpu.ts` (with REDIS_URL and BENCH_DATABASE_URL, a database of its own): the
// mandated baseline, then stepup, each under the not_required load for BENCH_DURATION s after a 5 s
// warm-up, one at a time; prints requests/s and the CPU each request cost the server process, its
// main thread and its other threads (V8's GC helpers, libuv) apart, read from /proc/<pid>/task, and
// the process's peak resident memory.
// For comparing two commits fairly (BENCHMARKS.md "This session's changes"): run it from each
// checkout in turn, alternating, on a quiet machine. Linux only.
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createBenchTenant, freePort, load, newStepupSecrets, signedChallenge, startChild, startStepup, stepupEnv, stepupScenarios, stopChild, transfer, type Load } from './harness.ts';
import type { PlannedRequest } from './open-loop.ts';

const databaseUrl = process.env.BENCH_DATABASE_URL!;
const redisUrl = process.env.REDIS_URL!;
const clockTicksPerSecond = 100;

/** CPU ticks per thread of `pid` (utime + stime), the main thread under 'main'. */
function threadTicks(pid: number): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks.set(task === String(pid) ? 'main' : task, Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

async function measure(name: string, pid: number, url: string, makeRequest: () => PlannedRequest): Promise<void> {
  await load(url, makeRequest, { duration: 5 });
  const before = threadTicks(pid);
  const result: Load = await load(url, makeRequest);
  const after = threadTicks(pid);
  let main = 0;
  let others = 0;
  for (const [thread, ticks] of after) {
    const spent = ticks - (before.get(thread) ?? 0);
    if (thread === 'main') main += spent;
    else others += spent;
  }
  const perRequest = (ticks: number) => Math.round((ticks * 1e6) / clockTicksPerSecond / result.requests);
  // The process's peak resident memory so far (VmHWM), warm-up and load included.
  const peakRss = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  process.stdout.write(`${name}: ${Math.round(result.rps)} req/s; server CPU ${perRequest(main + others)} µs per request (main thread ${perRequest(main)}, other threads ${perRequest(others)}); peak RSS ${Math.round(Number(peakRss) / 1024)} MiB\n`);
}

const mandatedPort = await freePort();
const mandatedUrl = `http://127.0.0.1:${mandatedPort}`;
const key = { keyId: 'bench-mandated', secret: randomBytes(32).toString('base64') };
const mandated = await startChild('bench/mandated-baseline-server.ts', { PORT: String(mandatedPort), PUBLIC_BASE_URL: mandatedUrl, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, BASELINE_KEY_ID: key.keyId, BASELINE_KEY_SECRET: key.secret }, 'mandated baseline ready');
await measure('mandated baseline', mandated.pid!, mandatedUrl, () => signedChallenge(mandatedUrl, key, transfer(`c-${randomBytes(6).toString('hex')}`, '1000')));
await stopChild(mandated);

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const secrets = newStepupSecrets();
const stepup = await startStepup(stepupEnv({ port, publicBaseUrl: url, databaseUrl, redisUrl, secrets }), { url });
await measure('stepup not_required', stepup.pid!, url, stepupScenarios(url, await createBenchTenant(url, secrets.adminToken)).notRequired);
await stopChild(stepup);
