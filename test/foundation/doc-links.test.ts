// Every relative link in README.md and docs/ points to a file or folder of the repository, so a
// reader following "see docs/…" never lands on a 404 (GitHub) or nothing (a local checkout).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** Link targets outside code: inline [text](target) and reference definitions [label]: target. */
export function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
  const targets = [
    ...[...prose.matchAll(/\]\(\s*(?:<([^>]+)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g)].map((match) => (match[1] ?? match[2])!),
    ...[...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((match) => match[1]!),
  ];
  return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'));
}

describe('documentation links', () => {
  const files = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))];

  test('the link finder sees inline and reference links, not code or absolute URLs', () => {
    const found = relativeLinks('See [a](docs/a.md#x) and [b](<b c.md>), `[c](no.md)`, [d](https://x.example/d.md)\n[e]: ./e.md\n```\n[f](f.md)\n```\n');
    assert.deepEqual(found, ['docs/a.md#x', 'b c.md', './e.md']);
  });

  test('every relative link in README.md and docs/**/*.md points to an existing file', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      for (const target of relativeLinks(readFileSync(file, 'utf8'))) {
        checked++;
        const path = decodeURIComponent(target.replace(/[#?].*$/, ''));
        if (path === '') continue;
        if (!existsSync(resolve(dirname(file), path))) broken.push(`${relative(root, file)} → ${target}`);
      }
    }
    assert.ok(checked > 20, `checked ${checked} links`);
    assert.deepEqual(broken, []);
  });
});
