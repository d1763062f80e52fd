// test: slow, about 155 s
// The short form of `npm run chaos` (docs/reliability.md): the whole stack in separate processes
// under a mixed load, four faults (kill -9 of the API, the Redis primary down for 3 s, a PostgreSQL
// crash, the Redis primary lost and the replica promoted by three sentinels), then every
// invariant checked. The run's table is printed when it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScript } from '../support/run-script.ts';

test('chaos, short form: every invariant holds through kill -9, a Redis outage, a PostgreSQL crash and a Redis failover', { timeout: 300_000 }, async () => {
  const { code, output } = await runScript('chaos/run.ts', { CHAOS_RATE: '5', CHAOS_FAULT_GAP_S: '6', CHAOS_FAULTS: '1,3,5,12' });
  assert.equal(code, 0, output);
  assert.match(output, /\| answers given but not applied \| 0 \|/);
  assert.match(output, /every check is zero/);
});
