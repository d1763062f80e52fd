// Where the time (or the memory) goes, from a V8 .cpuprofile or .heapprofile written by node's
// --cpu-prof / --heap-prof: self time (allocated bytes) summed per package — the node_modules
// folder a function comes from, stepup's own src/ folders, node's internals — as Markdown tables.
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}

/** The .cpuprofile format (Chrome DevTools protocol Profiler.Profile). */
interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

interface HeapProfileNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapProfileNode[];
}

/** The .heapprofile format (HeapProfiler.SamplingHeapProfile). */
interface HeapProfile {
  head: HeapProfileNode;
}

/**
 * The package a function belongs to: the last node_modules/<name> (or @scope/name) in its URL,
 * stepup's own code as `stepup src/<folder>`, node's built-ins, or V8's pseudo-frames such as
 * (garbage collector) and (program).
 */
export function packageOf(frame: CallFrame): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native / V8 builtins)';
  const modules = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (modules) return modules[1]!;
  if (url.startsWith('node:')) return 'node (built-in modules)';
  const own = /\/(src|bench)\/([^/]+)\//.exec(url) ?? /\/(src|bench)\/([^/]+)$/.exec(url);
  if (own) return own[1] === 'src' ? `stepup src/${own[2]!.replace(/\.ts$/, '')}` : 'bench';
  return url.replace(/^file:\/\//, '');
}

const place = (frame: CallFrame) => {
  const file = frame.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '').replace(/.*\/(src|bench)\//, '$1/');
  return file ? `${file}:${frame.lineNumber + 1}` : '';
};

interface Tally {
  byPackage: Map<string, number>;
  byFunction: Map<string, { pkg: string; name: string; where: string; amount: number }>;
  total: number;
}

function tally(entries: Iterable<{ frame: CallFrame; amount: number }>): Tally {
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, { pkg: string; name: string; where: string; amount: number }>();
  let total = 0;
  for (const { frame, amount } of entries) {
    if (amount === 0) continue;
    total += amount;
    const pkg = packageOf(frame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + amount);
    const name = frame.functionName || '(anonymous)';
    const where = place(frame);
    const key = `${pkg}|${name}|${where}`;
    const entry = byFunction.get(key) ?? { pkg, name, where, amount: 0 };
    entry.amount += amount;
    byFunction.set(key, entry);
  }
  return { byPackage, byFunction, total };
}

/** Self time per profile node in µs: each sample's time delta goes to the node it landed on. */
function cpuSelfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  if (profile.samples && profile.timeDeltas && profile.samples.length === profile.timeDeltas.length) {
    // timeDeltas[i] is the time from sample i-1 to sample i; that interval is spent where sample i landed.
    for (let i = 0; i < profile.samples.length; i += 1) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + Math.max(0, profile.timeDeltas[i]!));
    return self;
  }
  // No per-sample timing: spread the profile's duration over the hit counts.
  const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const perHit = hits ? (profile.endTime - profile.startTime) / hits : 0;
  for (const node of profile.nodes) self.set(node.id, (node.hitCount ?? 0) * perHit);
  return self;
}

function tables(t: Tally, unit: string, format: (amount: number) => string, options: { top: number; exclude?: (pkg: string) => boolean }): string[] {
  const counted = options.exclude ? [...t.byPackage].filter(([pkg]) => !options.exclude!(pkg)).reduce((sum, [, amount]) => sum + amount, 0) : t.total;
  const pct = (amount: number, of: number) => `${((100 * amount) / Math.max(1, of)).toFixed(1)}%`;
  const lines = [`| package | self ${unit} | share |`, '|---|---|---|'];
  for (const [pkg, amount] of [...t.byPackage].sort((a, b) => b[1] - a[1])) {
    const excluded = options.exclude?.(pkg) ?? false;
    lines.push(`| ${pkg} | ${format(amount)} | ${excluded ? '(not counted)' : pct(amount, counted)} |`);
  }
  lines.push('', `Top ${options.top} functions by self ${unit}:`, '', `| function | package | where | self ${unit} | share |`, '|---|---|---|---|---|');
  const functions = [...t.byFunction.values()].filter((f) => !(options.exclude?.(f.pkg) ?? false)).sort((a, b) => b.amount - a.amount).slice(0, options.top);
  for (const f of functions) lines.push(`| \`${f.name.replace(/\|/g, '\\|')}\` | ${f.pkg} | ${f.where.replace(/\|/g, '\\|')} | ${format(f.amount)} | ${pct(f.amount, counted)} |`);
  return lines;
}

/** Markdown summary of a .cpuprofile: self time per package and the top functions; idle time is listed but not counted in the shares. */
export function summariseCpuProfile(path: string, options: { top?: number; requests?: number } = {}): string[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const self = cpuSelfTimes(profile);
  const t = tally(profile.nodes.map((node) => ({ frame: node.callFrame, amount: self.get(node.id) ?? 0 })));
  const idle = t.byPackage.get('(idle)') ?? 0;
  const busy = t.total - idle;
  const lines = [`Profiled ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s: ${(busy / 1000).toFixed(0)} ms on the CPU, ${(idle / 1000).toFixed(0)} ms idle${options.requests ? `; ${options.requests} requests, ${(busy / options.requests).toFixed(0)} µs of the server's main thread per request` : ''}. Shares are of the busy time.`, ''];
  return [...lines, ...tables(t, 'ms', (us) => (us / 1000).toFixed(1), { top: options.top ?? 25, exclude: (pkg) => pkg === '(idle)' })];
}

/** Markdown summary of a .heapprofile (sampling heap profiler: live bytes when the profile was taken, by allocating function). */
export function summariseHeapProfile(path: string, options: { top?: number } = {}): string[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as HeapProfile;
  const entries: { frame: CallFrame; amount: number }[] = [];
  const stack = [profile.head];
  while (stack.length) {
    const node = stack.pop()!;
    entries.push({ frame: node.callFrame, amount: node.selfSize });
    stack.push(...node.children);
  }
  const t = tally(entries);
  return [`Sampled allocations still live when the profile was written: ${(t.total / 2 ** 20).toFixed(1)} MiB.`, '', ...tables(t, 'KiB', (bytes) => (bytes / 1024).toFixed(0), { top: options.top ?? 25 })];
}
