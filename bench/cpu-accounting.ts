// Where a run's CPU went, per request: the server under test, PostgreSQL, Redis, the load generator
// (this process) and the whole machine, from /proc (Linux). On a machine where the generator and
// the services share the cores, throughput is bounded by the sum, not by the server alone.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuShares {
  /** CPU microseconds per request. */
  server: number;
  postgres: number;
  redis: number;
  generator: number;
  /** All cores' busy time (user, nice, system, irq, softirq) per request. */
  machine: number;
}

/** Cumulative CPU µs at one moment, per component (the same fields as CpuShares). */
type Sample = CpuShares;

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
const tickMicros = 1e6 / ticksPerSecond;

/**
 * utime + stime of a process in µs, 0 once it is gone; with `children`, also the CPU of its
 * children that have exited (cutime + cstime), so PostgreSQL backends that end during a run stay
 * counted through the postmaster.
 */
function processMicros(pid: number, children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = Number(fields[11]) + Number(fields[12]);
    return (children ? own + Number(fields[13]) + Number(fields[14]) : own) * tickMicros;
  } catch {
    return 0;
  }
}

/** Summed CPU of every process whose command name is `name` (all PostgreSQL backends, say). */
function commandMicros(name: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) total += processMicros(Number(entry), true);
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

function machineMicros(): number {
  const cpuLine = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq] = cpuLine;
  return (user! + nice! + system! + irq! + softirq!) * tickMicros;
}

function sample(serverPids: number[]): Sample {
  const generator = process.cpuUsage();
  return {
    server: serverPids.reduce((sum, pid) => sum + processMicros(pid), 0),
    postgres: commandMicros('postgres'),
    redis: commandMicros('redis-server'),
    generator: generator.user + generator.system,
    machine: machineMicros(),
  };
}

export const cpuAccountingAvailable = (() => {
  try {
    readFileSync('/proc/stat');
    return true;
  } catch {
    return false;
  }
})();

/**
 * Runs `work` (which reports how many requests it completed) and divides the CPU it cost by them.
 * `server` is one process or several (api processes and a worker), summed.
 */
export async function measureCpu<T extends { requests: number }>(server: number | number[], work: () => Promise<T>): Promise<T & { cpu?: CpuShares }> {
  if (!cpuAccountingAvailable) return work();
  const pids = Array.isArray(server) ? server : [server];
  const before = sample(pids);
  const result = await work();
  const after = sample(pids);
  const per = (key: keyof Sample) => Math.round((after[key] - before[key]) / Math.max(1, result.requests));
  return { ...result, cpu: { server: per('server'), postgres: per('postgres'), redis: per('redis'), generator: per('generator'), machine: per('machine') } };
}
