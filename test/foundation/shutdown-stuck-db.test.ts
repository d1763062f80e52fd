// SIGTERM always ends the process within SHUTDOWN_GRACE_MS plus a few seconds, even when the database
// is stuck (docs/reliability.md): before, a hung query held the drain, the workers and the pool's end
// forever, and only SIGKILL ended the process. /readyz says "stuck" once a query has been pending
// longer than DB_STUCK_AFTER_MS. The database is made stuck from outside: a lock held on a table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redisUrl, eventually } from '../support/test-server.ts';
import { freePort } from '../support/free-port.ts';
import { createPostgresDatabase } from '../support/databases.ts';
import { nodeEntry } from '../support/node-entry.ts';

test('a stuck database: /readyz says stuck, and SIGTERM still ends the process within the grace period plus a few seconds', { timeout: 180_000 }, async () => {
  const database = await createPostgresDatabase();
  const port = await freePort();
  const adminToken = randomBytes(24).toString('base64url');
  const graceMs = 1000;
  const child = spawn(process.execPath, nodeEntry('src/main.ts'), {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: `{s${randomBytes(3).toString('hex')}}`,
      MASTER_KEY: randomBytes(32).toString('base64'),
      ADMIN_TOKEN: adminToken,
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: String(graceMs),
      DB_STUCK_AFTER_MS: '500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const locker = new pg.Client({ connectionString: database.url });
  try {
    await eventually(async () => (output.includes('stepup workers running') ? true : undefined), 90_000, 'server start');
    const base = `http://127.0.0.1:${port}`;
    const admin = { authorization: `Bearer ${adminToken}` };
    assert.equal((await fetch(`${base}/readyz`)).status, 200);

    // Every read of tenants now waits on the lock: the database is stuck for this process.
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE tenants IN ACCESS EXCLUSIVE MODE');
    const hung = fetch(`${base}/admin/v1/tenants`, { headers: admin }).then((r) => r.status, () => 'cut');
    const stuck = await eventually(async () => {
      const response = await fetch(`${base}/readyz`);
      const body = await response.json();
      return response.status === 503 && /stuck/.test(body.detail) ? body : undefined;
    }, 20_000, '/readyz to say the database is stuck');
    assert.equal(stuck.code, 'service_unavailable');
    assert.match(stuck.detail, /database: stuck \(a query pending for \d+(\.\d+)? s\)/);

    const signalledAt = performance.now();
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    const tookMs = performance.now() - signalledAt;
    assert.equal(signal, null, 'ended by itself, not by a signal it could not handle');
    assert.notEqual(code, 0, 'a forced end is not a clean one');
    assert.ok(tookMs < graceMs + 6_000, `ended ${Math.round(tookMs)} ms after SIGTERM`);
    assert.match(output, /shutdown did not finish/);
    assert.ok(['cut', 503, 500].includes((await hung) as never), `the hung request ended: ${await hung}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await locker.end().catch(() => undefined);
    await database.drop();
  }
});
