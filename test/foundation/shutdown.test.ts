// `npm start` as operators run it: SIGTERM drains in-flight requests, closes workers, exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { redisUrl, eventually, startTestServer } from '../support/test-server.ts';
import { freePort } from '../support/free-port.ts';
import { FaultyDb } from '../support/faulty-db.ts';
import { channelModules, type ChannelModule } from '../../src/server/channel-modules.ts';
import { defineRoute } from '../../src/http/route.ts';
import { nodeEntry } from '../support/node-entry.ts';

test('SIGTERM: requests already sent are answered, then the process exits cleanly', async (t) => {
  const port = await freePort();
  const { DATABASE_URL: _unused, ...baseEnv } = process.env;
  const child = spawn(process.execPath, nodeEntry('src/main.ts'), {
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
  // A failed assertion must not leave the server running (it would hold the test file open for good).
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  // Starting a process (tsx, migrations) on a machine busy with the rest of the suite takes a while.
  await eventually(async () => (output.includes('stepup workers running') ? true : undefined), 90_000, 'server start');

  const inFlight = Array.from({ length: 20 }, () =>
    fetch(`http://127.0.0.1:${port}/readyz`).then((r) => ({ status: r.status, connection: r.headers.get('connection'), retryAfter: r.headers.get('retry-after') })),
  );
  await new Promise((resolve) => setTimeout(resolve, 5));
  child.kill('SIGTERM');
  const statuses = await Promise.allSettled(inFlight);
  const answered = statuses.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<{ status: number; connection: string | null; retryAfter: string | null }>).value);
  // Requests the server was handling when SIGTERM came completed (200); one that reached it only
  // after was refused at once (503, Retry-After, Connection: close); none was cut off half-way.
  for (const response of answered) {
    if (response.status === 200) continue;
    assert.equal(response.status, 503);
    assert.equal(response.connection, 'close');
    assert.ok(Number(response.retryAfter) > 0);
  }
  assert.ok(answered.length > 0);
  assert.equal(await exited, 0, output.slice(-2000));
  assert.match(output, /shutting down/);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'no longer listening');
});

