// The hang of docs/reliability.md "Time as a tested dimension", reproduced: on the embedded database
// (PGlite, one session) the first OTP approval after the receipt key's 60 s refresh never answered,
// because the key was re-read through the root handle while the approval's transaction held the session.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateOcra } from '../../src/channels/otp/ocra.ts';
import { deriveOcraQuestion } from '../../src/channels/otp/ocra-question.ts';
import { JumpClock } from '../../src/time/clock.ts';
import { startTestServer } from '../support/test-server.ts';
import { standardKey32 } from '../otp/rfc-keys.ts';
import { createOtpChallenge, hex, importToken } from '../otp-channel/otp-support.ts';
import { within } from '../support/within.ts';

// A counter suite whose question carries payee and amount (the default binding, docs/otp-question-derivation.md).
const suite = 'OCRA-1:HOTP-SHA256-8:C-QN16';
const account = '110-123-456789';
const codeAt = (counter: number) => {
  const derived = deriveOcraQuestion({ suite, derivation: 'payee_account_amount', payeeAccount: account, amountMinorUnits: '3500000' });
  assert.ok(derived.ok);
  return generateOcra({ suite, key: standardKey32, question: derived.question, counter });
};

test('PGlite: an OTP approval 70 s, 10 min and 1 h after the first one still answers', async () => {
  const clock = new JumpClock();
  const server = await startTestServer({ db: 'pglite', clock: clock.now });
  after(() => server.close());
  const { client } = await server.createTenant();
  await importToken(client, 'cust-hang', { type: 'ocra', suite, secretHex: hex(standardKey32) });
  let counter = 0;
  const approve = async (label: string) => {
    const challenge = await createOtpChallenge(client, 'cust-hang', account);
    const answered = await within(10_000, client.submitOtp<any>(challenge.id, codeAt(counter++)), `the OTP approval ${label}`);
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    assert.equal(answered.body.status, 'approved');
  };
  await approve('at start');
  for (const [label, ms] of [['after 70 s', 70_000], ['after 10 min', 530_000], ['after 1 h', 3_000_000]] as const) {
    clock.advance(ms);
    await approve(label);
    const ready = await within(5_000, fetch(`${server.url}/readyz`), `/readyz ${label}`);
    assert.equal(ready.status, 200);
  }
});
