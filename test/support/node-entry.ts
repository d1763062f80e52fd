// How a test starts one of the repository's TypeScript entry points (src/main.ts, chaos/run.ts, a
// fixture) as a child node process. The suite's runner compiles the repository first and runs the
// compiled copy (scripts/compile-suite.mjs), and a child started from compiled code runs compiled
// too; code run from its sources (through tsx) starts the child's source through tsx.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const compiled = import.meta.url.endsWith('.js');
/** The repository's root as this module sees it: the compiled mirror, or the repository itself. */
const root = fileURLToPath(new URL('../../', import.meta.url));

/** node's arguments that run `entry`: a .ts file, absolute or relative to the repository's root. */
export function nodeEntry(entry: string): string[] {
  const path = resolve(root, entry);
  return compiled ? [path.replace(/\.ts$/, '.js')] : ['--import', 'tsx', path];
}
