// Security finding 6: an OCRA suite with neither counter (C) nor time step (T) answers a payee with
// one fixed code, which is burned after one use: the next transfer to that payee could never be
// approved. Such suites are refused at import (docs/otp-channel.md "Supported suites"); a counter
// suite approves any number of transfers to the same payee.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateOcra } from '../../src/channels/otp/ocra.ts';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { standardKey20, standardKey32 } from '../otp/rfc-keys.ts';
import { createOtpChallenge, hex, importToken, payeeOnlyTenant } from './otp-support.ts';

for (const db of dbKinds) {
  describe(`OCRA suites without counter or time step (${db})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db });
    });
    after(() => server.close());

    test('refused at import with 422 unsupported_suite, whatever the question format', async () => {
      const { client } = await payeeOnlyTenant(server);
      for (const suite of ['OCRA-1:HOTP-SHA1-6:QN08', 'OCRA-1:HOTP-SHA256-8:QA08', 'OCRA-1:HOTP-SHA256-8:QH08', 'OCRA-1:HOTP-SHA512-8:QN16']) {
        const refused = await client.createOtpToken<any>('cust-static', { type: 'ocra', suite, secretHex: hex(standardKey32) });
        assert.equal(refused.status, 422, suite);
        assert.equal(refused.body.code, 'unsupported_suite');
        assert.match(refused.body.detail, /counter \(C\) or a time step \(T\)/);
      }
      assert.deepEqual((await client.listOtpTokens<any>('cust-static')).body, { tokens: [] });
    });

    test('two transfers to the same payee: a counter suite approves both, a time suite is accepted', async () => {
      const { client } = await payeeOnlyTenant(server);
      const suite = 'OCRA-1:HOTP-SHA1-6:C-QN08';
      await importToken(client, 'cust-repeat', { type: 'ocra', suite, secretHex: hex(standardKey20) });
      const account = '110-123-456789';
      for (const counter of [0, 1]) {
        const challenge = await createOtpChallenge(client, 'cust-repeat', account);
        assert.equal(challenge.channelDetails.question, '23456789');
        const code = generateOcra({ suite, key: standardKey20, question: '23456789', counter });
        const answered = await client.submitOtp<any>(challenge.id, code);
        assert.equal(answered.status, 200, `transfer ${counter + 1}: ${JSON.stringify(answered.body)}`);
        assert.equal(answered.body.status, 'approved');
      }
      const timed = await client.createOtpToken<any>('cust-repeat-t', { type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:QN08-T1M', secretHex: hex(standardKey20) });
      assert.equal(timed.status, 201);
    });
  });
}
