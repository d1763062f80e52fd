// Runs every *.test.ts under test/, src/ and packages/ (the workspaces' own tests) with node's test runner.
// Usage: node scripts/run-tests.mjs [--fast] [path-filter...]
//
// The repository is compiled first (scripts/compile-suite.mjs: tsc type-checks and emits into a temporary
// mirror of the repository, removed at the end), and the compiled tests run on plain node: tsx's loader
// costs about 1.5 s of CPU at every process start, tests' child processes included. A type error stops
// the run there. TEST_TSX=1 runs the sources through tsx instead (no compile, no type check), for a failure's
// stack trace in the .ts files.
//
// A file that takes 20 s or more declares it in its first lines with `// test: slow, about N s` (its seconds in a
// whole run); `--fast` (or TEST_SKIP_SLOW=1) leaves these out for a quick local loop and says so. `npm test`
// runs everything.
//
// The files wait in a queue (scripts/lib/test-queue.mjs), the slow ones first, longest first, then the others
// by name. TEST_CONCURRENCY worker processes (scripts/lib/test-worker.mjs) each take the next file, run it as a
// suite named by its path, and take another, until the queue is empty: a process's start-up (node, the
// server's modules: about 2 s of CPU), its first in-memory database and the warming-up of its code are paid
// once per worker, and the workers end within one file of each other however long each file takes (fixed
// batches of files ended up to 40 s apart, one process running alone at the end). Files share nothing but the
// process (each starts its own servers, databases and queue prefixes, and closes them in its own `after`
// hooks); TEST_PROCESS_PER_FILE=1 gives every file its own process instead.
// TEST_TIMES=1 prints each process's wall and CPU time at the end, slowest first, and the files that used
// the most CPU.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileSuite } from './compile-suite.mjs';
import { fillQueue, leftInQueue, takenBy } from './lib/test-queue.mjs';

const runFilesFlag = '--run-files';
/** Test processes at a time: TEST_CONCURRENCY, by default twice the cores, at most 4 (see below). */
const testConcurrency = () => Number(process.env.TEST_CONCURRENCY ?? Math.min(2 * availableParallelism(), 4));

