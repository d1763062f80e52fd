// Runs every *.test.ts under test/, src/ and packages/ (the workspaces' own tests) with node's test runner (tsx loads TypeScript).
// Usage: node scripts/run-tests.mjs [path-filter...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = ['test', 'src', 'packages']
  .flatMap((dir) => findTests(dir))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Test files are independent (each starts its own servers on free ports, its own databases and queue
// prefixes), so they run TEST_CONCURRENCY at a time (default: one per core).
const concurrency = Number(process.env.TEST_CONCURRENCY ?? availableParallelism());
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  // DB_TX_GUARD: every server the suite starts (chaos's processes too) refuses a root-handle query
  // from inside a transaction, the pattern that hangs the embedded database (docs/reliability.md).
  { stdio: 'inherit', env: { DB_TX_GUARD: 'true', ...process.env } },
);
process.exit(result.status ?? 1);
