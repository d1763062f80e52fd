// Compiles the repository's TypeScript for the test suite (scripts/run-tests.mjs): tsc type-checks and
// emits in one pass into `outDir`, and `outDir` is made a mirror of the repository, so a compiled
// module finds its files where the source finds them:
// - every file tsc did not emit (the .ts sources themselves, SQL migrations, JSON, HTML, docs,
//   package.json) is a symlink to the original at the same place, and a folder with nothing
//   compiled in it is one symlink;
// - node_modules is the repository's, entry by entry, except the workspace packages
//   (packages/*), which point at their compiled copies in the mirror, their `exports` and `main`
//   rewritten from .ts to .js.
// Running compiled code saves what tsx costs at every process start: its loader thread resolves and
// loads every module of the process (about 1.5 s of CPU for a test server's modules; docs/architecture.md,
// "The suite").
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Runs tsc (type check and emit) from `root` into `outDir` and mirrors the rest; false when tsc failed. */
export function compileSuite(root, outDir) {
  const tsc = spawnSync(
    join(root, 'node_modules', '.bin', 'tsc'),
    ['-p', 'tsconfig.json', '--noEmit', 'false', '--outDir', outDir, '--rootDir', '.', '--rewriteRelativeImportExtensions'],
    { cwd: root, stdio: 'inherit' },
  );
  if (tsc.status !== 0) return false;
  const workspaces = workspacePackages(root);
  mirror(root, outDir, '', workspaces);
  linkNodeModules(root, outDir, workspaces);
  return true;
}

/** The workspace packages (root package.json `workspaces`, as `folder/*`): their names and folders. */
function workspacePackages(root) {
  const patterns = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces ?? [];
  return patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) throw new Error(`compile-suite: workspace pattern ${pattern} is not of the form folder/*`);
    const parent = pattern.slice(0, -2);
    return readdirSync(join(root, parent))
      .map((name) => join(parent, name))
      .filter((folder) => existsSync(join(root, folder, 'package.json')))
      .map((folder) => ({ folder, name: JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')).name }));
  });
}

/** Links into `outDir/path` whatever of `root/path` tsc did not emit there. */
function mirror(root, outDir, path, workspaces) {
  for (const name of readdirSync(join(root, path))) {
    const from = join(path, name);
    if (from === '.git' || from === 'node_modules') continue;
    const source = join(root, from);
    const target = join(outDir, from);
    if (source === outDir) continue;
    if (workspaces.some((workspace) => join(workspace.folder, 'package.json') === from)) {
      writeFileSync(target, compiledManifest(readFileSync(source, 'utf8')));
      continue;
    }
    if (!existsSync(target)) {
      symlinkSync(source, target);
      continue;
    }
    if (statSync(source).isDirectory() && lstatSync(target).isDirectory()) mirror(root, outDir, from, workspaces);
  }
}

/** A workspace package's package.json with the .ts files its `exports` and `main` name as .js. */
function compiledManifest(text) {
  const manifest = JSON.parse(text);
  const toJs = (value) =>
    typeof value === 'string'
      ? value.replace(/\.ts$/, '.js')
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toJs(inner)]))
        : value;
  if (manifest.exports) manifest.exports = toJs(manifest.exports);
  if (manifest.main) manifest.main = toJs(manifest.main);
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** `outDir/node_modules`: the repository's packages, the workspace packages' compiled copies instead of their sources. */
function linkNodeModules(root, outDir, workspaces) {
  const modules = join(root, 'node_modules');
  const link = (name, into) => {
    const workspace = workspaces.find((candidate) => candidate.name === name);
    if (workspace) symlinkSync(relative(dirname(into), join(outDir, workspace.folder)), into);
    else symlinkSync(join(modules, name), into);
  };
  mkdirSync(join(outDir, 'node_modules'));
  for (const name of readdirSync(modules)) {
    if (name.startsWith('@') && workspaces.some((workspace) => workspace.name.startsWith(`${name}/`))) {
      mkdirSync(join(outDir, 'node_modules', name));
      for (const inner of readdirSync(join(modules, name))) link(`${name}/${inner}`, join(outDir, 'node_modules', name, inner));
    } else link(name, join(outDir, 'node_modules', name));
  }
}
