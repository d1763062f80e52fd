// RFC 6287 Appendix C one-way vectors (C.1) imported as tokens and answered through real challenges
// over the signed HTTP API. The payee account is chosen so that the docs/otp-channel.md question is the
// vector's question. C.1's QN08 suite (no counter, no time step) is refused at import and runs as a
// token stored before that refusal; its PSHA1 suites are refused (the server holds no PIN), its T1M
// suite is bound to a fixed past time, and C.2/C.3 questions are not account digits: those
// vectors run through the core (test/otp/ocra-rfc6287-vectors.test.ts).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { OtpTokenStore } from '../../src/channels/otp/otp-token-store.ts';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { standardKey20, standardKey64 } from '../otp/rfc-keys.ts';
import { createOtpChallenge, hex, importToken, payeeOnlyTenant } from './otp-support.ts';

for (const db of dbKinds) {
  describe(`RFC 6287 Appendix C through challenges (${db})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db });
    });
    after(() => server.close());

    test('C.1 OCRA-1:HOTP-SHA1-6:QN08: refused at import; a token stored before that still answers every vector', async () => {
      const { client, tenantId } = await payeeOnlyTenant(server);
      // Neither counter nor time step: refused since security finding 6 (otp-suite-freshness.test.ts).
      const refused = await client.createOtpToken<any>('cust-qn08', { type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:QN08', secretHex: hex(standardKey20) });
      assert.deepEqual([refused.status, refused.body.code], [422, 'unsupported_suite']);
      // A token imported before the refusal existed: written by the token store itself, as the import did.
      const context = server.running.context;
      const id = `tok_legacy${randomBytes(6).toString('hex')}`;
      await new OtpTokenStore(context.envelope).insert(
        context.db,
        { id, tenantId, customerId: 'cust-qn08', type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:QN08', questionDerivation: 'payee_account', counter: null, label: null },
        Buffer.from(standardKey20),
      );
      const token = (await client.listOtpTokens<any>('cust-qn08')).body.tokens[0];
      assert.deepEqual(Object.keys(token).sort(), ['binds', 'createdAt', 'id', 'label', 'lastUsedAt', 'locked', 'lockedAt', 'questionDerivation', 'suite', 'type']);
      const vectors: [string, string][] = [
        ['00000000', '237653'], ['11111111', '243178'], ['22222222', '653583'], ['33333333', '740991'], ['44444444', '608993'],
        ['55555555', '388898'], ['66666666', '816933'], ['77777777', '224598'], ['88888888', '750600'], ['99999999', '294470'],
      ];
      for (const [question, code] of vectors) {
        // A 12-digit account whose last 8 digits are the question.
        const challenge = await createOtpChallenge(client, 'cust-qn08', `110-9${question.slice(0, 2)}-${question.slice(2)}`);
        assert.equal(challenge.status, 'pending');
        assert.equal(challenge.channel, 'otp');
        assert.deepEqual(challenge.channelDetails, { tokenId: token.id, type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:QN08', questionDerivation: 'payee_account', question });
        const answered = await client.submitOtp<any>(challenge.id, code);
        assert.equal(answered.status, 200, JSON.stringify(answered.body));
        assert.equal(answered.body.status, 'approved');
        assert.equal(answered.body.result.reason, 'otp_verified');
        assert.equal(answered.body.result.channel, 'otp');
      }
    });

    test('C.1 OCRA-1:HOTP-SHA512-8:C-QN08: counters 0–9 in order, then a skipped counter within the look-ahead', async () => {
      const { client } = await payeeOnlyTenant(server);
      await importToken(client, 'cust-c', { type: 'ocra', suite: 'OCRA-1:HOTP-SHA512-8:C-QN08', secretHex: hex(standardKey64) });
      const vectors: [string, string][] = [
        ['00000000', '07016083'], ['11111111', '63947962'], ['22222222', '70123924'], ['33333333', '25341727'], ['44444444', '33203315'],
        ['55555555', '34205738'], ['66666666', '44343969'], ['77777777', '51946085'], ['88888888', '20403879'], ['99999999', '31409299'],
      ];
      for (const [question, code] of vectors.slice(0, 5)) {
        const challenge = await createOtpChallenge(client, 'cust-c', `0-${question}`);
        const answered = await client.submitOtp<any>(challenge.id, code);
        assert.equal(answered.body.status, 'approved', `C for Q=${question}`);
      }
      // The token pressed twice without sending (counters 5 and 6 unused): counter 7 is inside the
      // look-ahead window and approves; the stored counter then moves past it.
      const skipped = await createOtpChallenge(client, 'cust-c', '0-77777777');
      assert.equal((await client.submitOtp<any>(skipped.id, '51946085')).body.status, 'approved');
      // Counter 5's code is now behind the stored counter: refused.
      const behind = await createOtpChallenge(client, 'cust-c', '0-55555555');
      const refused = await client.submitOtp<any>(behind.id, '34205738');
      assert.equal(refused.status, 422);
      assert.equal(refused.body.code, 'invalid_code');
      for (const [question, code] of vectors.slice(8)) {
        const challenge = await createOtpChallenge(client, 'cust-c', `0-${question}`);
        assert.equal((await client.submitOtp<any>(challenge.id, code)).body.status, 'approved', `C for Q=${question}`);
      }
    });
  });
}
