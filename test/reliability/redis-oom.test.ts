// Redis at maxmemory with `noeviction` refuses every write with "OOM command not allowed"
// (docs/reliability.md, "Redis refusing writes"). That is Redis being unavailable for a while, like
// Redis being down: bank requests and Twilio's webhooks get 503 with Retry-After, never a 500.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { PrivateRedis } from '../support/services.ts';
import { startTestServer, transferBody, eventually, type TestServer } from '../support/test-server.ts';
import { accountSid, startSim, twilioEnv, setArsPolicy, fastArs, enroll, arsChallenge, callsTo, simJson, postWebhook, seoulLandline, type SimFixture } from '../ars/ars-fixture.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';

describe('Redis at maxmemory (noeviction)', () => {
  let redis: PrivateRedis;
  let admin: Redis;
  let sim: SimFixture;
  let server: TestServer;
  let client: StepupClient;
  let tenantId: string;

  const fillUp = () => admin.config('SET', 'maxmemory-policy', 'noeviction').then(() => admin.config('SET', 'maxmemory', '1'));
  const makeRoom = () => admin.config('SET', 'maxmemory', '0');

  before(async () => {
    redis = await PrivateRedis.start();
    admin = new Redis(redis.url);
    sim = await startSim({ ringDelayMs: 60_000 });
    server = await startTestServer({ env: { ...twilioEnv(sim), REDIS_URL: redis.url, ARS_WEBHOOK_PATIENCE_MS: '200' } });
    ({ client, tenantId } = await server.createTenant({ bankName: 'Test Bank' }));
    await setArsPolicy(server, tenantId, fastArs);
  });
  after(async () => {
    await makeRoom().catch(() => undefined);
    admin.disconnect();
    await server.close();
    await sim.close();
    await redis.destroy();
  });

  it('a bank request gets 503 with Retry-After, and 201 once Redis has room again', async () => {
    assert.equal((await client.createChallenge<any>(transferBody({}, '1000'))).status, 201);
    await fillUp();
    try {
      const during = await client.createChallenge<any>(transferBody({}, '1000'));
      assert.equal(during.status, 503, JSON.stringify(during.body));
      assert.equal(during.body.code, 'service_unavailable');
      assert.ok(Number(during.headers.get('retry-after')) > 0, 'Retry-After');
    } finally {
      await makeRoom();
    }
    const recovered = await eventually(async () => {
      const response = await client.createChallenge<any>(transferBody({}, '1000'));
      return response.status === 201 ? response : undefined;
    }, 10_000, 'a 201 once Redis has room');
    assert.equal(recovered.body.status, 'not_required');
  });

  it("an ARS status callback that must queue the next call gets 503 with Retry-After", async () => {
    await enroll(client, 'cust-oom');
    await simJson(sim, 'PUT', `/sim/numbers/${encodeURIComponent(seoulLandline)}`, { answer: 'no-answer' });
    await arsChallenge(client, 'cust-oom');
    // The call rings (for a minute): the attempt is `dialing`, bound to its call.
    const call = await eventually(async () => (await callsTo(sim, seoulLandline))[0], 10_000, 'the call');
    const path = new URL(sim.sim.state.getCall(call.sid)!.url!).pathname.replace(/\/answer$/, '/status');
    await eventually(async () => {
      const bound = await server.running.context.db.query('SELECT 1 FROM ars_call_attempts WHERE call_sid = $1', [call.sid]);
      return bound.rowCount > 0 ? true : undefined;
    }, 10_000, 'the attempt to be bound to its call');
    await fillUp();
    try {
      const during = await postWebhook(server.url, path, { CallSid: call.sid, AccountSid: accountSid, CallStatus: 'no-answer' });
      assert.equal(during.status, 503, during.text);
    } finally {
      await makeRoom();
    }
  });
});
