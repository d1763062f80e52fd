// Dependencies point one way (docs/architecture.md, "How a channel plugs in"): a channel folder imports
// neither another channel, nor telephony, nor the composition root (src/server/); telephony serves the
// ARS channel through the ports the channel owns (it may import src/channels/ars, nothing else of
// src/channels); no other folder imports a concrete channel — only the composition root (src/server/)
// puts them together, with the one exception listed below. Imports are read statically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot as root, srcDir as src, sourceFiles } from '../support/source-files.ts';

interface Import {
  /** The imported file, relative to src/ (e.g. `channels/ars/ars-ports.ts`). */
  target: string;
  typeOnly: boolean;
}

/** Relative imports of a file: `import … from`, `export … from`, `import '…'` and `import('…')`. */
export function importsOf(file: string, text: string): Import[] {
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith('.')) return;
    found.push({ target: relative(src, resolve(dirname(file), specifier)), typeOnly });
  };
  for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gm)) add(match[3]!, match[2] !== undefined);
  for (const match of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) add(match[1]!, false);
  for (const match of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) add(match[1]!, false);
  return found;
}

/**
 * The policy document is one static schema that core code (challenges, tenants, admin routes) and
 * OpenAPI read at import time, so it composes the channels' sections itself rather than in src/server/.
 * It imports only the sections' files, and those import nothing but zod and src/policy/policy-fields.ts.
 */
const channelPolicyFile = /^channels\/([^/]+)\/\1-policy\.ts$/;
const allowedCoreImports: { from: string; to: RegExp }[] = [{ from: 'policy/policy-schema.ts', to: channelPolicyFile }];

const channelFolder = (path: string): string | undefined => /^channels\/([^/]+)\//.exec(path)?.[1];
const topFolder = (path: string): string => path.split('/')[0]!;

/** Why `from` may not import `to`; undefined when it may. */
export function violation(from: string, to: string): string | undefined {
  const fromChannel = channelFolder(from);
  const toChannel = channelFolder(to);
  if (fromChannel !== undefined) {
    if (toChannel !== undefined && toChannel !== fromChannel) return `channel ${fromChannel} imports channel ${toChannel}`;
    if (topFolder(to) === 'telephony') return `channel ${fromChannel} imports telephony (declare a port in the channel instead)`;
    if (topFolder(to) === 'server') return `channel ${fromChannel} imports the composition root (the contract is channels/channel-module.ts)`;
    return undefined;
  }
  if (toChannel === undefined) return undefined;
  if (topFolder(from) === 'server') return undefined;
  if (topFolder(from) === 'telephony' && toChannel === 'ars') return undefined;
  if (allowedCoreImports.some((allowed) => allowed.from === from && allowed.to.test(to))) return undefined;
  return `${topFolder(from)} imports the concrete channel ${toChannel}`;
}

test('the rule itself: channel → other channel, channel → telephony and core → channel are refused', () => {
  assert.match(violation('channels/ars/ars-module.ts', 'telephony/twilio-client.ts')!, /imports telephony/);
  assert.match(violation('channels/otp/otp-module.ts', 'channels/ars/ars-ports.ts')!, /imports channel ars/);
  assert.match(violation('console/queue-dashboard.ts', 'channels/ars/place-call-queue.ts')!, /concrete channel ars/);
  assert.match(violation('telephony/ars/x.ts', 'channels/otp/otp-module.ts')!, /concrete channel otp/);
  assert.equal(violation('channels/ars/ars-module.ts', 'channels/channel.ts'), undefined);
  assert.equal(violation('channels/ars/ars-module.ts', 'channels/channel-module.ts'), undefined);
  assert.match(violation('channels/otp/otp-module.ts', 'server/build-context.ts')!, /imports the composition root/);
  assert.equal(violation('channels/ars/ars-module.ts', 'challenges/challenge-service.ts'), undefined);
  assert.equal(violation('telephony/ars/twilio-call-placer.ts', 'channels/ars/ars-ports.ts'), undefined);
  assert.equal(violation('server/channel-modules.ts', 'channels/ars/ars-module.ts'), undefined);
  assert.equal(violation('policy/policy-schema.ts', 'channels/otp/otp-policy.ts'), undefined);
  assert.match(violation('policy/policy-schema.ts', 'channels/otp/otp-module.ts')!, /concrete channel otp/);
  assert.match(violation('policy/evaluate.ts', 'channels/otp/otp-policy.ts')!, /concrete channel otp/);
  const parsed = importsOf(join(src, 'channels/ars/a.ts'), "import type { A } from './a.ts';\nimport { b } from '../../telephony/b.ts';\nconst c = await import(\"../otp/c.ts\");\nexport { d } from '../channel.ts';\n");
  assert.deepEqual(parsed, [
    { target: 'channels/ars/a.ts', typeOnly: true },
    { target: 'telephony/b.ts', typeOnly: false },
    { target: 'channels/channel.ts', typeOnly: false },
    { target: 'channels/otp/c.ts', typeOnly: false },
  ]);
});

