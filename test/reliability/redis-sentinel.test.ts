// Redis Sentinel (docs/deployment.md, "Redis"): stepup finds the primary through REDIS_SENTINELS,
// and when the primary server is lost and the sentinels promote the replica, every connection —
// bank requests, queues and workers, pub/sub — follows: 503 with Retry-After meanwhile, then
// decisions and webhook deliveries again, with nothing left pending.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { RedisSentinelSet } from '../support/redis-sentinels.ts';
import { startTestServer, transferBody, eventually, type TestServer } from '../support/test-server.ts';
import { otpTransfer, importToken, hex } from '../otp-channel/otp-support.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';

describe('Redis Sentinel: losing the primary server', () => {
  let set: RedisSentinelSet;
  let server: TestServer;
  let client: StepupClient;
  let receiver: http.Server;
  const delivered: string[] = [];

  before(async () => {
    set = await RedisSentinelSet.start({ downAfterMs: 1000 });
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        delivered.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    server = await startTestServer({
      captureLogs: true,
      env: { REDIS_URL: 'redis://127.0.0.1:1', REDIS_SENTINELS: set.sentinelsEnv, REDIS_SENTINEL_NAME: set.name },
    });
    ({ client } = await server.createTenant({ defaultCallbackUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events` }));
  });
  after(async () => {
    // Only what the `before` got to start: the Redis children would keep the process alive for ever.
    try {
      await server?.close();
      receiver?.closeAllConnections();
      receiver?.close();
    } finally {
      await set?.destroy();
    }
  });

  it('answers 503 with Retry-After while the sentinels promote the replica, then decides and delivers events again', async () => {
    assert.equal((await client.createChallenge<any>(transferBody({}, '1000'))).status, 201, 'through the sentinels before the fault');
    const seed = new Uint8Array(randomBytes(20));
    await importToken(client, 'cust-sentinel', { type: 'totp', secretHex: hex(seed) });

    const oldPrimary = await set.killPrimary();
    const killedAt = performance.now();
    const during = await client.createChallenge<any>(transferBody({}, '1000'));
    assert.ok(during.status === 503 || during.status === 201, `503 or already served: ${during.status}`);
    if (during.status === 503) assert.ok(Number(during.headers.get('retry-after')) > 0, 'Retry-After');

    const newPrimary = await set.waitForNewPrimary(oldPrimary);
    assert.notEqual(newPrimary, oldPrimary);
    const served = await eventually(async () => {
      const response = await client.createChallenge<any>(transferBody({}, '1000'));
      assert.ok(response.status === 201 || response.status === 503, `only 201 or 503, got ${response.status}`);
      return response.status === 201 ? response : undefined;
    }, 30_000, 'a decision after the failover').catch((error) => {
      process.stderr.write(server.logs.filter((line) => /"level":(40|50)/.test(line)).slice(-8).map((line) => line.slice(0, 700)).join('\n'));
      throw error;
    });
    assert.equal(served.body.status, 'not_required');
    const recoverySeconds = (performance.now() - killedAt) / 1000;

    // Queues and workers followed too: a canceled challenge's event reaches the bank.
    // Each of stepup's Redis connections (nonces, queues, rate limits) finds the new primary on its own:
    // until the last one has, a request that needs it is answered 503 with Retry-After, and the bank
    // retries it under the same Idempotency-Key, as a bank does.
    const challenge = await eventually(async () => {
      const created = await client.createChallenge<any>(otpTransfer('cust-sentinel', '110-123-456789'), { idempotencyKey: 'sentinel-otp-after-failover' });
      assert.ok(created.status === 201 || created.status === 503, `only 201 or 503, got ${created.status}`);
      if (created.status === 503) assert.ok(Number(created.headers.get('retry-after')) > 0, 'Retry-After');
      return created.status === 201 ? created.body : undefined;
    }, 30_000, 'a pending challenge after the failover');
    assert.equal(challenge.status, 'pending');
    assert.equal((await client.cancelChallenge(challenge.id)).status, 200);
    await eventually(async () => (delivered.some((body) => body.includes(challenge.id)) ? true : undefined), 30_000, 'the event delivered by a worker after the failover');
    process.stderr.write(`# sentinel failover: deciding again ${recoverySeconds.toFixed(1)} s after the primary was killed\n`);
  });
});
