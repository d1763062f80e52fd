// Attempts to get a Twilio webhook accepted without a signature for exactly what is sent (docs/ars-channel.md:
// X-Twilio-Signature over PUBLIC_BASE_URL + path + query): a Host header naming the URL that was
// signed, another query string, the signed body sent with GET, and a request proxied to another
// public host. Each is refused and changes nothing; the real answer still approves.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import twilio from 'twilio';
import { dbKinds } from '../support/databases.ts';
import { accountSid, answerFor, arsChallenge, authToken, enroll, postWebhook, press, startArsWorld, waitForAsk, waitForStatus, type ArsWorld } from '../ars/ars-fixture.ts';

/** A raw POST, so the Host header can be anything (fetch does not let a caller set it). */
function postWithHost(url: string, host: string, params: Record<string, string>, signature: string): Promise<number> {
  const body = new URLSearchParams(params).toString();
  return new Promise((resolve, reject) => {
    const sent = request(url, { method: 'POST', headers: { host, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-twilio-signature': signature } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

for (const db of dbKinds) {
  describe(`Twilio webhook signature cannot be sidestepped (${db})`, () => {
    let world: ArsWorld;
    before(async () => {
      world = await startArsWorld({ db });
    });
    after(() => world.close());

    test('Host header, query string, method and public base URL tricks are refused; nothing changes', async () => {
      const { client, sim, server, tenantId } = world;
      const number = '+8223157001';
      await enroll(client, 'cust-bypass', number);
      const challenge = await arsChallenge(client, 'cust-bypass');
      const call = await waitForAsk(sim, number);
      const attempt = (await server.running.context.db.query<any>('SELECT id FROM ars_call_attempts WHERE tenant_id = $1 AND challenge_id = $2', [tenantId, challenge.id])).rows[0];
      const path = `/twilio/ars/${tenantId}/${attempt.id}/gather`;
      const params = { CallSid: call.sid, AccountSid: accountSid, Digits: '*', CallStatus: 'in-progress' };

      // Signed for the attacker's own host, sent with that Host header: the server checks PUBLIC_BASE_URL.
      const evil = twilio.getExpectedTwilioSignature(authToken, `http://evil.example${path}?ask=1`, params);
      assert.equal(await postWithHost(`${server.url}${path}?ask=1`, 'evil.example', params, evil), 403, 'Host header');
      // A signature for one query string does not cover another.
      const askOne = twilio.getExpectedTwilioSignature(authToken, `${server.url}${path}?ask=1`, params);
      assert.equal((await postWebhook(server.url, `${path}?ask=2`, params, { signature: askOne })).status, 403, 'other query');
      assert.equal((await postWebhook(server.url, `${path}?ask=1&ask=2`, params, { signature: askOne })).status, 403, 'extra query');
      // Twilio signs a GET over the URL alone: a signature without the body must not pass for a POST with one.
      const urlOnly = twilio.getExpectedTwilioSignature(authToken, `${server.url}${path}?ask=1`, {});
      assert.equal((await postWebhook(server.url, `${path}?ask=1`, params, { signature: urlOnly })).status, 403, 'URL-only signature');
      // GET is not a webhook method here, even with a signature valid for its URL.
      const get = await fetch(`${server.url}${path}?ask=1&${new URLSearchParams(params)}`, { headers: { 'x-twilio-signature': urlOnly } });
      assert.notEqual(get.status, 200, 'GET');
      assert.ok(!(await get.text()).includes('<Response'), 'GET gets no TwiML');

      assert.equal((await client.getChallenge<any>(challenge.id)).body.status, 'pending', 'no forged webhook moved the challenge');
      await press(sim, call.sid, answerFor(call.prompt));
      assert.equal((await waitForStatus(client, challenge.id)).status, 'approved');
    });
  });
}
