// BENCHMARKS.md is written by several tools (bench/run.ts, bench/profile.ts, bench/scale-out.ts), each
// owning one section between `<!-- bench:<name> -->` and `<!-- /bench:<name> -->`: a tool replaces its
// own section and leaves the others, and the prose written by hand between them, as they are.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const header = '# Benchmarks\n\nProduced by `npm run bench` (bench/run.ts, bench/profile.ts, bench/scale-out.ts; README "Operations"). Numbers are from one run on the machine named; they are\nmeasurements, not guarantees.\n';

export function writeSection(file: string, name: string, lines: string[]): void {
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${begin}\n${lines.join('\n').trim()}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : header;
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? current.slice(0, from) + section + current.slice(to + end.length) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
