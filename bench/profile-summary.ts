// Where the time (or the memory) goes, from a V8 .cpuprofile (node's --cpu-prof) or .heapprofile
// (V8's sampling heap profiler: bench/heap-sampler.ts, or node's --heap-prof): self time (allocated
// bytes) summed per package — the node_modules
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
  children?: number[];
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
 * stepup's own code as `stepup src/<folder>`, node's built-ins by area, or V8's pseudo-frames such as
 * (garbage collector) and (program).
 */
export function packageOf(frame: CallFrame): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native / V8 builtins)';
  const modules = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (modules) return modules[1]!;
  // node's built-ins by area (node crypto, node streams, node _http_server, ...).
  if (url.startsWith('node:')) return `node ${url.slice('node:'.length).replace(/^internal\//, '').split('/')[0]}`;
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

function tally(entries: Iterable<{ frame: CallFrame; amount: number; caller?: string }>): Tally {
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, { pkg: string; name: string; where: string; amount: number }>();
  let total = 0;
  for (const { frame, amount, caller } of entries) {
    if (amount === 0) continue;
    total += amount;
    const pkg = packageOf(frame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + amount);
    const name = frame.functionName || '(anonymous)';
    // A native function (writev, a V8 builtin) has no file: say which package called it.
    const where = place(frame) || (caller ? `called from ${caller}` : '');
    const key = `${pkg}|${name}|${where}`;
    const entry = byFunction.get(key) ?? { pkg, name, where, amount: 0 };
    entry.amount += amount;
    byFunction.set(key, entry);
  }
  return { byPackage, byFunction, total };
}

/** A span of CLOCK_MONOTONIC time in µs (process.hrtime in any process on Linux; V8 stamps profiles with the same clock). */
export interface Window {
  startUs: number;
  endUs: number;
}

/**
 * Self time per profile node in µs: each sample's time delta goes to the node it landed on. With a
 * window, only the samples taken inside it count (`windowed` says whether any did).
 */
function cpuSelfTimes(profile: CpuProfile, window?: Window): { self: Map<number, number>; windowed: boolean; spanUs: number } {
  const self = new Map<number, number>();
  if (profile.samples && profile.timeDeltas && profile.samples.length === profile.timeDeltas.length) {
    const take = (from: number, to: number) => {
      self.clear();
      let at = profile.startTime;
      let counted = 0;
      // timeDeltas[i] is the time from sample i-1 to sample i; that interval is spent where sample i landed.
      for (let i = 0; i < profile.samples!.length; i += 1) {
        at += profile.timeDeltas![i]!;
        if (at < from || at > to) continue;
        counted += 1;
        self.set(profile.samples![i]!, (self.get(profile.samples![i]!) ?? 0) + Math.max(0, profile.timeDeltas![i]!));
      }
      return counted;
    };
    if (window && take(window.startUs, window.endUs) > 0) return { self, windowed: true, spanUs: window.endUs - window.startUs };
    take(-Infinity, Infinity);
    return { self, windowed: false, spanUs: profile.endTime - profile.startTime };
  }
  // No per-sample timing: spread the profile's duration over the hit counts.
  const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const perHit = hits ? (profile.endTime - profile.startTime) / hits : 0;
  for (const node of profile.nodes) self.set(node.id, (node.hitCount ?? 0) * perHit);
  return { self, windowed: false, spanUs: profile.endTime - profile.startTime };
}

const parents = new WeakMap<CpuProfile, Map<number, CpuProfileNode>>();

/** For a native frame: the nearest calling package outside node's built-ins (pg, ioredis, express, ...), else the nearest built-in. */
function callerPackage(profile: CpuProfile, id: number): string | undefined {
  let parentOf = parents.get(profile);
  if (!parentOf) {
    parentOf = new Map();
    for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
    parents.set(profile, parentOf);
  }
  let builtIn: string | undefined;
  for (let parent = parentOf.get(id); parent; parent = parentOf.get(parent.id)) {
    if (!parent.callFrame.url) continue;
    const pkg = packageOf(parent.callFrame);
    if (!pkg.startsWith('node ')) return pkg;
    builtIn ??= pkg;
  }
  return builtIn;
}

/** Packages always listed, wherever they rank (issue 16's suspects). */
const watched = ['pino', 'prom-client', 'zod', 'express', 'router', 'body-parser', 'pg', 'pg-protocol', 'ioredis', 'bullmq', 'http-message-signatures', 'structured-headers'];

