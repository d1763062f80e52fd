// The ports tests hand to servers they start later (test/support/free-port.ts). In a whole run, a
// stepup child's port from listen(0) was taken, before the child bound it, by another test process's
// event sink (listen(0) too): both tests failed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ephemeralPortRange } from '../support/free-port.ts';
import { runScript } from '../support/run-script.ts';

const listenOn = (port: number) =>
  new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });

describe('free ports for servers started later', () => {
  test('a port is outside the range listen(0) draws from, free, and handed out once per process', async () => {
    const { low, high } = ephemeralPortRange();
    const ports = await Promise.all(Array.from({ length: 100 }, () => freePort()));
    for (const port of ports) assert.ok(port < low || port > high, `${port} is in the ephemeral range ${low}-${high}`);
    assert.equal(new Set(ports).size, ports.length, 'a port handed out twice');
    // Free: a server can listen on each (a few, to keep the test short).
    for (const port of ports.slice(0, 5)) await new Promise<void>((resolve) => void listenOn(port).then((server) => server.close(() => resolve())));
  });

  test('two test processes reserving at once never get the same port; their reservations go when they exit', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stepup-test-ports-'));
    const barrier = mkdtempSync(join(tmpdir(), 'stepup-test-barrier-'));
    try {
      // Each holds its ports until both have reserved theirs.
      const env = { STEPUP_TEST_PORTS_DIR: folder, PORTS_TO_RESERVE: '400', BARRIER_DIR: barrier, PROCESSES_TOGETHER: '2' };
      const runs = await Promise.all([runScript('test/support/fixtures/reserve-ports.ts', env), runScript('test/support/fixtures/reserve-ports.ts', env)]);
      for (const run of runs) assert.equal(run.code, 0, run.output);
      const [first, second] = runs.map((run) => JSON.parse(run.output) as number[]);
      assert.equal(first!.length, 400);
      assert.equal(second!.length, 400);
      const shared = first!.filter((port) => second!.includes(port));
      assert.deepEqual(shared, [], 'ports given to both processes');
      assert.deepEqual(readdirSync(folder), [], 'reservations left behind');
    } finally {
      rmSync(folder, { recursive: true, force: true });
      rmSync(barrier, { recursive: true, force: true });
    }
  });
});