// Shutdown under keep-alive (docs/reliability.md, "Graceful shutdown under keep-alive"): a request in
// flight finishes with 2xx and `Connection: close`; nothing that arrives after shutdown began is
// served (503 + Retry-After + Connection: close, or a refused connection), never a 500; the pool
// ends only once the last handler has answered, and the drain does not wait out the grace period.
test('shutdown under keep-alive: in-flight finishes, later requests are refused at once, the pool closes after the handlers', async () => {
  const entered = deferred();
  const release = deferred();
  let handlerFinishedAt: number | undefined;
  const slowModule: ChannelModule = {
    name: 'test-slow-route',
    register() {},
    routes: (context) => [
      defineRoute({
        method: 'get',
        path: '/test/slow',
        auth: { kind: 'public' },
        summary: 'Waits for the test, then reads the database',
        tags: ['test'],
        responses: { 200: { description: 'ok' } },
        handler: async () => {
          entered.resolve();
          await release.promise;
          const result = await context.db.query<{ one: number }>('SELECT 1 AS one');
          handlerFinishedAt = performance.now();
          return { status: 200, body: { one: result.rows[0]!.one } };
        },
      }),
    ],
  };
  let faulty: FaultyDb | undefined;
  const server = await startTestServer({
    modules: [...channelModules, slowModule],
    env: { SHUTDOWN_GRACE_MS: '10000' },
    wrapDb: (inner) => (faulty = new FaultyDb(inner)),
  });
  const { port } = new URL(server.url);

  // P: one keep-alive connection, the slow request in flight on it.
  const raw = net.connect(Number(port), '127.0.0.1');
  let received = '';
  raw.on('data', (chunk) => (received += chunk));
  const rawClosed = new Promise<void>((resolve) => raw.on('close', () => resolve()));
  raw.write('GET /test/slow HTTP/1.1\r\nHost: stepup\r\n\r\n');
  await entered.promise;
  // Q: a keep-alive connection whose next request has begun to arrive (headers not complete yet).
  const partial = net.connect(Number(port), '127.0.0.1');
  let partialReceived = '';
  partial.on('data', (chunk) => (partialReceived += chunk));
  const partialClosed = new Promise<void>((resolve) => partial.on('close', () => resolve()));
  partial.on('error', () => undefined);
  await new Promise<void>((resolve) => partial.write('GET /healthz HTTP/1.1\r\nHost: stepup\r\n', () => resolve()));

  // L: a busy keep-alive client, sending request after request.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let closeStartedAt: number | undefined;
  const outcomes: { afterClose: boolean; status?: number; connection?: string; retryAfter?: string; error?: string }[] = [];
  let stopLoop = false;
  const loop = (async () => {
    while (!stopLoop) {
      const afterClose = closeStartedAt !== undefined;
      try {
        const response = await get(agent, Number(port), '/readyz');
        outcomes.push({ afterClose, status: response.status, connection: response.headers.connection, retryAfter: response.headers['retry-after'] as string | undefined });
      } catch (error) {
        outcomes.push({ afterClose, error: (error as NodeJS.ErrnoException).code ?? String(error) });
        if (afterClose) return;
      }
    }
  })();
  await eventually(async () => (outcomes.filter((o) => o.status === 200).length >= 3 ? true : undefined), 10_000, 'keep-alive traffic');

  closeStartedAt = performance.now();
  const closing = server.close();
  // A request pipelined on P after shutdown began.
  raw.write('GET /healthz HTTP/1.1\r\nHost: stepup\r\n\r\n');
  partial.write('\r\n');
  await eventually(async () => (outcomes.some((o) => o.afterClose) ? true : undefined), 10_000, 'a keep-alive request after shutdown began');
  release.resolve();
  await closing;
  const closedIn = performance.now() - closeStartedAt;
  stopLoop = true;
  await loop;
  agent.destroy();
  await rawClosed;
  await partialClosed;

  const responses = parseResponses(received);
  assert.equal(responses[0]?.status, 200, received);
  assert.deepEqual(JSON.parse(responses[0]!.body), { one: 1 });
  assert.equal(responses[0]!.headers.connection, 'close', 'the in-flight response closes its keep-alive connection');
  for (const late of responses.slice(1)) {
    assert.equal(late.status, 503, `pipelined after shutdown began: ${late.status}`);
    assert.equal(late.headers.connection, 'close');
    assert.ok(Number(late.headers['retry-after']) > 0);
  }
  // The request that completed on Q after shutdown began was refused at once, not served.
  const [refused, ...more] = parseResponses(partialReceived);
  assert.equal(refused?.status, 503, partialReceived);
  assert.equal(refused.headers.connection, 'close');
  assert.ok(Number(refused.headers['retry-after']) > 0);
  assert.equal(JSON.parse(refused.body).code, 'service_unavailable');
  assert.equal(more.length, 0);
  for (const outcome of outcomes.filter((o) => o.afterClose)) {
    assert.notEqual(outcome.status, 200, 'a request sent after shutdown began was served');
    if (outcome.status !== undefined) {
      assert.equal(outcome.status, 503, JSON.stringify(outcome));
      assert.equal(outcome.connection, 'close');
      assert.ok(Number(outcome.retryAfter) > 0);
    }
  }
  assert.ok(handlerFinishedAt !== undefined && faulty?.closedAt !== undefined && handlerFinishedAt < faulty.closedAt, 'the pool ended after the handler finished');
  assert.ok(closedIn < 5000, `the drain waited ${Math.round(closedIn)} ms (grace 10000 ms)`);
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function get(agent: http.Agent, port: number, path: string): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** Splits what a raw HTTP/1.1 connection received into responses (Content-Length bodies). */
function parseResponses(text: string): { status: number; headers: Record<string, string>; body: string }[] {
  const responses: { status: number; headers: Record<string, string>; body: string }[] = [];
  let rest = Buffer.from(text);
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const [statusLine, ...lines] = rest.subarray(0, end).toString().split('\r\n');
    const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    responses.push({ status: Number(statusLine!.split(' ')[1]), headers, body: rest.subarray(end + 4, end + 4 + length).toString() });
    rest = rest.subarray(end + 4 + length);
  }
  return responses;
}
