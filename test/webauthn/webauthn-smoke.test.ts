import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPasskeyChallenge, newAuthenticator, postPage, registerPasskey, startWebAuthnServer, type WebAuthnTestServer } from './webauthn-support.ts';

describe('smoke', () => {
  let server: WebAuthnTestServer;
  before(async () => {
    server = await startWebAuthnServer();
  });
  after(() => server.close());
  test('register and approve', async () => {
    const { client } = await server.bank();
    const authenticator = newAuthenticator(server);
    await registerPasskey(server, client, 'cust-1', authenticator);
    const challenge = await createPasskeyChallenge(client, 'cust-1');
    assert.equal(challenge.channel, 'webauthn', JSON.stringify(challenge));
    const options = await postPage(server, challenge.customerUrl, '/options');
    const verified = await postPage(server, challenge.customerUrl, '/verify', { response: authenticator.assert({ challenge: options.body.publicKey.challenge }) });
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    assert.equal(verified.body.status, 'approved');
  });
});
