// The OTP channel in the challenge flow (docs/otp-channel.md POST /v1/challenges/{id}/otp, §10): payee swap,
// replay, attempts per challenge and per token, lockout and unlock, errors, channel details.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateOcra } from '../../src/channels/otp/ocra.ts';
import { deriveOcraQuestion } from '../../src/channels/otp/ocra-question.ts';
import { otpModule } from '../../src/channels/otp/otp-module.ts';
import { dbKinds } from '../support/databases.ts';
import { ManualChannel } from '../support/manual-channel.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { standardKey20, standardKey32, standardKey64 } from '../otp/rfc-keys.ts';
import { createOtpChallenge, hex, importToken, otpTransfer, payeeOnlyTenant } from './otp-support.ts';

// A counter suite: suites with neither counter nor time step are refused at import (otp-suite-freshness.test.ts).
const QN08 = 'OCRA-1:HOTP-SHA1-6:C-QN08';
/** The code the customer's token shows for the account they typed in (docs/otp-channel.md derivation), at `counter`. */
const codeFor = (account: string, counter = 0, suite = QN08, key = standardKey20) => {
  const derived = deriveOcraQuestion({ suite, derivation: 'payee_account', payeeAccount: account });
  assert.ok(derived.ok);
  return generateOcra({ suite, key, question: derived.question, counter });
};
const wrongCode = (right: string) => (right === '000000' ? '111111' : '000000');