function tables(t: Tally, unit: string, format: (amount: number) => string, options: { top: number; topPackages?: number; exclude?: (pkg: string) => boolean }): string[] {
  const counted = options.exclude ? [...t.byPackage].filter(([pkg]) => !options.exclude!(pkg)).reduce((sum, [, amount]) => sum + amount, 0) : t.total;
  const pct = (amount: number, of: number) => `${((100 * amount) / Math.max(1, of)).toFixed(1)}%`;
  const ranked = [...t.byPackage].sort((a, b) => b[1] - a[1]);
  const limit = options.topPackages ?? 30;
  const shown = ranked.filter(([pkg], i) => i < limit || watched.includes(pkg));
  const rest = ranked.filter((entry) => !shown.includes(entry));
  const own = ranked.filter(([pkg]) => pkg.startsWith('stepup ')).reduce((sum, [, amount]) => sum + amount, 0);
  const lines = [`stepup's own code (src/, all folders): ${format(own)} ${unit}, ${pct(own, counted)}.`, '', `| package | self ${unit} | share |`, '|---|---|---|'];
  for (const [pkg, amount] of shown) {
    const excluded = options.exclude?.(pkg) ?? false;
    lines.push(`| ${pkg} | ${format(amount)} | ${excluded ? '(not counted)' : pct(amount, counted)} |`);
  }
  if (rest.length) {
    const amount = rest.reduce((sum, [, value]) => sum + value, 0);
    lines.push(`| ${rest.length} other packages | ${format(amount)} | ${pct(amount, counted)} |`);
  }
  lines.push('', `Top ${options.top} functions by self ${unit}:`, '', `| function | package | where | self ${unit} | share |`, '|---|---|---|---|---|');
  const functions = [...t.byFunction.values()].filter((f) => !(options.exclude?.(f.pkg) ?? false)).sort((a, b) => b.amount - a.amount).slice(0, options.top);
  for (const f of functions) lines.push(`| \`${f.name.replace(/\|/g, '\\|')}\` | ${f.pkg} | ${f.where.replace(/\|/g, '\\|')} | ${format(f.amount)} | ${pct(f.amount, counted)} |`);
  return lines;
}

/**
 * Markdown summary of a .cpuprofile: self time per package and the top functions, over `window`
 * (the load) when given; idle time is listed but not counted in the shares.
 */
export function summariseCpuProfile(path: string, options: { top?: number; requests?: number; window?: Window } = {}): string[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const { self, windowed, spanUs } = cpuSelfTimes(profile, options.window);
  const t = tally(profile.nodes.map((node) => ({ frame: node.callFrame, amount: self.get(node.id) ?? 0, caller: callerPackage(profile, node.id) })));
  const idle = t.byPackage.get('(idle)') ?? 0;
  const busy = t.total - idle;
  const scope = windowed ? 'the load only' : options.window ? 'the whole profile (no sample fell inside the load window)' : 'the whole profile';
  const perRequest = options.requests && (windowed || !options.window) ? `; ${options.requests} requests, ${(busy / options.requests).toFixed(0)} µs of the server's main thread per request` : '';
  const lines = [`Counted: ${scope}, ${(spanUs / 1e6).toFixed(1)} s: ${(busy / 1000).toFixed(0)} ms on the CPU, ${(idle / 1000).toFixed(0)} ms idle${perRequest}. Shares are of the busy time.`, ''];
  return [...lines, ...tables(t, 'ms', (us) => (us / 1000).toFixed(1), { top: options.top ?? 25, exclude: (pkg) => pkg === '(idle)' })];
}

/**
 * Markdown summary of a .heapprofile from V8's sampling heap profiler: bytes allocated per package
 * and the top allocating functions (bench/heap-sampler.ts keeps collected objects in the samples,
 * so this is what the load allocated, not only what survived it).
 */
export function summariseHeapProfile(path: string, options: { top?: number; requests?: number } = {}): string[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as HeapProfile;
  const entries: { frame: CallFrame; amount: number }[] = [];
  const stack = [profile.head];
  while (stack.length) {
    const node = stack.pop()!;
    entries.push({ frame: node.callFrame, amount: node.selfSize });
    stack.push(...node.children);
  }
  const t = tally(entries);
  const perRequest = options.requests ? `, about ${(t.total / options.requests / 1024).toFixed(1)} KiB per request` : '';
  return [`Sampled allocations: ${(t.total / 2 ** 20).toFixed(1)} MiB${perRequest} (an estimate: one sample per 32 KiB allocated on average, scaled).`, '', ...tables(t, 'KiB', (bytes) => (bytes / 1024).toFixed(0), { top: options.top ?? 25 })];
}
