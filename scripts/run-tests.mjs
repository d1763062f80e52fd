// Runs every *.test.ts under test/, src/ and packages/ (the workspaces' own tests) with node's test runner.
// Usage: node scripts/run-tests.mjs [--fast] [path-filter...]
//
// The repository is compiled first (scripts/compile-suite.mjs: tsc type-checks and emits into a temporary
// mirror of the repository, removed at the end), and the compiled tests run on plain node: tsx's loader
// costs about 1.5 s of CPU at every process start, tests' child processes included. A type error stops
// the run there. TEST_TSX=1 runs the sources through tsx instead (no compile, no type check), for a failure's
// stack trace in the .ts files.
//
// A file that takes long declares it in its first lines with `// test: slow, about N s` (its seconds in a
// whole run). Slow files start first, longest first, packed into processes of their own that declare no
// more than one and a half times the longest file's seconds, so the processes run in parallel finish
// close together and each pays one start-up; `--fast` (or TEST_SKIP_SLOW=1) leaves them out for a quick local
// loop and says so. `npm test` runs everything.
//
// The other files run TEST_BATCH_SIZE (default 24) to a process, one after another, as a generated
// batch file that imports them in turn: a process's start-up (node, the server's modules: about 2 s of
// CPU), its first in-memory database and the warming-up of its code are paid once per batch, not once per
// file (docs/architecture.md "The suite" has the measurements). Files share nothing
// but the process (each starts its own servers, databases and queue prefixes, and closes them in its
// own `after` hooks); TEST_BATCH_SIZE=1 gives every file, slow ones too, its own process again.
// TEST_TIMES=1 prints each process's wall and CPU time at the end, slowest first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileSuite } from './compile-suite.mjs';

const runFilesFlag = '--run-files';

