// Once-only under concurrency (docs/otp-channel.md "a code is accepted once"): the same code submitted at the
// same moment, to one challenge or to two challenges with the same question, is accepted at most
// once. On PostgreSQL the submissions run on separate pooled connections, so this exercises the
// conditional UPDATEs (OCRA counter = old, TOTP last_time_step < step) and the used-response key.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateSync } from 'otplib';
import { generateOcra } from '../../src/channels/otp/ocra.ts';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { standardKey20, standardKey64 } from '../otp/rfc-keys.ts';
import { createOtpChallenge, hex, importToken, payeeOnlyTenant } from './otp-support.ts';

const ROUNDS = 4;

for (const db of dbKinds) {
  describe(`OTP codes accepted once under concurrency (${db})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db });
    });
    after(() => server.close());

    /** Submits `code` to every challenge at once; returns the statuses. */
    const race = async (client: any, challengeIds: string[], code: string) =>
      (await Promise.all(challengeIds.map((id) => client.submitOtp(id, code)))).map((answer: any) => answer.status as number).sort();

    const suites: [string, Uint8Array, (round: number) => string][] = [
      // Counter: UPDATE … WHERE counter = old.
      ['OCRA-1:HOTP-SHA512-8:C-QN08', standardKey64, (round) => generateOcra({ suite: 'OCRA-1:HOTP-SHA512-8:C-QN08', key: standardKey64, question: `2345678${round}`, counter: round })],
      // Time: the (question, step, response) marker, inserted once.
      ['OCRA-1:HOTP-SHA1-6:QN08-T30S', standardKey20, (round) => generateOcra({ suite: 'OCRA-1:HOTP-SHA1-6:QN08-T30S', key: standardKey20, question: `2345678${round}`, timeStep: Math.floor(Date.now() / 30_000) + round })],
    ];

    for (const [suite, key, codeFor] of suites) {
      test(`${suite}: one code raced into two challenges with the same question approves one`, async () => {
        const { client, tenantId } = await payeeOnlyTenant(server);
        await importToken(client, 'cust-race', { type: 'ocra', suite, secretHex: hex(key) });
        // Time suite: rounds use the current step, then the next (both inside ±1 step).
        for (let round = 0; round < (suite.includes('-T') ? 2 : ROUNDS); round++) {
          const account = `110-1-2345678${round}`;
          const [a, b] = [await createOtpChallenge(client, 'cust-race', account), await createOtpChallenge(client, 'cust-race', account)];
          const statuses = await race(client, [a.id, b.id], codeFor(round));
          assert.deepEqual(statuses, [200, 422], `round ${round}`);
          const ended = await Promise.all([a.id, b.id].map(async (id) => (await client.getChallenge<any>(id)).body.status));
          assert.deepEqual(ended.sort(), ['approved', 'pending']);
        }
        // The loser's code was right but already used: rejected, never accepted twice. (When the
        // winner committed first, a counter suite sees a code behind its counter: invalid_code.)
        const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&action=otp.code_rejected`);
        const allowed = suite.includes(':C-') ? ['replayed', 'invalid_code'] : ['replayed'];
        assert.ok(audit.body.entries.length > 0 && audit.body.entries.every((entry: any) => allowed.includes(entry.data.reason)));
      });
    }

    test('TOTP: one code raced into two challenges approves one', async () => {
      const { client } = await payeeOnlyTenant(server);
      await importToken(client, 'cust-race-totp', { type: 'totp', secretHex: hex(standardKey20) });
      const cert = (reference: string) => ({ customerId: 'cust-race-totp', transaction: { reference, type: 'certificate_reissue' }, channels: ['otp'] });
      const a = (await client.createChallenge<any>(cert('R-1'))).body;
      const b = (await client.createChallenge<any>(cert('R-2'))).body;
      const code = generateSync({ strategy: 'totp', secret: standardKey20, digits: 6, period: 30 });
      assert.deepEqual(await race(client, [a.id, b.id], code), [200, 422]);
    });

    test('one challenge, the right code submitted five times at once: one approval, four challenge_not_pending', async () => {
      const { client } = await payeeOnlyTenant(server);
      await importToken(client, 'cust-burst', { type: 'ocra', suite: 'OCRA-1:HOTP-SHA512-8:C-QN08', secretHex: hex(standardKey64) });
      for (let round = 0; round < ROUNDS; round++) {
        const challenge = await createOtpChallenge(client, 'cust-burst', `9-1111111${round}`);
        const code = generateOcra({ suite: 'OCRA-1:HOTP-SHA512-8:C-QN08', key: standardKey64, question: `1111111${round}`, counter: round });
        const answers = await Promise.all(Array.from({ length: 5 }, () => client.submitOtp<any>(challenge.id, code)));
        assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 409, 409, 409, 409], `round ${round}`);
        for (const answer of answers.filter((a) => a.status === 409)) assert.equal(answer.body.code, 'challenge_not_pending');
        assert.equal((await client.getChallenge<any>(challenge.id)).body.status, 'approved');
      }
      // The counter advanced exactly once per round.
      const row = await server.running.context.db.query<{ counter: string }>(`SELECT counter FROM otp_tokens WHERE customer_id = 'cust-burst'`);
      assert.equal(Number(row.rows[0]!.counter), ROUNDS);
    });

    test('wrong codes raced into one challenge never exceed maxAttempts', async () => {
      const { client } = await payeeOnlyTenant(server);
      await importToken(client, 'cust-burst-wrong', { type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', secretHex: hex(standardKey20) });
      const challenge = await createOtpChallenge(client, 'cust-burst-wrong', '110-123-456789');
      // Wrong for every counter in the look-ahead window.
      const rights = Array.from({ length: 11 }, (_, counter) => generateOcra({ suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', key: standardKey20, question: '23456789', counter }));
      const wrong = ['000000', '111111', '222222'].find((candidate) => !rights.includes(candidate))!;
      const answers = await Promise.all(Array.from({ length: 8 }, () => client.submitOtp<any>(challenge.id, wrong)));
      const checked = answers.filter((answer) => answer.status === 422);
      assert.equal(checked.length, 5, 'exactly maxAttempts codes were checked');
      assert.deepEqual(checked.map((answer) => answer.body.attemptsRemaining).sort(), [0, 1, 2, 3, 4]);
      assert.ok(answers.filter((answer) => answer.status === 409).every((answer) => answer.body.code === 'challenge_not_pending'));
      assert.equal((await client.getChallenge<any>(challenge.id)).body.status, 'denied');
    });
  });
}
