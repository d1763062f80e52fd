// Answering-machine detection that is not sure (AnsweredBy=unknown, docs/call-script.md "Who
// answered"): nothing about the transaction is read until a key press shows a person is listening;
// voicemail never hears the payee or the amount. Both flows (en-US, ko-KR).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dbKinds } from '../support/databases.ts';
import { eventually } from '../support/test-server.ts';
import { answerFor, arsChallenge, callsTo, enroll, press, simJson, startArsWorld, waitForAsk, waitForStatus, waitForStatusWhileCalling, type ArsWorld } from './ars-fixture.ts';

/** The fixed words of every message that reads the transaction (the text around its placeholders). */
function transactionWording(locale: string): string[] {
  const flow = JSON.parse(readFileSync(new URL(`../../ivr-flows/knowledge-check.${locale}.json`, import.meta.url), 'utf8'));
  return Object.entries<string>(flow.messages)
    .filter(([id]) => id.startsWith('transaction.'))
    .flatMap(([, wording]) => wording.split(/\{[A-Za-z]+\}/))
    .map((part) => part.replace(/^[\s.,]+|[\s.,]+$/g, ''))
    .filter((part) => part.length >= 2);
}
// The transaction of transferBody(): payee, bank, account digits.
const payeeWords = ['김철수', '신한은행', '110', 'one one zero', '일일영'];

for (const db of dbKinds) {
  describe(`ARS call answered by "unknown" (${db})`, () => {
    // Silence on every attempt is what the no-key tests wait for: their gathers' 5 s shrunk to 250 ms.
    let silent: ArsWorld;
    // A customer who presses keys has the gathers' own 5 s, as on Twilio: at 250 ms, a key pressed a
    // moment after the test saw the ask (a test process stalled for a second on a loaded machine) came
    // after the gather had ended, and was refused (409 not_awaiting_digits).
    let listening: ArsWorld;
    before(async () => {
      [silent, listening] = await Promise.all([startArsWorld({ db, sim: { gatherTimeoutScale: 0.05 } }), startArsWorld({ db })]);
    });
    after(() => Promise.all([silent?.close(), listening?.close()]));
    let line = 0;
    const nextNumber = () => `+822318${String(8800 + line++ + (db === 'postgres' ? 50 : 0)).padStart(4, '0')}`;

    for (const locale of ['en-US', 'ko-KR']) {
      test(`${locale}: no key pressed, nothing about the transaction is spoken on any attempt`, async () => {
        const { client, sim } = silent;
        const number = nextNumber();
        assert.equal((await simJson(sim, 'PUT', `/sim/numbers/${number}`, { lineType: 'landline', callForwarding: false, answer: 'unknown' })).status, 200);
        const customerId = `cust-unsure-${locale}-${line}`;
        await enroll(client, customerId, number);
        const challenge = await arsChallenge(client, customerId, { locale });
        const done = await waitForStatusWhileCalling(client, sim, number, challenge.id);
        assert.equal(done.status, 'failed');
        assert.equal(done.result.reason, 'unreachable');
        const calls = await callsTo(sim, number);
        assert.equal(calls.length, 3, 'every attempt was made');
        const forbidden = [...transactionWording(locale), ...payeeWords];
        for (const call of calls) {
          assert.equal(call.answeredBy, 'unknown');
          assert.ok(call.transcript.length > 0, 'the listener check was spoken');
          for (const text of call.transcript) {
            for (const word of forbidden) assert.ok(!text.includes(word), `"${word}" must not be spoken before a key press: ${text}`);
          }
        }
      });

      test(`${locale}: key 1 proves a listener; the call goes on and can approve`, async () => {
        const { client, sim } = listening;
        const number = nextNumber();
        assert.equal((await simJson(sim, 'PUT', `/sim/numbers/${number}`, { lineType: 'landline', callForwarding: false, answer: 'unknown' })).status, 200);
        const customerId = `cust-unsure-ok-${locale}-${line}`;
        await enroll(client, customerId, number);
        const challenge = await arsChallenge(client, customerId, { locale });
        const check = await waitForAsk(sim, number);
        assert.equal(check.numDigits, 1, 'the listener check takes one key');
        await press(sim, check.sid, '1');
        const asked = await eventually(async () => {
          const now = (await callsTo(sim, number))[0];
          return now.awaitingDigits && now.numDigits > 1 ? now : undefined;
        });
        assert.ok(asked.transcript.some((text: string) => text.includes('김철수')), 'the details are read after the key press');
        await press(sim, asked.sid, answerFor(asked.prompt));
        assert.equal((await waitForStatus(client, challenge.id)).status, 'approved');
      });
    }
  });
}