if (process.argv[2] === runFilesFlag) {
  // The child, started below (with --import tsx under TEST_TSX=1, which node's test runner passes on to every test file's process).
  const { run } = await import('node:test');
  const { spec } = await import('node:test/reporters');
  const files = process.argv.slice(3);
  // Default: twice the cores, at most 4 — what the suite passed three times in a row with a CPU hog on
  // top (docs/reliability.md, "The suite under contention"); most files wait on timers and I/O.
  const concurrency = Number(process.env.TEST_CONCURRENCY ?? Math.min(2 * availableParallelism(), 4));
  // A test process still running after TEST_FILE_TIMEOUT_MS (15 min; the longest file takes about 3) fails
  // its file and is ended: a process that never exits (a child or handle left behind by a failed
  // `before`) must fail the run, not hold it, and CI, for ever.
  const timeout = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 15 * 60_000);
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
  // Slow files packed into batches of their own; the others in batches of TEST_BATCH_SIZE (see the top of this file).
  const batchSize = Math.max(1, Number(process.env.TEST_BATCH_SIZE ?? 24));
  const batchDir = mkdtempSync(join(tmpdir(), 'stepup-test-batches-'));
  const batches = [];
  /** A process for `members`: the file itself when alone, else a generated batch file that imports them in turn. */
  const processFor = (members) => {
    if (members.length === 1) {
      sourceOf.set(runnable(members[0]), members[0]);
      return runnable(members[0]);
    }
    const path = join(batchDir, `batch-${String(batches.length + 1).padStart(2, '0')}.test.mjs`);
    // A file that fails to load is a failing test named after it; the batch's other files still run.
    const lines = members.map((file) => `await load(${JSON.stringify(pathToFileURL(runnable(file)).href)}, ${JSON.stringify(relative(process.cwd(), file))});`);
    writeFileSync(
      path,
      [
        '// Generated by scripts/run-tests.mjs: these test files, in one process, one after another.',
        "import { test } from 'node:test';",
        'const load = (url, name) => import(url).catch((error) => test(`${name} loads`, () => { throw error; }));',
        ...lines,
        '',
      ].join('\n'),
    );
    batches.push({ path, members });
    return path;
  };
  // The slow files, longest first, each into the first batch it fits without the batch's declared
  // seconds passing one and a half times the longest file's: the files' declared seconds overstate
  // what they take now (a batch declaring 253 s, the chaos run and another file, took 214 s in a
  // whole run), and a process start saved is CPU the run gets back. They start first, longest first
  // (ordered above).
  const slowChosen = ordered.filter((entry) => entry.seconds > 0);
  const slowBudget = 1.5 * Math.max(0, ...slowChosen.map((entry) => entry.seconds));
  const slowBatches = [];
  for (const { file, seconds } of slowChosen) {
    const fits = batchSize > 1 ? slowBatches.find((batch) => batch.seconds + seconds <= slowBudget) : undefined;
    if (fits) {
      fits.seconds += seconds;
      fits.members.push(resolve(file));
    } else slowBatches.push({ seconds, members: [resolve(file)] });
  }
  // The other files dealt round-robin in name order, so the files of one folder (which tend to cost
  // alike) spread over the batches and the batches finish close together.
  const others = ordered.filter((entry) => entry.seconds === 0).map(({ file }) => resolve(file));
  const batchCount = Math.ceil(others.length / batchSize);
  const otherBatches = Array.from({ length: batchCount }, (_, index) => others.filter((_file, position) => position % batchCount === index));
  const files = [...slowBatches.map((batch) => processFor(batch.members)), ...otherBatches.map(processFor)];
  console.error(`[stepup] ${ordered.length} test file(s) in ${files.length} process(es): ${slowChosen.length} slow one(s) in ${slowBatches.length}, the others ${batchSize} to a process:`);
  for (const { path, members } of batches) console.error(`[stepup]   ${relative(batchDir, path)}: ${members.map((file) => relative(process.cwd(), file)).join(' ')}`);
  // Test files are independent (each starts its own servers on free ports, its own databases and queue
  // prefixes), so they run TEST_CONCURRENCY at a time (default: twice the cores, at most 4). node's own `--test` sorts
  // the files it is given by name; its run() API starts them in the order given.
  // TEST_TIMES=1: each test process (a file or a batch) notes, as it exits, how long it lived (node and tsx start-up
  // included) and the CPU it used itself (not that of processes it started: servers, Chromium).
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
  // so that it still removes its temporary folders (the compiled mirror, the batches) below.
  process.on('SIGINT', () => {});
  // Ports handed to servers started later are reserved across the test processes in this folder
  // (test/support/free-port.ts).
  const portsDir = mkdtempSync(join(tmpdir(), 'stepup-test-ports-'));
  const cpuAtStart = machineCpu();
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [...(fromSources ? ['--import', 'tsx'] : []), ...timesImport, fileURLToPath(import.meta.url), runFilesFlag, ...files],
    // DB_TX_GUARD: every server the suite starts (chaos's processes too) refuses a root-handle query
    // from inside a transaction, the pattern that hangs the embedded database (docs/reliability.md).
    { stdio: 'inherit', env: { DB_TX_GUARD: 'true', ...process.env, STEPUP_TEST_PORTS_DIR: portsDir, ...(timesFile ? { STEPUP_TEST_TIMES_FILE: timesFile } : {}) } },
  );
  if (timesFile) {
    let lines = [];
    try {
      lines = readFileSync(timesFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
    } catch {
      // No file: no test process got as far as exiting.
    }
    const times = lines.filter((entry) => files.includes(entry.file)).sort((a, b) => b.wallMs - a.wallMs);
    const total = (key) => times.reduce((sum, entry) => sum + entry[key], 0) / 1000;
    console.log(`\n# per test process (a file, or a batch of files): wall s (process lifetime), CPU s (its own process); ${times.length} processes, wall ${total('wallMs').toFixed(0)} s and CPU ${total('cpuMs').toFixed(0)} s in all, the run ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const named = (file) => (batches.find((batch) => batch.path === file)?.members ?? [sourceOf.get(file) ?? file]).map((member) => relative(process.cwd(), member)).join(' ');
    const cpuAtEnd = machineCpu();
    if (cpuAtStart && cpuAtEnd) {
      const [busy, idle, kernel] = ['busy', 'idle', 'kernel'].map((key) => (cpuAtEnd[key] - cpuAtStart[key]) / 100);
      console.log(`# the machine (every process on it, all ${availableParallelism()} cores): ${busy.toFixed(0)} CPU s busy (${kernel.toFixed(0)} of them in the kernel), ${idle.toFixed(0)} idle (${((100 * busy) / (busy + idle)).toFixed(0)}% busy)`);
    }
    for (const { file, wallMs, cpuMs } of times) console.log(`# ${(wallMs / 1000).toFixed(1).padStart(7)} ${(cpuMs / 1000).toFixed(1).padStart(7)}  ${named(file)}`);
    rmSync(timesDir, { recursive: true, force: true });
  }
  rmSync(batchDir, { recursive: true, force: true });
  rmSync(portsDir, { recursive: true, force: true });
  removeCompiled();
  process.exit(result.status ?? 1);
}
