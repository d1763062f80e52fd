// `npm start` as operators run it: SIGTERM drains in-flight requests, closes workers, exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { freePort, redisUrl, eventually } from '../support/test-server.ts';

test('SIGTERM: requests already sent are answered, then the process exits cleanly', async () => {
  const port = await freePort();
  const { DATABASE_URL: _unused, ...baseEnv } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...baseEnv,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: ':memory:',
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: `{s${randomBytes(3).toString('hex')}}`,
      MASTER_KEY: randomBytes(32).toString('base64'),
      ADMIN_TOKEN: randomBytes(24).toString('base64url'),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await eventually(async () => (output.includes('stepup workers running') ? true : undefined), 30_000, 'server start');

  const inFlight = Array.from({ length: 20 }, () => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status));
  await new Promise((resolve) => setTimeout(resolve, 5));
  child.kill('SIGTERM');
  const statuses = await Promise.allSettled(inFlight);
  const answered = statuses.filter((s) => s.status === 'fulfilled');
  // Requests that reached the server before SIGTERM completed; none was cut off half-way.
  for (const result of answered) assert.equal((result as PromiseFulfilledResult<number>).value, 200);
  assert.ok(answered.length > 0);
  assert.equal(await exited, 0, output.slice(-2000));
  assert.match(output, /shutting down/);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'no longer listening');
});
