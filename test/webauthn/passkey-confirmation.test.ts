// test: slow, about 23 s
// Confirming a webauthn challenge on stepup's page (docs/webauthn-channel.md): the page shows the
// real transaction, the assertion is bound to it (SHA-256(nonce || transactionHash)), and every
// tamper case is refused: another challenge's assertion, replay, no user verification, a cloned
// authenticator, another customer's or tenant's credential, wrong origin or RP ID, too many
// failures, "This wasn't me", and anything after the challenge ended.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import type { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { createPasskeyChallenge, getPage, newAuthenticator, postPage, registerPasskey, startWebAuthnServer, type WebAuthnTestServer } from './webauthn-support.ts';

for (const db of dbKinds) {
  describe(`passkey confirmation (${db})`, () => {
    let server: WebAuthnTestServer;
    before(async () => {
      server = await startWebAuthnServer({ db });
    });
    after(() => server.close());

    /** A tenant with `customerId` enrolled on a fresh software authenticator. */
    async function enrolled(customerId: string, tenantInput: Record<string, unknown> = {}) {
      const bank = await server.bank(tenantInput);
      const authenticator = newAuthenticator(server);
      const credentialId = await registerPasskey(server, bank.client, customerId, authenticator);
      return { ...bank, authenticator, credentialId };
    }

    async function assertFor(url: string, authenticator: SoftAuthenticator, overrides: Partial<Parameters<SoftAuthenticator['assert']>[0]> = {}) {
      const options = await postPage(server, url, '/options');
      assert.equal(options.status, 200, JSON.stringify(options.body));
      return authenticator.assert({ challenge: options.body.publicKey.challenge, ...overrides });
    }

    const auditActions = async (tenantId: string) => (await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}`)).body.entries as { action: string; data: any; subject: string }[];

    test('happy path: the page shows the real transaction; the passkey approves it (passkey_verified, receipt); the page is 410 after', async () => {
      const { client, tenantId, authenticator, credentialId } = await enrolled('cust-ok', { bankName: '스텝업은행' });
      const challenge = await createPasskeyChallenge(client, 'cust-ok', { account: '110-123-456789', amount: '3500000' });
      assert.equal(challenge.status, 'pending');
      assert.equal(challenge.channel, 'webauthn');
      assert.match(challenge.customerUrl, new RegExp(`^${server.publicBaseUrl}/c/webauthn/confirm/[A-Za-z0-9_-]{43}$`));
      assert.equal(challenge.transaction.payee.account, '***-***-456789', 'the bank API stays masked');

      const page = await getPage(server, challenge.customerUrl);
      assert.equal(page.status, 200);
      for (const shown of ['스텝업은행', '이체', '김철수', '신한은행', '110-123-456789', 'KRW', '3,500,000', '삼백오십만 원', '패스키로 승인', '본인이 아닙니다']) {
        assert.ok(page.html.includes(shown), `page shows ${shown}`);
      }
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.doesNotMatch(page.html, /<script>|<script [^>]*>[^<]|\son[a-z]+=/, 'no inline script or handler');
      assert.doesNotMatch(page.html, /https?:\/\//, 'no external asset');
      for (const asset of ['/c/webauthn/assets/simplewebauthn-browser.js', '/c/webauthn/assets/confirm.js', '/c/webauthn/assets/page-common.js', '/c/webauthn/assets/page.css']) {
        assert.ok(page.html.includes(asset), asset);
        const served = await fetch(server.url + asset);
        assert.equal(served.status, 200, asset);
      }

      const options = await postPage(server, challenge.customerUrl, '/options');
      assert.equal(options.body.publicKey.rpId, 'localhost');
      assert.equal(options.body.publicKey.userVerification, 'required');
      assert.deepEqual(options.body.publicKey.allowCredentials.map((c: any) => c.id), [credentialId]);
      assert.equal(options.body.payment, null, 'no payment-capable credential');
      const verified = await postPage(server, challenge.customerUrl, '/verify', { response: authenticator.assert({ challenge: options.body.publicKey.challenge }) });
      assert.equal(verified.status, 200, JSON.stringify(verified.body));
      assert.equal(verified.body.status, 'approved');

      const stored = (await client.getChallenge<any>(challenge.id)).body;
      assert.equal(stored.status, 'approved');
      assert.equal(stored.result.channel, 'webauthn');
      assert.equal(stored.result.reason, 'passkey_verified');
      assert.ok(stored.result.receipt);
      const listed = await client.request<any[]>('GET', '/v1/customers/cust-ok/webauthn/credentials');
      assert.ok(listed.body[0].lastUsedAt);

      assert.equal((await getPage(server, challenge.customerUrl)).status, 410);
      for (const action of ['/options', '/verify', '/reject']) {
        const after = await postPage(server, challenge.customerUrl, action, action === '/verify' ? { response: authenticator.assert({ challenge: options.body.publicKey.challenge }) } : {});
        assert.equal(after.status, 410, action);
        assert.equal(after.body.code, 'challenge_gone', action);
      }
      const actions = (await auditActions(tenantId)).map((entry) => entry.action);
      assert.ok(actions.includes('webauthn.assertion_accepted') && actions.includes('challenge.approved'), JSON.stringify(actions));
    });

    test('tampered transaction: an assertion made for one challenge never approves another (payee swapped)', async () => {
      const { client, tenantId, authenticator } = await enrolled('cust-swap');
      // The customer confirms the transfer they meant; memory hacking sent the bank a swapped payee.
      const meant = await createPasskeyChallenge(client, 'cust-swap', { account: '110-123-456789' });
      const swapped = await createPasskeyChallenge(client, 'cust-swap', { account: '999-888-777777', payeeName: '공격자' });
      const forMeant = await assertFor(meant.customerUrl, authenticator);
      await postPage(server, swapped.customerUrl, '/options');
      const refused = await postPage(server, swapped.customerUrl, '/verify', { response: forMeant });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.code, 'passkey_rejected');
      assert.equal(refused.body.attemptsRemaining, 2);
      assert.equal((await client.getChallenge<any>(swapped.id)).body.status, 'pending');
      const entry = (await auditActions(tenantId)).find((e) => e.action === 'webauthn.assertion_refused' && e.subject === swapped.id);
      assert.equal(entry?.data.reason, 'challenge_mismatch');
      // The swapped page shows the real payee and account: what the customer would see.
      const page = await getPage(server, swapped.customerUrl);
      assert.ok(page.html.includes('999-888-777777') && page.html.includes('공격자'));
    });

    test('replay: an assertion is checked once (its nonce is spent), and a fresh options call kills the previous one', async () => {
      const { client, authenticator } = await enrolled('cust-replay');
      const challenge = await createPasskeyChallenge(client, 'cust-replay');
      const stale = await assertFor(challenge.customerUrl, authenticator);
      const fresh = await assertFor(challenge.customerUrl, authenticator);
      const refused = await postPage(server, challenge.customerUrl, '/verify', { response: stale });
      assert.equal(refused.status, 422, 'the nonce was replaced by the second options call');
      // The fresh assertion's nonce was spent by the refused attempt: it is dead too.
      const replayed = await postPage(server, challenge.customerUrl, '/verify', { response: fresh });
      assert.equal(replayed.status, 422);
      const approved = await postPage(server, challenge.customerUrl, '/verify', { response: await assertFor(challenge.customerUrl, authenticator) });
      assert.equal(approved.body.status, 'approved');
      // The accepted assertion replayed on the next transfer: refused.
      const accepted = await assertFor((await createPasskeyChallenge(client, 'cust-replay')).customerUrl, authenticator);
      const next = await createPasskeyChallenge(client, 'cust-replay');
      await postPage(server, next.customerUrl, '/options');
      assert.equal((await postPage(server, next.customerUrl, '/verify', { response: accepted })).status, 422);
    });

    test('user verification absent while the policy requires it: refused', async () => {
      const { client, tenantId, authenticator } = await enrolled('cust-uv');
      const challenge = await createPasskeyChallenge(client, 'cust-uv');
      const refused = await postPage(server, challenge.customerUrl, '/verify', { response: await assertFor(challenge.customerUrl, authenticator, { userVerified: false }) });
      assert.equal(refused.status, 422);
      const entry = (await auditActions(tenantId)).find((e) => e.action === 'webauthn.assertion_refused' && e.subject === challenge.id);
      assert.equal(entry?.data.reason, 'user_not_verified');
    });

    test('a signature counter that goes backwards: denied authenticator_cloned, audited', async () => {
      const { client, tenantId, authenticator, credentialId } = await enrolled('cust-clone');
      const first = await createPasskeyChallenge(client, 'cust-clone');
      assert.equal((await postPage(server, first.customerUrl, '/verify', { response: await assertFor(first.customerUrl, authenticator, { signCount: 5 }) })).body.status, 'approved');
      const second = await createPasskeyChallenge(client, 'cust-clone');
      const cloned = await postPage(server, second.customerUrl, '/verify', { response: await assertFor(second.customerUrl, authenticator, { signCount: 3 }) });
      assert.equal(cloned.status, 200);
      assert.equal(cloned.body.status, 'denied');
      const stored = (await client.getChallenge<any>(second.id)).body;
      assert.equal(stored.result.reason, 'authenticator_cloned');
      const entry = (await auditActions(tenantId)).find((e) => e.action === 'webauthn.authenticator_cloned');
      assert.equal(entry?.data.credentialId, credentialId);
    });

    test("another customer's credential (same tenant) and another tenant's credential: refused", async () => {
      const bank = await enrolled('cust-victim');
      const mallory = newAuthenticator(server);
      await registerPasskey(server, bank.client, 'cust-mallory', mallory);
      const challenge = await createPasskeyChallenge(bank.client, 'cust-victim');
      const byOtherCustomer = await postPage(server, challenge.customerUrl, '/verify', { response: await assertFor(challenge.customerUrl, mallory) });
      assert.equal(byOtherCustomer.status, 422);

      // The same customer id in another tenant, with its own passkey.
      const otherTenant = newAuthenticator(server);
      const other = await server.bank();
      await registerPasskey(server, other.client, 'cust-victim', otherTenant);
      const byOtherTenant = await postPage(server, challenge.customerUrl, '/verify', { response: await assertFor(challenge.customerUrl, otherTenant) });
      assert.equal(byOtherTenant.status, 422);
      const reasons = (await auditActions(bank.tenantId)).filter((e) => e.action === 'webauthn.assertion_refused' && e.subject === challenge.id).map((e) => e.data.reason);
      assert.deepEqual(reasons, ['unknown_credential', 'unknown_credential']);
      // The other tenant's challenge of the same id is not reachable from here either.
      assert.equal((await other.client.getChallenge<any>(challenge.id)).status, 404);
    });

    test('wrong origin and wrong RP ID: refused; the third failure denies too_many_failures', async () => {
      const { client, tenantId, authenticator } = await enrolled('cust-phish');
      const challenge = await createPasskeyChallenge(client, 'cust-phish');
      const phished = await postPage(server, challenge.customerUrl, '/verify', { response: await assertFor(challenge.customerUrl, authenticator, { origin: 'https://stepup-login.example' }) });
      assert.equal(phished.status, 422);
      assert.equal(phished.body.attemptsRemaining, 2);
      const wrongRp = await postPage(server, challenge.customerUrl, '/verify', { response: await assertFor(challenge.customerUrl, authenticator, { rpId: 'stepup-login.example' }) });
      assert.equal(wrongRp.body.attemptsRemaining, 1);
      const third = await postPage(server, challenge.customerUrl, '/verify', { response: await assertFor(challenge.customerUrl, authenticator, { type: 'webauthn.create' }) });
      assert.equal(third.status, 422);
      assert.equal(third.body.attemptsRemaining, 0);
      assert.equal(third.body.challengeStatus, 'denied');
      const stored = (await client.getChallenge<any>(challenge.id)).body;
      assert.equal(stored.result.reason, 'too_many_failures');
      const reasons = (await auditActions(tenantId)).filter((e) => e.action === 'webauthn.assertion_refused' && e.subject === challenge.id).map((e) => e.data.reason);
      assert.deepEqual(reasons.sort(), ['origin_mismatch', 'rp_id_mismatch', 'wrong_type']);
    });

    test('maxFailures comes from the policy (channels.webauthn.maxFailures)', async () => {
      const { client, tenantId, authenticator } = await enrolled('cust-policy');
      const current = await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`);
      assert.equal(current.status, 200, JSON.stringify(current.body));
      assert.equal(current.body.document.channels.webauthn.maxFailures, 3);
      const document = structuredClone(current.body.document);
      document.channels.webauthn.maxFailures = 1;
      const updated = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/policy`, document, { 'if-match': current.headers.get('etag')! });
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      const challenge = await createPasskeyChallenge(client, 'cust-policy');
      const refused = await postPage(server, challenge.customerUrl, '/verify', { response: await assertFor(challenge.customerUrl, authenticator, { origin: 'https://evil.example' }) });
      assert.equal(refused.body.challengeStatus, 'denied');
    });

    test("“This wasn't me”: denied customer_rejected with fraudReported", async () => {
      const { client } = await enrolled('cust-fraud');
      const challenge = await createPasskeyChallenge(client, 'cust-fraud');
      const rejected = await postPage(server, challenge.customerUrl, '/reject');
      assert.equal(rejected.status, 200);
      assert.equal(rejected.body.status, 'denied');
      const stored = (await client.getChallenge<any>(challenge.id)).body;
      assert.equal(stored.result.reason, 'customer_rejected');
      assert.equal(stored.result.fraudReported, true);
      assert.equal((await getPage(server, challenge.customerUrl)).status, 410);
    });

    test('410 after the bank cancels; an unknown page is 404', async () => {
      const { client, authenticator } = await enrolled('cust-cancel');
      const challenge = await createPasskeyChallenge(client, 'cust-cancel');
      const assertion = await assertFor(challenge.customerUrl, authenticator);
      assert.equal((await client.cancelChallenge<any>(challenge.id)).body.status, 'canceled');
      assert.equal((await getPage(server, challenge.customerUrl)).status, 410);
      assert.equal((await postPage(server, challenge.customerUrl, '/verify', { response: assertion })).status, 410);
      assert.equal((await getPage(server, `${server.publicBaseUrl}/c/webauthn/confirm/${'B'.repeat(43)}`)).status, 404);
    });

    test('a customer without a passkey is not eligible (not_enrolled)', async () => {
      const { client } = await server.bank();
      const challenge = await client.createChallenge<any>({ ...(await import('./webauthn-support.ts')).passkeyTransfer('cust-none') });
      assert.equal(challenge.body.status, 'failed');
      assert.deepEqual(challenge.body.result.details.unavailable, [{ channel: 'webauthn', reason: 'not_enrolled' }]);
    });

    test('Secure Payment Confirmation: payment.get with the transaction’s payee and amount approves; a tampered amount or payee is refused', async () => {
      const bank = await server.bank({ bankName: 'Stepup Bank' });
      const authenticator = newAuthenticator(server);
      await registerPasskey(server, bank.client, 'cust-spc', authenticator, { payment: true });
      const paymentData = (options: any, overrides: Record<string, unknown> = {}) => ({
        rpId: 'localhost',
        topOrigin: server.publicBaseUrl,
        payeeName: options.payment.payeeName,
        total: { currency: options.payment.total.currency, value: options.payment.total.value },
        instrument: { displayName: 'Stepup Bank', icon: `${server.publicBaseUrl}/c/webauthn/assets/instrument.png` },
        ...overrides,
      });
      const challenge = await createPasskeyChallenge(bank.client, 'cust-spc', { amount: '3500000', payeeName: '김철수', locale: 'en-US' });
      const spcOptions = async () => (await postPage(server, challenge.customerUrl, '/options')).body;

      let options = await spcOptions();
      assert.deepEqual(options.payment.total, { currency: 'KRW', value: '3500000' });
      assert.equal(options.payment.payeeName, '김철수');
      const tamperedAmount = authenticator.assert({ challenge: options.publicKey.challenge, type: 'payment.get', payment: paymentData(options, { total: { currency: 'KRW', value: '35000' } }) });
      const amountRefused = await postPage(server, challenge.customerUrl, '/verify', { response: tamperedAmount });
      assert.equal(amountRefused.status, 422);

      options = await spcOptions();
      const tamperedPayee = authenticator.assert({ challenge: options.publicKey.challenge, type: 'payment.get', payment: paymentData(options, { payeeName: '공격자' }) });
      assert.equal((await postPage(server, challenge.customerUrl, '/verify', { response: tamperedPayee })).status, 422);

      options = await spcOptions();
      const genuine = authenticator.assert({ challenge: options.publicKey.challenge, type: 'payment.get', payment: paymentData(options) });
      const approved = await postPage(server, challenge.customerUrl, '/verify', { response: genuine });
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      assert.equal(approved.body.status, 'approved');
      const entries = await auditActions(bank.tenantId);
      const reasons = entries.filter((e) => e.action === 'webauthn.assertion_refused' && e.subject === challenge.id).map((e) => e.data.reason);
      assert.deepEqual(reasons, ['payment_data_mismatch', 'payment_data_mismatch']);
      assert.equal(entries.find((e) => e.action === 'webauthn.assertion_accepted' && e.subject === challenge.id)?.data.securePaymentConfirmation, true);
    });

    test('payment.get is refused for a transaction without payee and amount (no payment data to match)', async () => {
      const { client, authenticator } = await enrolled('cust-cert');
      const created = await client.createChallenge<any>({ customerId: 'cust-cert', transaction: { reference: 'TX-CERT-1', type: 'certificate_reissue' }, channels: ['webauthn'] });
      assert.equal(created.body.status, 'pending', JSON.stringify(created.body));
      const options = (await postPage(server, created.body.customerUrl, '/options')).body;
      assert.equal(options.payment, null);
      const spc = authenticator.assert({ challenge: options.publicKey.challenge, type: 'payment.get', payment: { rpId: 'localhost', topOrigin: server.publicBaseUrl, payeeName: 'x', total: { currency: 'KRW', value: '1' } } });
      assert.equal((await postPage(server, created.body.customerUrl, '/verify', { response: spc })).status, 422);
    });
  });
}
