// Passkey enrollment (docs/webauthn-channel.md): one-time expiring links to stepup's page, the
// registration ceremony, listing and deleting, at most 10 per customer (atomic), the summary's
// count, the customer.passkey_registered event, audit, erasure, tenant isolation, configuration.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { webauthnModule } from '../../src/channels/webauthn/webauthn-module.ts';
import { webauthnSettings } from '../../src/channels/webauthn/webauthn-config.ts';
import { dbKinds } from '../support/databases.ts';
import { eventually, startTestServer, transferBody } from '../support/test-server.ts';
import type { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { eventSink } from '../support/event-sink.ts';
import { getPage, newAuthenticator, postPage, registerPasskey, registrationLink, startWebAuthnServer, type WebAuthnTestServer } from './webauthn-support.ts';

for (const db of dbKinds) {
  describe(`passkey registration (${db})`, () => {
    let server: WebAuthnTestServer;
    before(async () => {
      server = await startWebAuthnServer({ db });
    });
    after(() => server.close());

    test('a link opens the page in the customer locale; the passkey is registered, listed, counted, audited and reported', async () => {
      const sink = await eventSink();
      try {
        const tenant = await server.bank({ bankName: '스텝업은행', defaultCallbackUrl: sink.url });
        const { client } = tenant;
        const link = await registrationLink(client, 'cust-reg', { locale: 'ko-KR', displayName: '홍길동' });
        assert.match(link.url, new RegExp(`^${server.publicBaseUrl}/c/webauthn/register/[A-Za-z0-9_-]{43}$`));
        const expiresIn = new Date(link.expiresAt).getTime() - Date.now();
        assert.ok(expiresIn > 14 * 60_000 && expiresIn <= 15 * 60_000, `expires in ${expiresIn} ms`);

        const page = await getPage(server, link.url);
        assert.equal(page.status, 200);
        assert.match(page.html, /패스키 등록/);
        assert.match(page.html, /스텝업은행/);
        assert.doesNotMatch(page.html, /<script>|<script [^>]*>[^<]/, 'no inline script');
        assert.doesNotMatch(page.html, /https?:\/\//, 'no external asset');
        const csp = page.headers.get('content-security-policy') ?? '';
        assert.match(csp, /script-src 'self'/);
        assert.doesNotMatch(csp, /unsafe-inline/);

        // The summary 404s before anything is enrolled, like the other channels.
        assert.equal((await client.request('GET', '/v1/customers/cust-reg')).status, 404);
        const authenticator = newAuthenticator(server);
        const options = await postPage(server, link.url, '/options', { payment: false });
        assert.equal(options.status, 200);
        assert.equal(options.body.rp.id, 'localhost');
        assert.equal(options.body.rp.name, '스텝업은행');
        assert.equal(options.body.attestation, 'none');
        assert.deepEqual(options.body.authenticatorSelection, { residentKey: 'preferred', userVerification: 'required', requireResidentKey: false });
        assert.equal(options.body.user.displayName, '홍길동');
        assert.notEqual(options.body.user.id, 'cust-reg');
        const registered = await postPage(server, link.url, '/verify', { response: authenticator.register(options.body) });
        assert.equal(registered.status, 201, JSON.stringify(registered.body));

        const listed = await client.request<any[]>('GET', '/v1/customers/cust-reg/webauthn/credentials');
        assert.equal(listed.status, 200);
        assert.equal(listed.body.length, 1);
        assert.deepEqual(Object.keys(listed.body[0]).sort(), ['backedUp', 'createdAt', 'id', 'lastUsedAt', 'transports']);
        assert.equal(listed.body[0].id, registered.body.credentialId);
        assert.equal(listed.body[0].lastUsedAt, null);
        assert.deepEqual(listed.body[0].transports, ['internal']);
        const summary = await client.request<any>('GET', '/v1/customers/cust-reg');
        assert.equal(summary.status, 200);
        assert.equal(summary.body.passkeys, 1);

        const message = await eventually(async () => sink.received.find((m) => m.body.includes('customer.passkey_registered')), 10_000, 'event');
        const event = new Webhook(tenant.webhookSecret).verify(message.body, message.headers) as any;
        assert.equal(event.type, 'customer.passkey_registered');
        assert.equal(event.data.customerId, 'cust-reg');
        assert.equal(event.data.credentialId, registered.body.credentialId);

        const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${tenant.tenantId}`);
        const actions = audit.body.entries.map((entry: any) => entry.action);
        assert.ok(actions.includes('webauthn.registration_link_created') && actions.includes('webauthn.passkey_registered'), JSON.stringify(actions));
      } finally {
        sink.server.close();
      }
    });

    test('a link works once: used, it is 410 on every step; a second link excludes the registered credential', async () => {
      const { client } = await server.bank();
      const authenticator = newAuthenticator(server);
      const link = await registrationLink(client, 'cust-once');
      const options = await postPage(server, link.url, '/options');
      assert.equal((await postPage(server, link.url, '/verify', { response: authenticator.register(options.body) })).status, 201);
      const used = await getPage(server, link.url);
      assert.equal(used.status, 410);
      assert.match(used.html, /expired or was already used/);
      const again = await postPage(server, link.url, '/options');
      assert.equal(again.status, 410);
      assert.equal(again.body.code, 'link_gone');
      // The same ceremony's answer again (a replay of the registration): refused, nothing stored twice.
      assert.equal((await postPage(server, link.url, '/verify', { response: authenticator.register(options.body) })).status, 410);
      assert.equal((await client.request<any[]>('GET', '/v1/customers/cust-once/webauthn/credentials')).body.length, 1);

      const second = await registrationLink(client, 'cust-once');
      const secondOptions = await postPage(server, second.url, '/options');
      assert.deepEqual(secondOptions.body.excludeCredentials.map((c: any) => c.id), [authenticator.credentials.length ? Buffer.from(authenticator.credentials[0]!.id).toString('base64url') : '']);
    });

    test('an expired link is 410 and registers nothing', async () => {
      const { client } = await server.bank();
      const link = await registrationLink(client, 'cust-expired');
      const options = await postPage(server, link.url, '/options');
      assert.equal(options.status, 200);
      // 15 minutes pass (the clock is the database's: move the link's expiry into the past).
      await server.running.context.db.query(`UPDATE webauthn_registration_links SET expires_at = now() - interval '1 second'`);
      assert.equal((await getPage(server, link.url)).status, 410);
      const verified = await postPage(server, link.url, '/verify', { response: newAuthenticator(server).register(options.body) });
      assert.equal(verified.status, 410);
      assert.equal(verified.body.code, 'link_gone');
      assert.equal((await client.request<any[]>('GET', '/v1/customers/cust-expired/webauthn/credentials')).body.length, 0);
    });

    test('an unknown token is 404; a malformed one too', async () => {
      assert.equal((await getPage(server, `${server.publicBaseUrl}/c/webauthn/register/${'A'.repeat(43)}`)).status, 404);
      assert.equal((await getPage(server, `${server.publicBaseUrl}/c/webauthn/register/short`)).status, 404);
    });

    test('registration refused: wrong origin, wrong RP ID, no user verification while policy requires it', async () => {
      const { client } = await server.bank();
      const cases: [string, Parameters<SoftAuthenticator['register']>[1]][] = [
        ['origin', { origin: 'https://evil.example' }],
        ['rp id', { rpId: 'evil.example' }],
        ['user verification', { userVerified: false }],
      ];
      for (const [name, overrides] of cases) {
        const link = await registrationLink(client, 'cust-refused');
        const options = await postPage(server, link.url, '/options');
        const verified = await postPage(server, link.url, '/verify', { response: newAuthenticator(server).register(options.body, overrides) });
        assert.equal(verified.status, 422, name);
        assert.equal(verified.body.code, 'passkey_rejected', name);
      }
      assert.equal((await client.request<any[]>('GET', '/v1/customers/cust-refused/webauthn/credentials')).body.length, 0);
    });

    test('at most 10 passkeys: the 11th is refused, also when two registrations race for the last place', async () => {
      const { client } = await server.bank();
      const authenticator = newAuthenticator(server);
      for (let i = 0; i < 9; i += 1) await registerPasskey(server, client, 'cust-ten', authenticator);
      // Two links for the 10th place, answered at the same moment: exactly one wins.
      const links = await Promise.all([registrationLink(client, 'cust-ten'), registrationLink(client, 'cust-ten')]);
      const answers = await Promise.all(links.map(async (link) => ({ link, options: (await postPage(server, link.url, '/options')).body })));
      const results = await Promise.all(answers.map(({ link, options }) => postPage(server, link.url, '/verify', { response: authenticator.register(options) })));
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
      assert.equal(results.find((r) => r.status === 409)!.body.code, 'passkey_limit_reached');
      assert.equal((await client.request<any[]>('GET', '/v1/customers/cust-ten/webauthn/credentials')).body.length, 10);
      const eleventh = await registrationLink(client, 'cust-ten');
      const refused = await postPage(server, eleventh.url, '/options');
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'passkey_limit_reached');
      assert.equal((await client.request<any>('GET', '/v1/customers/cust-ten')).body.passkeys, 10);
    });

    test('delete and tenant isolation: another tenant neither lists nor deletes; erasure removes every passkey', async () => {
      const bank = await server.bank();
      const other = await server.bank();
      const credentialId = await registerPasskey(server, bank.client, 'cust-del', newAuthenticator(server));
      assert.deepEqual((await other.client.request<any[]>('GET', '/v1/customers/cust-del/webauthn/credentials')).body, []);
      assert.equal((await other.client.request('DELETE', `/v1/customers/cust-del/webauthn/credentials/${credentialId}`)).status, 404);
      assert.equal((await bank.client.request('DELETE', `/v1/customers/cust-other/webauthn/credentials/${credentialId}`)).status, 404);
      assert.equal((await bank.client.request('DELETE', `/v1/customers/cust-del/webauthn/credentials/${credentialId}`)).status, 204);
      assert.equal((await bank.client.request('DELETE', `/v1/customers/cust-del/webauthn/credentials/${credentialId}`)).status, 404);
      assert.equal((await bank.client.request<any>('GET', '/v1/customers/cust-del')).body.passkeys, 0);

      await registerPasskey(server, bank.client, 'cust-erase', newAuthenticator(server));
      const pending = await registrationLink(bank.client, 'cust-erase');
      assert.equal((await bank.client.request('DELETE', '/v1/customers/cust-erase')).status, 204);
      assert.deepEqual((await bank.client.request<any[]>('GET', '/v1/customers/cust-erase/webauthn/credentials')).body, []);
      assert.equal((await getPage(server, pending.url)).status, 404, 'an erased customer’s link is gone');
      const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${bank.tenantId}`);
      assert.ok(audit.body.entries.some((entry: any) => entry.action === 'webauthn.passkey_deleted'));
    });
  });
}

describe('passkey configuration', () => {
  const base = { MASTER_KEY: Buffer.alloc(32, 7).toString('base64') };

  test('WEBAUTHN_RP_ID defaults to the host of PUBLIC_BASE_URL and WEBAUTHN_ORIGINS to its origin', () => {
    const config = loadConfig({ ...base, PUBLIC_BASE_URL: 'https://stepup.bank.example/' }, [webauthnModule]);
    assert.deepEqual(webauthnSettings(config).relyingParty, { rpId: 'stepup.bank.example', origins: ['https://stepup.bank.example'] });
    const local = loadConfig({ ...base, PUBLIC_BASE_URL: 'http://localhost:8080' }, [webauthnModule]);
    assert.deepEqual(webauthnSettings(local).relyingParty, { rpId: 'localhost', origins: ['http://localhost:8080'] });
    const parent = loadConfig({ ...base, PUBLIC_BASE_URL: 'https://stepup.bank.example', WEBAUTHN_RP_ID: 'bank.example', WEBAUTHN_ORIGINS: 'https://stepup.bank.example,https://www.bank.example' }, [webauthnModule]);
    assert.deepEqual(webauthnSettings(parent).relyingParty, { rpId: 'bank.example', origins: ['https://stepup.bank.example', 'https://www.bank.example'] });
  });

  test('an IP address as WEBAUTHN_RP_ID is refused at start-up with a clear message', () => {
    for (const rpId of ['127.0.0.1', '::1', '10.0.0.5']) {
      assert.throws(
        () => loadConfig({ ...base, PUBLIC_BASE_URL: 'http://localhost:8080', WEBAUTHN_RP_ID: rpId }, [webauthnModule]),
        (error: unknown) => error instanceof ConfigError && /WEBAUTHN_RP_ID: .*IP address.*must be a domain/.test(error.message),
      );
    }
  });

  test('origins must be https (http only on localhost) and on the RP ID', () => {
    assert.throws(() => loadConfig({ ...base, PUBLIC_BASE_URL: 'https://stepup.bank.example', WEBAUTHN_ORIGINS: 'http://stepup.bank.example' }, [webauthnModule]), /must be https/);
    assert.throws(() => loadConfig({ ...base, PUBLIC_BASE_URL: 'https://stepup.bank.example', WEBAUTHN_ORIGINS: 'https://evil.example' }, [webauthnModule]), /not on the RP ID/);
    assert.throws(() => loadConfig({ ...base, PUBLIC_BASE_URL: 'https://stepup.bank.example', WEBAUTHN_RP_ID: 'bad_domain!' }, [webauthnModule]), /not a domain name/);
  });

  test('PUBLIC_BASE_URL on an IP address: passkeys are unavailable (503 for links, challenges skip the channel), the rest runs', async () => {
    const server = await startTestServer();
    try {
      assert.ok('unavailable' in webauthnSettings(server.config).relyingParty);
      const { client } = await server.createTenant();
      const link = await client.request<any>('POST', '/v1/customers/cust-ip/webauthn/registration-links', { locale: 'en-US' });
      assert.equal(link.status, 503);
      assert.match(link.body.detail, /IP address/);
      const challenge = await client.createChallenge<any>(transferBody({ channels: ['webauthn'] }));
      assert.equal(challenge.body.status, 'failed');
      assert.deepEqual(challenge.body.result.details.unavailable, [{ channel: 'webauthn', reason: 'channel_not_available' }]);
    } finally {
      await server.close();
    }
  });
});
