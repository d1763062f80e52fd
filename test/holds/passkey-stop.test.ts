// The passkey confirmation page after approval (docs/holds.md, "Stopping"): while the hold is open the
// page offers "Stop this transfer", which goes to the stop page's own route (its protections: strict CSP,
// no framing, the token never logged or stored); a transfer that is not held is offered nothing.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { createPasskeyChallenge, getPage, newAuthenticator, pagePath, postPage, registerPasskey, startWebAuthnServer, type WebAuthnTestServer } from '../webauthn/webauthn-support.ts';
import { changePolicy, eventTypes, holdPolicy } from './hold-support.ts';

for (const db of dbKinds) {
  describe(`passkey page: stop after approval (${db})`, () => {
    let server: WebAuthnTestServer;
    before(async () => {
      server = await startWebAuthnServer({ db });
    });
    after(() => server.close());

    async function approved(customerId: string, minAmount: string) {
      const bank = await server.bank({ defaultCallbackUrl: 'http://127.0.0.1:9/never' });
      await changePolicy(server, bank.tenantId, (document) => (document.hold = holdPolicy({ minAmount, appliesTo: ['approved'], notifyCallsAfterSeconds: [] })));
      const authenticator = newAuthenticator(server);
      await registerPasskey(server, bank.client, customerId, authenticator);
      const challenge = await createPasskeyChallenge(bank.client, customerId, { amount: '3500000' });
      const page = await getPage(server, challenge.customerUrl);
      const options = await postPage(server, challenge.customerUrl, '/options');
      const verified = await postPage(server, challenge.customerUrl, '/verify', { response: authenticator.assert({ challenge: options.body.publicKey.challenge }) });
      assert.equal(verified.status, 200, JSON.stringify(verified.body));
      assert.equal(verified.body.status, 'approved');
      return { ...bank, challenge, page, verified: verified.body };
    }

    test('a held transfer: the answer names the stop link; the page offers the stop; the stop works once (stoppedBy customer)', async () => {
      const { client, challenge, page, verified } = await approved('cust-passkey-held', '3000000');
      assert.match(page.html, /id="hold-stop"[^>]*hidden/, 'the offer is on the page, shown after approval');
      assert.match(page.html, /이 이체 중지/);
      assert.match(verified.stopUrl, new RegExp(`^${server.publicBaseUrl}/c/hold/${challenge.id}/[A-Za-z0-9_-]{43}$`));
      assert.ok(verified.releaseAt);
      const held = (await client.getChallenge<any>(challenge.id)).body;
      assert.equal(held.hold.state, 'held');
      assert.equal(verified.releaseAt, held.hold.releaseAt);
      // What the page's button does: POST to the stop page's own route, same origin.
      const stop = await fetch(server.url + pagePath(verified.stopUrl) + '/stop', { method: 'POST' });
      assert.equal(stop.status, 200);
      assert.equal(stop.headers.get('x-frame-options'), 'DENY');
      const read = (await client.getChallenge<any>(challenge.id)).body;
      assert.equal(read.hold.state, 'stopped');
      assert.equal(read.hold.stoppedBy, 'customer');
      assert.deepEqual(await eventTypes(server, challenge.id), ['challenge.approved', 'challenge.hold_stopped']);
    });

    test('a transfer that is not held: no stop link', async () => {
      const { verified } = await approved('cust-passkey-free', '5000000');
      assert.equal(verified.stopUrl, undefined);
    });
  });
}
