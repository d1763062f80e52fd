// The suite's compile step (scripts/compile-suite.mjs), on a small repository made for the test: the
// compiled code finds the files its source finds (relative to import.meta.url), a workspace package
// resolves to its compiled copy, and a type error stops it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/source-files.ts';

// @ts-expect-error: a plain ES module of the scripts, without type declarations.
const { compileSuite } = (await import('../../scripts/compile-suite.mjs')) as { compileSuite(root: string, outDir: string): boolean };

/** Writes `files` (path → text) under a new folder, with tsc, its configuration and node's types from this repository. */
function makeRepository(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'stepup-compile-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('package.json', JSON.stringify({ type: 'module', workspaces: ['packages/*'] }));
  write('tsconfig.json', readFileSync(join(repoRoot, 'tsconfig.json'), 'utf8'));
  for (const [path, text] of Object.entries(files)) write(path, text);
  mkdirSync(join(root, 'node_modules', '@example'), { recursive: true });
  for (const name of ['.bin', '@types', 'typescript']) symlinkSync(join(repoRoot, 'node_modules', name), join(root, 'node_modules', name));
  // As npm links a workspace package.
  symlinkSync('../../packages/greeter', join(root, 'node_modules', '@example', 'greeter'));
  return root;
}

const sources = {
  'src/main.ts': [
    "import { readFileSync } from 'node:fs';",
    "import { greet } from '@example/greeter';",
    "import { shout } from './shout.ts';",
    "const statement: string = readFileSync(new URL('./migrations/001.sql', import.meta.url), 'utf8').trim();",
    "const flows = readFileSync(new URL('../flows/en.json', import.meta.url), 'utf8').trim();",
    'console.log(JSON.stringify({ greeting: shout(greet(\'bank\')), statement, flows, self: import.meta.url.endsWith(\'/src/main.js\') }));',
    '',
  ].join('\n'),
  'src/shout.ts': 'export const shout = (text: string): string => text.toUpperCase();\n',
  'src/migrations/001.sql': 'CREATE TABLE t (n int);\n',
  'flows/en.json': '{"hello":"world"}\n',
  'packages/greeter/package.json': JSON.stringify({ name: '@example/greeter', type: 'module', exports: { '.': './src/index.ts' } }),
  'packages/greeter/src/index.ts': 'export const greet = (name: string): string => `hello ${name}`;\n',
};

test('the compiled mirror runs on plain node: its files found where the source finds them, the workspace package compiled', (t) => {
  const root = makeRepository(sources);
  const out = mkdtempSync(join(tmpdir(), 'stepup-compiled-'));
  t.after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });
  assert.equal(compileSuite(root, out), true);
  const run = spawnSync(process.execPath, [join(out, 'src', 'main.js')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { greeting: 'HELLO BANK', statement: 'CREATE TABLE t (n int);', flows: '{"hello":"world"}', self: true });
  // The sources stay beside their compiled copies (tests that read code find it), and the repository is untouched.
  assert.equal(readFileSync(join(out, 'src', 'shout.ts'), 'utf8'), sources['src/shout.ts']);
  assert.equal(existsSync(join(root, 'src', 'main.js')), false);
  assert.equal(JSON.parse(readFileSync(join(root, 'packages', 'greeter', 'package.json'), 'utf8')).exports['.'], './src/index.ts');
});

test('a type error stops the compile', (t) => {
  const root = makeRepository({ ...sources, 'src/shout.ts': 'export const shout = (text: string): number => text.toUpperCase();\n' });
  const out = mkdtempSync(join(tmpdir(), 'stepup-compiled-'));
  t.after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });
  assert.equal(compileSuite(root, out), false);
});
