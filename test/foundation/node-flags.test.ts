// stepup runs with the same V8 flags wherever it is started for real (npm start, the Docker image)
// and wherever it is measured (npm run bench): a flag dropped in one place would make the benchmarks
// describe a server nobody runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { productionNodeFlags } from '../../bench/harness.ts';

test('npm start, the Dockerfile and the benchmarks run stepup with the same V8 flags', () => {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  const startFlags = start.split(' ').filter((word) => word.startsWith('--') && word !== '--import');
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(readFileSync('Dockerfile', 'utf8'))![1]!) as string[];
  const dockerFlags = cmd.filter((word) => word.startsWith('--') && word !== '--import');
  assert.deepEqual(startFlags, productionNodeFlags, 'npm start');
  assert.deepEqual(dockerFlags, productionNodeFlags, 'Dockerfile CMD');
  assert.ok(productionNodeFlags.includes('--no-memory-reducer'));
  assert.ok(productionNodeFlags.includes('--max-semi-space-size=64'));
});