for (const db of dbKinds) {
  describe(`OTP channel in challenges (${db})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db, channels: [new ManualChannel('ars', new Set(['cust-ars']))] });
    });
    after(() => server.close());

    test('a payee swapped after the customer saw the transfer: the code for the intended account fails', async () => {
      const { client } = await payeeOnlyTenant(server);
      await importToken(client, 'cust-swap', { type: 'ocra', suite: QN08, secretHex: hex(standardKey20) });
      const intended = '110-123-456789';
      const swapped = '110-987-654321';
      // Memory hacking changed the payee on its way to the bank: the challenge is for the swapped
      // account, while the customer keys the account they meant into the token.
      const challenge = await createOtpChallenge(client, 'cust-swap', swapped);
      assert.equal(codeFor(intended), '048396', 'docs/otp-channel.md worked example');
      assert.equal(challenge.channelDetails.question, '87654321');
      const refused = await client.submitOtp<any>(challenge.id, codeFor(intended));
      assert.equal(refused.status, 422);
      assert.equal(refused.body.code, 'invalid_code');
      assert.equal(refused.body.attemptsRemaining, 4);
      // Nothing in the answer says which part was wrong.
      assert.deepEqual(Object.keys(refused.body).sort(), ['attemptsRemaining', 'code', 'detail', 'instance', 'status', 'title', 'type']);
      assert.equal((await client.getChallenge<any>(challenge.id)).body.status, 'pending');
      // The intended transfer (a fresh challenge for the real payee) is approved by the same code.
      const genuine = await createOtpChallenge(client, 'cust-swap', intended);
      assert.equal((await client.submitOtp<any>(genuine.id, codeFor(intended))).body.status, 'approved');
    });

    test('replay: an accepted code never approves again (same payee; the next press of the token does)', async () => {
      const { client } = await payeeOnlyTenant(server);
      await importToken(client, 'cust-replay', { type: 'ocra', suite: QN08, secretHex: hex(standardKey20) });
      const account = '333-22-1111111';
      const first = await createOtpChallenge(client, 'cust-replay', account);
      assert.equal((await client.submitOtp<any>(first.id, codeFor(account))).body.status, 'approved');
      // The same challenge again: it has ended.
      const again = await client.submitOtp<any>(first.id, codeFor(account));
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'challenge_not_pending');
      // A new challenge to the same payee: the same question, the same code — refused.
      const second = await createOtpChallenge(client, 'cust-replay', account);
      const replay = await client.submitOtp<any>(second.id, codeFor(account));
      assert.equal(replay.status, 422);
      assert.equal(replay.body.code, 'invalid_code');
      // The token's next counter value approves that same payee again.
      assert.equal((await client.submitOtp<any>(second.id, codeFor(account, 1))).body.status, 'approved');
    });

    test('time suite (T1M): two payees approved within one step; the same code for the same payee is refused', async () => {
      const { client } = await payeeOnlyTenant(server);
      const suite = 'OCRA-1:HOTP-SHA512-8:QN08-T1M';
      await importToken(client, 'cust-time', { type: 'ocra', suite, secretHex: hex(standardKey64) });
      const codeAt = (question: string) => generateOcra({ suite, key: standardKey64, question, timeStep: Math.floor(Date.now() / 60_000) });
      const used: string[] = [];
      for (const account of ['1-11111111', '1-22222222']) {
        const challenge = await createOtpChallenge(client, 'cust-time', account);
        used.push(codeAt(account.slice(2)));
        assert.equal((await client.submitOtp<any>(challenge.id, used.at(-1)!)).body.status, 'approved');
      }
      // The first code again, for the same payee, still inside its ±1 step window: refused.
      const again = await createOtpChallenge(client, 'cust-time', '1-11111111');
      const replay = await client.submitOtp<any>(again.id, used[0]!);
      assert.deepEqual([replay.status, replay.body.code], [422, 'invalid_code']);
    });

    test('attempts per challenge: 422 with attemptsRemaining, denied / too_many_failures at zero; the token locks; an admin unlocks it', async () => {
      const { client, tenantId } = await payeeOnlyTenant(server);
      const token = await importToken(client, 'cust-lock', { type: 'ocra', suite: QN08, secretHex: hex(standardKey20) });
      const account = '110-123-456789';
      const challenge = await createOtpChallenge(client, 'cust-lock', account);
      const wrong = wrongCode(codeFor(account));
      for (const remaining of [4, 3, 2, 1]) {
        const answer = await client.submitOtp<any>(challenge.id, wrong);
        assert.equal(answer.status, 422);
        assert.equal(answer.body.attemptsRemaining, remaining);
      }
      const last = await client.submitOtp<any>(challenge.id, wrong);
      assert.equal(last.status, 422);
      assert.equal(last.body.attemptsRemaining, 0);
      const ended = (await client.getChallenge<any>(challenge.id)).body;
      assert.equal(ended.status, 'denied');
      assert.equal(ended.result.reason, 'too_many_failures');
      // Even the right code is too late now.
      const late = await client.submitOtp<any>(challenge.id, codeFor(account));
      assert.equal(late.status, 409);
      assert.equal(late.body.code, 'challenge_not_pending');

      // Five consecutive failures locked the token: no OTP for this customer until unlocked.
      const listed = (await client.listOtpTokens<any>('cust-lock')).body.tokens;
      assert.equal(listed[0].locked, true);
      const context = server.running.context;
      assert.deepEqual(await otpModule.describeCustomer!(context, tenantId, 'cust-lock'), { otpTokens: listed });
      const blocked = await createOtpChallenge(client, 'cust-lock', account);
      assert.equal(blocked.status, 'failed');
      assert.equal(blocked.result.reason, 'no_eligible_channel');

      // An operator unlocks the customer through the admin API; nothing is left to unlock after.
      const unlocked = await server.admin('POST', `/admin/v1/tenants/${tenantId}/customers/cust-lock/unlock`);
      assert.equal(unlocked.status, 200);
      assert.deepEqual(unlocked.body.unlocked, [`otp:${token.id}`]);
      assert.deepEqual((await server.admin('POST', `/admin/v1/tenants/${tenantId}/customers/cust-lock/unlock`)).body.unlocked, []);
      const retry = await createOtpChallenge(client, 'cust-lock', account);
      assert.equal((await client.submitOtp<any>(retry.id, codeFor(account))).body.status, 'approved');

      const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&limit=500`);
      const actions = audit.body.entries.map((entry: any) => entry.action);
      assert.equal(actions.filter((action: string) => action === 'otp.code_rejected').length, 5);
      assert.equal(actions.filter((action: string) => action === 'otp.token_locked').length, 1);
      assert.equal(actions.filter((action: string) => action === 'otp.code_accepted').length, 1);
      assert.ok(actions.includes('customer.unlocked'), 'the unlock is audited');
    });

    test('failures count per token across challenges: the fifth consecutive one locks it and ends that challenge', async () => {
      const { client } = await payeeOnlyTenant(server);
      await importToken(client, 'cust-across', { type: 'ocra', suite: QN08, secretHex: hex(standardKey20) });
      const account = '110-123-456789';
      const wrong = wrongCode(codeFor(account));
      const first = await createOtpChallenge(client, 'cust-across', account);
      for (let i = 0; i < 3; i++) assert.equal((await client.submitOtp<any>(first.id, wrong)).status, 422);
      assert.equal((await client.cancelChallenge<any>(first.id)).body.status, 'canceled');
      const second = await createOtpChallenge(client, 'cust-across', account);
      assert.equal((await client.submitOtp<any>(second.id, wrong)).body.attemptsRemaining, 4);
      const locking = await client.submitOtp<any>(second.id, wrong);
      assert.equal(locking.status, 422);
      assert.equal(locking.body.attemptsRemaining, 0, 'the token locked: nothing left to try');
      const ended = (await client.getChallenge<any>(second.id)).body;
      assert.deepEqual([ended.status, ended.result.reason], ['denied', 'too_many_failures']);
    });

    test('a token locked by failures on another challenge fails the pending one (token_locked)', async () => {
      const { client } = await payeeOnlyTenant(server);
      await importToken(client, 'cust-two', { type: 'ocra', suite: QN08, secretHex: hex(standardKey20) });
      const account = '110-123-456789';
      const [a, b] = [await createOtpChallenge(client, 'cust-two', account), await createOtpChallenge(client, 'cust-two', account)];
      for (let i = 0; i < 5; i++) await client.submitOtp(a.id, wrongCode(codeFor(account)));
      assert.equal((await client.getChallenge<any>(a.id)).body.status, 'denied');
      const locked = await client.submitOtp<any>(b.id, codeFor(account));
      assert.deepEqual([locked.status, locked.body.code], [409, 'token_locked']);
      const ended = (await client.getChallenge<any>(b.id)).body;
      assert.deepEqual([ended.status, ended.result.reason], ['failed', 'token_locked']);
    });

    test('QA and QH suites answer challenges with the digit question, encoded per suite', async () => {
      const { client } = await payeeOnlyTenant(server);
      for (const suite of ['OCRA-1:HOTP-SHA256-8:C-QA08', 'OCRA-1:HOTP-SHA256-8:C-QH08']) {
        const customerId = `cust-${suite.slice(-4).toLowerCase()}`;
        await importToken(client, customerId, { type: 'ocra', suite, secretHex: hex(standardKey32) });
        const challenge = await createOtpChallenge(client, customerId, '12-34');
        // Four account digits, padded to eight; the padding zeros are part of a QA/QH question.
        const code = generateOcra({ suite, key: standardKey32, question: '00001234', counter: 0 });
        assert.notEqual(code, generateOcra({ suite, key: standardKey32, question: '1234', counter: 0 }));
        assert.equal((await client.submitOtp<any>(challenge.id, code)).body.status, 'approved', suite);
      }
    });

    test('a success resets the consecutive failures of the token', async () => {
      const { client } = await payeeOnlyTenant(server);
      await importToken(client, 'cust-reset', { type: 'ocra', suite: QN08, secretHex: hex(standardKey20) });
      const accounts = ['1-11111111', '1-22222222'];
      for (const [counter, account] of accounts.entries()) {
        const challenge = await createOtpChallenge(client, 'cust-reset', account);
        for (let i = 0; i < 4; i++) assert.equal((await client.submitOtp<any>(challenge.id, wrongCode(codeFor(account, counter)))).status, 422);
        assert.equal((await client.submitOtp<any>(challenge.id, codeFor(account, counter))).body.status, 'approved');
      }
      assert.equal((await client.listOtpTokens<any>('cust-reset')).body.tokens[0].locked, false);
    });

    test('errors: wrong_channel, challenge_not_pending, 404 for another tenant, 400 for a malformed body', async () => {
      const bank = await payeeOnlyTenant(server);
      const other = await payeeOnlyTenant(server);
      const arsChallenge = await bank.client.createChallenge<any>({ ...otpTransfer('cust-ars', '110-123-456789'), channels: ['ars'] });
      assert.equal(arsChallenge.body.channel, 'ars');
      const wrongChannel = await bank.client.submitOtp<any>(arsChallenge.body.id, '123456');
      assert.deepEqual([wrongChannel.status, wrongChannel.body.code], [409, 'wrong_channel']);

      await importToken(bank.client, 'cust-err', { type: 'ocra', suite: QN08, secretHex: hex(standardKey20) });
      const challenge = await createOtpChallenge(bank.client, 'cust-err', '110-123-456789');
      const foreign = await other.client.submitOtp<any>(challenge.id, codeFor('110-123-456789'));
      assert.deepEqual([foreign.status, foreign.body.code], [404, 'not_found']);
      const malformed = await bank.client.request<any>('POST', `/v1/challenges/${challenge.id}/otp`, { code: '12 34' });
      assert.deepEqual([malformed.status, malformed.body.code], [400, 'validation_failed']);
      const extra = await bank.client.request<any>('POST', `/v1/challenges/${challenge.id}/otp`, { code: '123456', questionOverride: '1' });
      assert.equal(extra.status, 400);
      await bank.client.cancelChallenge(challenge.id);
      const ended = await bank.client.submitOtp<any>(challenge.id, codeFor('110-123-456789'));
      assert.deepEqual([ended.status, ended.body.code], [409, 'challenge_not_pending']);
      // The foreign and malformed submissions cost no attempt; none was made.
      assert.equal((await bank.client.getChallenge<any>(challenge.id)).body.status, 'canceled');
    });

    test('payee_account_amount: the question covers the amount; a changed amount fails', async () => {
      const { client } = await payeeOnlyTenant(server);
      const suite = 'OCRA-1:HOTP-SHA256-8:C-QN16';
      await importToken(client, 'cust-amount', { type: 'ocra', suite, secretHex: hex(standardKey32), questionDerivation: 'payee_account_amount' });
      const challenge = await createOtpChallenge(client, 'cust-amount', '110-123-456789', '3500000');
      // docs/otp-question-derivation.md worked example: KRW 3,500,000 to 110-123-456789.
      assert.equal(challenge.channelDetails.question, '350000023456789');
      assert.equal(challenge.channelDetails.questionDerivation, 'payee_account_amount');
      // The customer confirms 35,000,000 on the token (an amount changed on the way): refused.
      const inflated = generateOcra({ suite, key: standardKey32, question: '3500000023456789', counter: 0 });
      assert.equal((await client.submitOtp<any>(challenge.id, inflated)).status, 422);
      assert.equal((await client.submitOtp<any>(challenge.id, '21739763')).body.status, 'approved');
    });

    test('a question that would reveal every account digit is withheld from the challenge', async () => {
      const { client } = await payeeOnlyTenant(server);
      await importToken(client, 'cust-short', { type: 'ocra', suite: QN08, secretHex: hex(standardKey20) });
      const challenge = await createOtpChallenge(client, 'cust-short', '1234-5678');
      assert.equal(challenge.channelDetails.question, undefined);
      assert.equal(challenge.channelDetails.questionWithheld, 'covers_full_account');
      assert.ok(!JSON.stringify(challenge).includes('12345678'));
      // The bank derives it from the account it holds (docs/otp-channel.md): the code still works
      // (docs/otp-channel.md worked example).
      assert.equal(codeFor('1234-5678'), '897640');
      assert.equal((await client.submitOtp<any>(challenge.id, '897640')).body.status, 'approved');
    });

    test('eligibility: OCRA needs a payee account; TOTP is used when OCRA cannot answer; erasure removes tokens', async () => {
      const { client, tenantId } = await payeeOnlyTenant(server);
      await importToken(client, 'cust-elig', { type: 'ocra', suite: QN08, secretHex: hex(standardKey20) });
      const noPayee = await client.createChallenge<any>({ customerId: 'cust-elig', transaction: { reference: 'C-1', type: 'certificate_reissue' }, channels: ['otp'] });
      assert.deepEqual([noPayee.body.status, noPayee.body.result.reason], ['failed', 'no_eligible_channel']);
      const totp = await importToken(client, 'cust-elig', { type: 'totp' });
      const withTotp = await client.createChallenge<any>({ customerId: 'cust-elig', transaction: { reference: 'C-2', type: 'certificate_reissue' }, channels: ['otp'] });
      assert.equal(withTotp.body.channelDetails.tokenId, totp.id);
      // A transfer prefers the transaction-linked OCRA token.
      const transfer = await createOtpChallenge(client, 'cust-elig', '110-123-456789');
      assert.equal(transfer.channelDetails.type, 'ocra');

      const context = server.running.context;
      await context.db.tx((tx) => otpModule.eraseCustomer!(context, tx, tenantId, 'cust-elig'));
      assert.deepEqual((await client.listOtpTokens<any>('cust-elig')).body, { tokens: [] });
      // The pending challenge's token is gone: the challenge fails instead of waiting for a code.
      const orphan = await client.submitOtp<any>(transfer.id, codeFor('110-123-456789'));
      assert.deepEqual([orphan.status, orphan.body.code], [409, 'token_removed']);
      const ended = (await client.getChallenge<any>(transfer.id)).body;
      assert.deepEqual([ended.status, ended.result.reason], ['failed', 'token_removed']);
    });
  });
}
