// Token routes (docs/otp-channel.md otp-tokens): import, generation with a one-time otpauth URI and QR code,
// list without seeds, delete, refusals, tenant isolation; TOTP provisioning round trip.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateSync, ScureBase32Plugin } from 'otplib';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { standardKey20 } from '../otp/rfc-keys.ts';
import { createOtpChallenge, hex, importToken, payeeOnlyTenant } from './otp-support.ts';

const base32 = new ScureBase32Plugin();

for (const db of dbKinds) {
  describe(`OTP tokens (${db})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db });
    });
    after(() => server.close());

    test('import: 201 with the docs/otp-channel.md fields, no seed; the customer is recorded', async () => {
      const { client, tenantId } = await payeeOnlyTenant(server);
      const created = await client.createOtpToken<any>('cust-imp', { type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', secretHex: hex(standardKey20), label: 'OTP card 1' });
      assert.equal(created.status, 201);
      assert.match(created.body.id, /^tok_/);
      assert.equal(created.body.type, 'ocra');
      assert.equal(created.body.suite, 'OCRA-1:HOTP-SHA1-6:C-QN08');
      assert.equal(created.body.label, 'OTP card 1');
      assert.equal(created.body.locked, false);
      assert.equal(created.body.otpauthUri, undefined, 'an imported seed is never echoed');
      assert.ok(!JSON.stringify(created.body).includes(hex(standardKey20)));
      const customers = await server.running.context.db.query(`SELECT customer_id FROM customers WHERE tenant_id = $1`, [tenantId]);
      assert.deepEqual(customers.rows, [{ customer_id: 'cust-imp' }]);
      // The seed is stored envelope-encrypted, not as hex or raw bytes.
      const stored = await server.running.context.db.query<{ seed_enc: string }>(`SELECT seed_enc FROM otp_tokens WHERE id = $1`, [created.body.id]);
      assert.match(stored.rows[0]!.seed_enc, /^v1\./);
      assert.ok(!stored.rows[0]!.seed_enc.includes(hex(standardKey20)));
    });

    test('generate (OCRA): the seed comes back once as an otpauth URI and a QR code, 160+ bits', async () => {
      const { client } = await payeeOnlyTenant(server, { bankName: 'Example Bank' });
      const created = await client.createOtpToken<any>('cust-gen', { type: 'ocra', suite: 'OCRA-1:HOTP-SHA256-8:C-QN08' });
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('cache-control'), 'no-store');
      const uri = new URL(created.body.otpauthUri);
      assert.equal(uri.protocol, 'otpauth:');
      assert.equal(uri.host, 'ocra');
      assert.equal(uri.searchParams.get('ocrasuite'), 'OCRA-1:HOTP-SHA256-8:C-QN08');
      assert.equal(uri.searchParams.get('counter'), '0');
      assert.equal(uri.searchParams.get('issuer'), 'Example Bank');
      assert.equal(base32.decode(uri.searchParams.get('secret')!).length, 32, 'SHA-256 suites get 256-bit seeds');
      assert.match(created.body.qrCodeDataUrl, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
      const listed = await client.listOtpTokens<any>('cust-gen');
      assert.equal(listed.status, 200);
      assert.equal(listed.body.tokens.length, 1);
      assert.ok(!JSON.stringify(listed.body).includes(uri.searchParams.get('secret')!));
      assert.equal(listed.body.tokens[0].otpauthUri, undefined);
    });

    test('TOTP provisioning round trip: parse the otpauth URI, compute with otplib, approve; the code is accepted once', async () => {
      const { client } = await payeeOnlyTenant(server);
      const created = await client.createOtpToken<any>('cust-totp', { type: 'totp', algorithm: 'sha256', digits: 8, period: 30 });
      assert.equal(created.status, 201);
      assert.deepEqual([created.body.type, created.body.algorithm, created.body.digits, created.body.period], ['totp', 'sha256', 8, 30]);
      const uri = new URL(created.body.otpauthUri);
      assert.equal(uri.host, 'totp');
      assert.equal(uri.searchParams.get('algorithm'), 'SHA256');
      assert.equal(uri.searchParams.get('digits'), '8');
      const secret = base32.decode(uri.searchParams.get('secret')!);
      assert.ok(secret.length >= 20);

      // A certificate re-issue has no payee: only a TOTP token can answer it.
      const challenge = await client.createChallenge<any>({ customerId: 'cust-totp', transaction: { reference: 'CERT-1', type: 'certificate_reissue' }, channels: ['otp'] });
      assert.equal(challenge.body.status, 'pending');
      assert.deepEqual(challenge.body.channelDetails, { tokenId: created.body.id, type: 'totp', digits: 8 });
      const code = generateSync({ strategy: 'totp', secret, algorithm: 'sha256', digits: 8, period: 30 });
      const approved = await client.submitOtp<any>(challenge.body.id, code);
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      assert.equal(approved.body.status, 'approved');

      // RFC 6238 §5.2: the same code (same time step) never approves a second challenge.
      const again = await client.createChallenge<any>({ customerId: 'cust-totp', transaction: { reference: 'CERT-2', type: 'certificate_reissue' }, channels: ['otp'] });
      const replay = await client.submitOtp<any>(again.body.id, code);
      assert.equal(replay.status, 422);
      assert.equal(replay.body.code, 'invalid_code');
      assert.equal(replay.body.attemptsRemaining, 4);
    });

    test('refusals: PIN and session suites, amount derivation on short questions, bad input', async () => {
      const { client } = await payeeOnlyTenant(server);
      const refuse = async (body: Record<string, unknown>, status: number, code: string) => {
        const response = await client.createOtpToken<any>('cust-ref', body);
        assert.equal(response.status, status, JSON.stringify(body));
        assert.equal(response.body.code, code, JSON.stringify(response.body));
      };
      const key = hex(standardKey20);
      await refuse({ type: 'ocra', suite: 'OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', secretHex: key }, 422, 'unsupported_suite');
      await refuse({ type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:QN08-S064', secretHex: key }, 422, 'unsupported_suite');
      await refuse({ type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', secretHex: key, questionDerivation: 'payee_account_amount' }, 422, 'unsupported_suite');
      await refuse({ type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:QN08', secretHex: key }, 422, 'unsupported_suite');
      await refuse({ type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:QN08-T1M', secretHex: key, counter: 3 }, 400, 'validation_failed');
      await refuse({ type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:QN3', secretHex: key }, 400, 'validation_failed');
      await refuse({ type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', secretHex: 'abcd' }, 400, 'validation_failed');
      await refuse({ type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', secretHex: key, pin: '1234' }, 400, 'validation_failed');
      await refuse({ type: 'totp', digits: 9 }, 400, 'validation_failed');
      await refuse({ type: 'totp', label: 'a:b' }, 400, 'validation_failed');
      await refuse({ type: 'hotp' }, 400, 'validation_failed');
      assert.deepEqual((await client.listOtpTokens<any>('cust-ref')).body, { tokens: [] });
    });

    test('delete: 204, then 404; another tenant sees and deletes nothing', async () => {
      const bank = await payeeOnlyTenant(server);
      const other = await payeeOnlyTenant(server);
      const token = await importToken(bank.client, 'cust-del', { type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', secretHex: hex(standardKey20) });
      assert.deepEqual((await other.client.listOtpTokens<any>('cust-del')).body, { tokens: [] });
      assert.equal((await other.client.deleteOtpToken<any>('cust-del', token.id)).status, 404);
      assert.equal((await bank.client.deleteOtpToken<any>('cust-other', token.id)).status, 404);
      assert.equal((await bank.client.deleteOtpToken<any>('cust-del', token.id)).status, 204);
      assert.equal((await bank.client.deleteOtpToken<any>('cust-del', token.id)).status, 404);
      assert.deepEqual((await bank.client.listOtpTokens<any>('cust-del')).body, { tokens: [] });
      // Without a token the customer is not eligible for OTP.
      const challenge = await createOtpChallenge(bank.client, 'cust-del', '110-123-456789');
      assert.equal(challenge.status, 'failed');
      assert.equal(challenge.result.reason, 'no_eligible_channel');
      const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${bank.tenantId}`);
      const actions = audit.body.entries.map((entry: any) => entry.action);
      assert.ok(actions.includes('otp.token_imported') && actions.includes('otp.token_deleted'), JSON.stringify(actions));
    });
  });
}
