// What never reaches a log line (docs/webauthn-channel.md): the customer pages' tokens (whoever holds
// one can open the page), the full payee account the confirmation page shows, public keys.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPasskeyChallenge, getPage, newAuthenticator, pagePath, postPage, registrationLink, startWebAuthnServer, type WebAuthnTestServer } from './webauthn-support.ts';

describe('passkey pages in the logs', () => {
  let server: WebAuthnTestServer;
  before(async () => {
    server = await startWebAuthnServer({ captureLogs: true });
  });
  after(() => server.close());

  test('neither page tokens nor the full account nor a public key appear in any log line', async () => {
    const { client } = await server.bank();
    const authenticator = newAuthenticator(server);
    const link = await registrationLink(client, 'cust-logs');
    await getPage(server, link.url);
    const options = await postPage(server, link.url, '/options');
    const attestation = authenticator.register(options.body) as any;
    assert.equal((await postPage(server, link.url, '/verify', { response: attestation })).status, 201);
    const challenge = await createPasskeyChallenge(client, 'cust-logs', { account: '110-123-456789' });
    await getPage(server, challenge.customerUrl);
    // A refused attempt and an approval (both logged).
    await postPage(server, challenge.customerUrl, '/verify', { response: authenticator.assert({ challenge: 'AAAA' }) });
    const assertion = await postPage(server, challenge.customerUrl, '/options');
    assert.equal((await postPage(server, challenge.customerUrl, '/verify', { response: authenticator.assert({ challenge: assertion.body.publicKey.challenge }) })).body.status, 'approved');
    await getPage(server, challenge.customerUrl);

    const logs = server.logs.join('');
    assert.ok(logs.includes('/c/webauthn/confirm/'), 'the access log has the page requests');
    for (const url of [link.url, challenge.customerUrl]) {
      const token = pagePath(url).split('/').pop()!;
      assert.ok(!logs.includes(token), `page token ${token.slice(0, 6)}… logged`);
    }
    assert.ok(!logs.includes('110-123-456789') && !logs.includes('123456789'), 'full account logged');
    assert.ok(!logs.includes(attestation.response.attestationObject.slice(0, 40)), 'attestation logged');
  });
});
