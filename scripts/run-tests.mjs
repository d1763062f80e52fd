// Runs every *.test.ts under test/, src/ and packages/ (the workspaces' own tests) with node's test runner (tsx loads TypeScript).
// Usage: node scripts/run-tests.mjs [--fast] [path-filter...]
//
// A file that takes long declares it in its first lines with `// test: slow, about N s` (its wall time on
// the machine BENCHMARKS.md names, when run beside the rest of the suite). Slow files start first, longest
// first, so the files run in parallel finish close together; `--fast` (or TEST_SKIP_SLOW=1) leaves them
// out for a quick local loop and says so. `npm test` runs everything.
// TEST_TIMES=1 prints each file's wall time at the end, slowest first.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const runFilesFlag = '--run-files';

if (process.argv[2] === runFilesFlag) {
  // The child, started below with --import tsx, which node's test runner passes on to every test file's process.
  const { run } = await import('node:test');
  const { spec } = await import('node:test/reporters');
  const files = process.argv.slice(3);
  const concurrency = Number(process.env.TEST_CONCURRENCY ?? availableParallelism());
  const started = new Map();
  const lastSeen = new Map();
  const stream = run({ files, concurrency });
  stream.on('test:fail', (data) => {
    if (data.todo === undefined || data.todo === false) process.exitCode = 1;
  });
  if (process.env.TEST_TIMES === '1') {
    stream.on('test:dequeue', (data) => {
      if (data.nesting === 0 && files.includes(data.name) && !started.has(data.name)) started.set(data.name, performance.now());
    });
    for (const event of ['test:pass', 'test:fail', 'test:diagnostic', 'test:stdout', 'test:stderr']) {
      stream.on(event, (data) => {
        if (data.file) lastSeen.set(data.file, performance.now());
      });
    }
  }
  stream.compose(new spec()).pipe(process.stdout);
  await new Promise((done) => stream.on('close', done));
  if (process.env.TEST_TIMES === '1') {
    const times = files
      .filter((file) => started.has(file) && lastSeen.has(file))
      .map((file) => [file, (lastSeen.get(file) - started.get(file)) / 1000])
      .sort((a, b) => b[1] - a[1]);
    process.stdout.write(`\n# wall time per file (s, from its start to its last report), slowest first:\n`);
    for (const [file, seconds] of times) process.stdout.write(`# ${seconds.toFixed(1).padStart(7)}  ${file.slice(process.cwd().length + 1)}\n`);
  }
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
  const files = chosen
    .sort((a, b) => b.seconds - a.seconds || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .map(({ file }) => resolve(file));
  if (files.length === 0) {
    console.error('no test files matched');
    process.exit(1);
  }
  // Test files are independent (each starts its own servers on free ports, its own databases and queue
  // prefixes), so they run TEST_CONCURRENCY at a time (default: one per core). node's own `--test` sorts
  // the files it is given by name; its run() API starts them in the order given.
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), runFilesFlag, ...files],
    // DB_TX_GUARD: every server the suite starts (chaos's processes too) refuses a root-handle query
    // from inside a transaction, the pattern that hangs the embedded database (docs/reliability.md).
    { stdio: 'inherit', env: { DB_TX_GUARD: 'true', ...process.env } },
  );
  process.exit(result.status ?? 1);
}