test('every import under src/ points one way', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const file of sourceFiles(src)) {
    const from = relative(src, file);
    for (const { target } of importsOf(file, readFileSync(file, 'utf8'))) {
      checked += 1;
      const why = violation(from, target);
      if (why) problems.push(`${from} → ${target}: ${why}`);
    }
  }
  // The parser found the imports (a pattern that matched nothing would pass vacuously).
  assert.ok(checked > 600, `only ${checked} imports found`);
  assert.deepEqual(problems, []);
});

test("a channel's policy section stays light: it imports only src/policy/policy-fields.ts (and zod)", () => {
  const sections = sourceFiles(join(src, 'channels')).filter((file) => channelPolicyFile.test(relative(src, file)));
  // Every channel's (whichever channels there are), and at least the shipped ones: a pattern that matched nothing would pass vacuously.
  const found = sections.map((file) => relative(src, file));
  for (const shipped of ['channels/ars/ars-policy.ts', 'channels/otp/otp-policy.ts', 'channels/webauthn/webauthn-policy.ts']) assert.ok(found.includes(shipped), shipped);
  for (const file of sections) {
    assert.deepEqual(importsOf(file, readFileSync(file, 'utf8')).map((found) => found.target), ['policy/policy-fields.ts'], relative(src, file));
  }
  assert.deepEqual(importsOf(join(src, 'policy/policy-fields.ts'), readFileSync(join(src, 'policy/policy-fields.ts'), 'utf8')), []);
});

// The telephony simulator is its own workspace package (packages/telephony-simulator, docs/architecture.md):
// it simulates the provider, so it imports nothing of the app, and the app reaches it only where a
// process is put together for the demo: src/cli/demo.ts. The suite, chaos and bench use it by name.
const simulatorName = '@stepup/telephony-simulator';
const simulatorRoot = join(root, 'packages/telephony-simulator');
const simulatorUsersInSrc = ['cli/demo.ts'];

/** Every specifier a file imports (relative or bare), from the same forms importsOf reads. */
function specifiersOf(text: string): string[] {
  return [
    ...[...text.matchAll(/^\s*(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!),
    ...[...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!),
    ...[...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1]!),
  ];
}

/** Why a file of the simulator package may not import `specifier`; undefined when it may. */
export function simulatorImportViolation(file: string, specifier: string, dependencies: readonly string[]): string | undefined {
  if (specifier.startsWith('.')) {
    const target = relative(simulatorRoot, resolve(dirname(file), specifier));
    return target.startsWith('..') ? `reaches outside the package (${target})` : undefined;
  }
  if (specifier.startsWith('node:')) return undefined;
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  return dependencies.includes(name) ? undefined : `${name} is not a dependency in its package.json`;
}

test('the simulator package imports nothing of the app, only its declared dependencies', () => {
  const manifest = JSON.parse(readFileSync(join(simulatorRoot, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  assert.equal(manifest.name, simulatorName);
  const dependencies = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
  assert.match(simulatorImportViolation(join(simulatorRoot, 'src/a.ts'), '../../../src/telephony/numbering-plan.ts', dependencies)!, /outside the package/);
  assert.match(simulatorImportViolation(join(simulatorRoot, 'test/a.ts'), '../../../src/telephony/twilio-client.ts', dependencies)!, /outside the package/);
  assert.match(simulatorImportViolation(join(simulatorRoot, 'src/a.ts'), 'ioredis', dependencies)!, /not a dependency/);
  assert.equal(simulatorImportViolation(join(simulatorRoot, 'test/a.ts'), '../src/index.ts', dependencies), undefined);
  assert.equal(simulatorImportViolation(join(simulatorRoot, 'src/a.ts'), 'twilio/lib/base/RequestClient.js', dependencies), undefined);

  const problems: string[] = [];
  let checked = 0;
  for (const file of [...sourceFiles(join(simulatorRoot, 'src')), ...readdirSync(join(simulatorRoot, 'test')).map((name) => join(simulatorRoot, 'test', name))]) {
    if (!file.endsWith('.ts')) continue;
    for (const specifier of specifiersOf(readFileSync(file, 'utf8'))) {
      checked += 1;
      const why = simulatorImportViolation(file, specifier, dependencies);
      if (why) problems.push(`${relative(root, file)} → ${specifier}: ${why}`);
    }
  }
  assert.ok(checked > 80, `only ${checked} imports found`);
  assert.deepEqual(problems, []);
});

test(`src/ reaches the simulator only from ${simulatorUsersInSrc.join(', ')}, and by its package name`, () => {
  const users: string[] = [];
  for (const file of sourceFiles(src)) {
    const specifiers = specifiersOf(readFileSync(file, 'utf8'));
    const from = relative(src, file);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.') && resolve(dirname(file), specifier).startsWith(join(root, 'packages'))) users.push(`${from} → ${specifier} (by path)`);
      if (specifier === simulatorName || specifier.startsWith(`${simulatorName}/`)) users.push(from);
    }
  }
  assert.deepEqual(users.sort(), simulatorUsersInSrc);
});