if (process.argv[2] === runFilesFlag) {
  // The child, started below (with --import tsx under TEST_TSX=1, which node's test runner passes on to every test file's process).
  const { run } = await import('node:test');
  const { spec } = await import('node:test/reporters');
  // `--process-timeout-ms=N` (from the runner below, for its workers) before the files.
  const timeoutFlag = /^--process-timeout-ms=(\d+)$/.exec(process.argv[3] ?? '');
  const files = process.argv.slice(timeoutFlag ? 4 : 3);
  // Default: twice the cores, at most 4 — what the suite passed three times in a row with a CPU hog on
  // top (docs/reliability.md, "The suite under contention"); most files wait on timers and I/O.
  const concurrency = testConcurrency();
  // A test process still running after its timeout fails its files and is ended: a process that never
  // exits (a child or handle left behind by a failed `before`) must fail the run, not hold it, and CI, for
  // ever. A file run alone: TEST_FILE_TIMEOUT_MS (15 min; the longest file takes about 3); a worker of the
  // queue, which runs a share of the whole suite, gets four times that (`--process-timeout-ms`, below),
  // while each of its files has TEST_FILE_TIMEOUT_MS.
  const timeout = timeoutFlag ? Number(timeoutFlag[1]) : Number(process.env.TEST_FILE_TIMEOUT_MS ?? 15 * 60_000);
  const stream = run({ files, concurrency, timeout });
  stream.on('test:fail', (data) => {
    if (data.todo === undefined || data.todo === false) process.exitCode = 1;
  });
  stream.compose(new spec()).pipe(process.stdout);
} else {
  const findTests = (dir) => {
    const found = [];
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'node_modules') continue;
      if (statSync(path).isDirectory()) found.push(...findTests(path));
      else if (name.endsWith('.test.ts')) found.push(path);
    }
    return found;
  };

  /** The seconds a file declares with `// test: slow, about N s` in its first lines (0 when not slow). */
  const slowMark = /^\/\/ test: slow(?:, about (\d+) s)?\s*$/m;
  const slowSeconds = (file) => {
    const head = readFileSync(file, 'utf8').split('\n').slice(0, 5).join('\n');
    const match = slowMark.exec(head);
    return match ? Number(match[1] ?? 60) : 0;
  };

  const args = process.argv.slice(2);
  const skipSlow = args.includes('--fast') || process.env.TEST_SKIP_SLOW === '1';
  const filters = args.filter((arg) => arg !== '--fast');
  const matched = ['test', 'src', 'packages']
    .flatMap((dir) => findTests(dir))
    .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
    .map((file) => ({ file, seconds: slowSeconds(file) }));
  const slow = matched.filter((entry) => entry.seconds > 0);
  const chosen = skipSlow ? matched.filter((entry) => entry.seconds === 0) : matched;
  if (skipSlow && slow.length > 0) {
    console.error(`[stepup] --fast: leaving out ${slow.length} slow test file(s) — this is not the whole suite:`);
    for (const { file } of slow) console.error(`[stepup]   ${file}`);
  }
  // Longest first (the slow files by the seconds they declare), then the rest by name.
  const ordered = chosen.sort((a, b) => b.seconds - a.seconds || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  if (ordered.length === 0) {
    console.error('no test files matched');
    process.exit(1);
  }
  // The compiled copy of each test file (see the top of this file), or the file itself under TEST_TSX=1.
  const fromSources = process.env.TEST_TSX === '1';
  const compiledRoot = fromSources ? undefined : mkdtempSync(join(tmpdir(), 'stepup-test-build-'));
  const removeCompiled = () => compiledRoot && rmSync(compiledRoot, { recursive: true, force: true });
  if (compiledRoot) {
    console.error('[stepup] type check and compile (tsc)');
    if (!compileSuite(process.cwd(), compiledRoot)) {
      removeCompiled();
      console.error('[stepup] tsc failed: no tests run');
      process.exit(1);
    }
  }
  const runnable = (file) => (compiledRoot ? join(compiledRoot, relative(process.cwd(), file)).replace(/\.ts$/, '.js') : file);
  /** The test file a process runs, by the path the runner gave node (the name of a file run alone). */
  const sourceOf = new Map();
  const concurrency = testConcurrency();
  const fileTimeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 15 * 60_000);
  const workDir = mkdtempSync(join(tmpdir(), 'stepup-test-queue-'));
  const queueDir = join(workDir, 'queue');
  // TEST_PROCESS_PER_FILE=1: every file in a process of its own, as node's own `--test` runs them.
  const perFile = process.env.TEST_PROCESS_PER_FILE === '1';
  let files;
  if (perFile) {
    files = ordered.map(({ file }) => {
      sourceOf.set(runnable(file), file);
      return runnable(file);
    });
    console.error(`[stepup] ${ordered.length} test file(s), each in a process of its own, ${concurrency} at a time`);
  } else {
    // The queue: the slow files first, longest first (ordered above), then the others by name. Each worker
    // loads test/support/after-process-tests.ts first, at its root, so that what a process shares across
    // its files (idle databases, the browser) is closed after its last file, not after its first.
    fillQueue(queueDir, ordered.map(({ file }) => ({ url: pathToFileURL(runnable(file)).href, name: relative(process.cwd(), file) })));
    const preload = [pathToFileURL(runnable(resolve('test/support/after-process-tests.ts'))).href];
    const workerModule = new URL('./lib/test-worker.mjs', import.meta.url).href;
    const workerCount = Math.min(concurrency, ordered.length);
    files = Array.from({ length: workerCount }, (_, index) => {
      const path = join(workDir, `worker-${index + 1}.test.mjs`);
      const options = { queueDir, worker: `worker-${index + 1}`, preload, fileTimeoutMs };
      writeFileSync(
        path,
        [
          '// Generated by scripts/run-tests.mjs: a test process taking files from the run\'s queue until none is left.',
          `import { runQueuedFiles } from ${JSON.stringify(workerModule)};`,
          `await runQueuedFiles({ ...${JSON.stringify(options)}, timesFile: process.env.STEPUP_TEST_TIMES_FILE });`,
          '',
        ].join('\n'),
      );
      return path;
    });
    console.error(`[stepup] ${ordered.length} test file(s) in ${workerCount} worker process(es) that take them one at a time from a queue (slow ones first)`);
  }
  // Test files are independent (each starts its own servers on free ports, its own databases and queue
  // prefixes), so TEST_CONCURRENCY test processes run at a time (default: twice the cores, at most 4).
  // TEST_TIMES=1: each test process (a worker, or a file alone) notes, as it exits, how long it lived (node's
  // start-up included) and the CPU it used itself (not that of processes it started: servers, Chromium), and
  // a worker notes the same of each file it ran (from taking it to the end of its tests).
  const timesDir = process.env.TEST_TIMES === '1' ? mkdtempSync(join(tmpdir(), 'stepup-test-times-')) : undefined;
  const timesFile = timesDir && join(timesDir, 'times.jsonl');
  const noteTimes = `import { appendFileSync } from 'node:fs';
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  appendFileSync(process.env.STEPUP_TEST_TIMES_FILE, JSON.stringify({ file: process.argv[1], wallMs: performance.now(), cpuMs: (user + system) / 1000 }) + '\\n');
});`;
  const timesImport = timesFile ? ['--import', `data:text/javascript,${encodeURIComponent(noteTimes)}`] : [];
  // The whole machine's CPU (Linux /proc/stat: busy and idle ticks of all cores, 100 a second), to tell a run that
  // waited on timers from one that ran out of CPU; the kernel's part of busy (system, irq, softirq) too.
  const machineCpu = () => {
    try {
      const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      const idle = fields[3] + (fields[4] ?? 0);
      const kernel = fields[2] + (fields[5] ?? 0) + (fields[6] ?? 0);
      return { busy: fields.reduce((sum, value) => sum + value, 0) - idle, idle, kernel };
    } catch {
      return undefined;
    }
  };
  // Ctrl-C reaches the test processes too (one process group), and they end; the runner outlives it
  // so that it still removes its temporary folders (the compiled mirror, the queue) below.
  process.on('SIGINT', () => {});
  // Ports handed to servers started later are reserved across the test processes in this folder
  // (test/support/free-port.ts).
  const portsDir = mkdtempSync(join(tmpdir(), 'stepup-test-ports-'));
  const cpuAtStart = machineCpu();
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [...(fromSources ? ['--import', 'tsx'] : []), ...timesImport, fileURLToPath(import.meta.url), runFilesFlag, ...(perFile ? [] : [`--process-timeout-ms=${4 * fileTimeoutMs}`]), ...files],
    // DB_TX_GUARD: every server the suite starts (chaos's processes too) refuses a root-handle query
    // from inside a transaction, the pattern that hangs the embedded database (docs/reliability.md).
    {
      stdio: 'inherit',
      env: {
        DB_TX_GUARD: 'true',
        ...process.env,
        TEST_CONCURRENCY: String(concurrency),
        STEPUP_TEST_PORTS_DIR: portsDir,
        ...(timesFile ? { STEPUP_TEST_TIMES_FILE: timesFile } : {}),
      },
    },
  );
  // Files no worker took (every worker died before the queue was empty) fail the run, by name.
  const neverRun = perFile ? [] : leftInQueue(queueDir);
  if (neverRun.length > 0) {
    console.log(`\n# ${neverRun.length} test file(s) never ran (no worker was left to take them):`);
    for (const name of neverRun) console.log(`#   ${name}`);
  }
  if (timesFile) {
    let lines = [];
    try {
      lines = readFileSync(timesFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
    } catch {
      // No file: no test process got as far as exiting.
    }
    const times = lines.filter((entry) => files.includes(entry.file)).sort((a, b) => b.wallMs - a.wallMs);
    const fileTimes = lines.filter((entry) => entry.testFile !== undefined).sort((a, b) => b.cpuMs - a.cpuMs);
    const total = (key) => times.reduce((sum, entry) => sum + entry[key], 0) / 1000;
    console.log(`\n# per test process (a worker, or a file alone): wall s (process lifetime), CPU s (its own process); ${times.length} processes, wall ${total('wallMs').toFixed(0)} s and CPU ${total('cpuMs').toFixed(0)} s in all, the run ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const workers = perFile ? new Map() : takenBy(queueDir);
    const named = (file) => (workers.get(basename(file, '.test.mjs')) ?? [relative(process.cwd(), sourceOf.get(file) ?? file)]).join(' ');
    const cpuAtEnd = machineCpu();
    if (cpuAtStart && cpuAtEnd) {
      const [busy, idle, kernel] = ['busy', 'idle', 'kernel'].map((key) => (cpuAtEnd[key] - cpuAtStart[key]) / 100);
      console.log(`# the machine (every process on it, all ${availableParallelism()} cores): ${busy.toFixed(0)} CPU s busy (${kernel.toFixed(0)} of them in the kernel), ${idle.toFixed(0)} idle (${((100 * busy) / (busy + idle)).toFixed(0)}% busy)`);
    }
    for (const { file, wallMs, cpuMs } of times) console.log(`# ${(wallMs / 1000).toFixed(1).padStart(7)} ${(cpuMs / 1000).toFixed(1).padStart(7)}  ${named(file)}`);
    if (fileTimes.length > 0) {
      // TEST_TIMES_TOP=n lists n files (25 by default).
      const top = Number(process.env.TEST_TIMES_TOP ?? 25);
      console.log(`# the ${Math.min(top, fileTimes.length)} files that used the most CPU in their worker: wall s, CPU s (the worker's own, while it ran the file)`);
      for (const { testFile, worker, wallMs, cpuMs } of fileTimes.slice(0, top)) console.log(`# ${(wallMs / 1000).toFixed(1).padStart(7)} ${(cpuMs / 1000).toFixed(1).padStart(7)}  ${testFile} (${worker})`);
    }
    rmSync(timesDir, { recursive: true, force: true });
  }
  rmSync(workDir, { recursive: true, force: true });
  rmSync(portsDir, { recursive: true, force: true });
  removeCompiled();
  process.exit(neverRun.length > 0 ? 1 : (result.status ?? 1));
}
