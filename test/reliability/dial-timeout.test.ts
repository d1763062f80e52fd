// A Calls.create that times out (the provider frozen, a network stall) may or may not have created
// the call (docs/reliability.md, "A dial whose outcome is unknown"). Taken as a failed dial, the
// next attempt was placed while the first call rang: customers were rung twice, and the late call
// was bound to an attempt that had already ended. Now the outcome is resolved first: by the call's
// own webhooks, or by asking the provider for calls to the number (Calls list) — never by dialing again.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer } from '../support/test-server.ts';
import { startSim, twilioEnv, setArsPolicy, fastArs, enroll, arsChallenge, callsTo, waitForAsk, answerFor, press, waitForStatusWhileCalling, seoulLandline, type SimFixture } from '../ars/ars-fixture.ts';

type CreateFault = 'answer-late' | 'never-arrive';

/**
 * A REST front for the simulator whose first Calls.create misbehaves: `answer-late` passes it on
 * (the call is created) but answers only after `holdMs`; `never-arrive` holds it for `holdMs` and
 * drops it (no call). Everything else passes straight through.
 */
async function frontWithFault(sim: SimFixture, fault: CreateFault, holdMs: number): Promise<{ url: string; close(): Promise<void> }> {
  let faulted = false;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const isCreate = req.method === 'POST' && /\/Calls\.json$/.test(req.url ?? '');
    const faultNow = isCreate && !faulted;
    if (faultNow) faulted = true;
    if (faultNow && fault === 'never-arrive') {
      setTimeout(() => res.destroy(), holdMs);
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name))) as Record<string, string>;
    const upstream = await fetch(sim.url + req.url, { method: req.method, headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined });
    const body = Buffer.from(await upstream.arrayBuffer());
    if (faultNow) await new Promise((resolve) => setTimeout(resolve, holdMs));
    if (res.destroyed) return;
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a Calls.create whose answer never came', () => {
  const closing: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const item of closing.reverse()) await item.close();
  });

  for (const fault of ['answer-late', 'never-arrive'] as const) {
    it(`${fault === 'answer-late' ? 'the call was created' : 'no call was created'}: the customer is rung once at a time, and the right answer approves`, async () => {
      const sim = await startSim({ ringDelayMs: 200 });
      closing.push(sim);
      const front = await frontWithFault(sim, fault, 1500);
      closing.push(front);
      const server = await startTestServer({
        env: { ...twilioEnv(sim), TWILIO_API_BASE_URL: front.url, TWILIO_REQUEST_TIMEOUT_MS: '500', ARS_RECONCILE_EVERY_MS: '200', ARS_RECONCILE_AFTER_S: '2' },
      });
      closing.push(server);
      const { tenantId, client } = await server.createTenant({ bankName: 'Test Bank' });
      await setArsPolicy(server, tenantId, fastArs);
      await enroll(client, 'cust-timeout');
      const challenge = await arsChallenge(client, 'cust-timeout');

      const call = await waitForAsk(sim, seoulLandline, 0, 15_000).catch(() => undefined);
      const seen = async () => (await callsTo(sim, seoulLandline)).map((c) => `${c.sid} ${c.status}`).join(', ');
      assert.ok(call, `the first call to the customer asks for digits (calls: ${await seen()})`);
      await press(sim, call.sid, answerFor(call.prompt));
      assert.equal((await waitForStatusWhileCalling(client, sim, seoulLandline, challenge.id)).status, 'approved');
      assert.equal((await callsTo(sim, seoulLandline)).length, 1, `the customer was rung once (calls: ${await seen()})`);
      const attempts = await server.running.context.db.query<{ attempt_number: number; call_sid: string | null; end_reason: string | null }>(
        'SELECT attempt_number, call_sid, end_reason FROM ars_call_attempts WHERE challenge_id = $1 ORDER BY attempt_number',
        [challenge.id],
      );
      const answeredBy = attempts.rows.find((row) => row.call_sid === call.sid);
      assert.ok(answeredBy, 'the answered call is bound to an attempt');
      if (fault === 'answer-late') assert.equal(answeredBy.attempt_number, 1, 'the call created by the timed-out request is attempt 1');
      else assert.deepEqual(attempts.rows[0], { attempt_number: 1, call_sid: null, end_reason: 'dial_failed' });
    });
  }
});
