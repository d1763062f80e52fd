// What the customer hears, and what never leaks: the transcript holds the amount in words and every
// digit of the payee account, never the security number; logs and API responses hold neither the
// security number, the digits pressed, the full phone number nor the full account number.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { eventually } from '../support/test-server.ts';
import { answerFor, arsChallenge, callsTo, enroll, press, pressAndWaitNext, secret, startArsWorld, waitForAsk, waitForStatus, wrongAnswerFor, type ArsWorld } from './ars-fixture.ts';

const account = '110-123-456789';
const digitWords = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const koDigitWords = ['공', '일', '이', '삼', '사', '오', '육', '칠', '팔', '구'];

for (const db of dbKinds) {
  describe(`ARS transcript and redaction (${db})`, () => {
    let world: ArsWorld;
    before(async () => {
      world = await startArsWorld({ db, server: { captureLogs: true } });
    });
    after(() => world.close());

    test('a full call (wrong, then right) reads amount and account, and leaks nothing', async () => {
      const { client, sim, server } = world;
      const number = '+8223173460';
      const responses: string[] = [];
      const keep = <T extends { body: unknown }>(response: T) => {
        responses.push(JSON.stringify(response.body));
        return response;
      };
      keep(await client.request('PUT', '/v1/customers/cust-quiet/phone', { number }));
      keep(await client.request('PUT', '/v1/customers/cust-quiet/knowledge-secret', { secret }));
      const challenge = await arsChallenge(client, 'cust-quiet');
      responses.push(JSON.stringify(challenge));
      const first = await waitForAsk(sim, number);
      const wrong = wrongAnswerFor(first.prompt);
      const second = await pressAndWaitNext(sim, first, wrong, number);
      const right = answerFor(second.prompt);
      await press(sim, second.sid, right);
      const done = await waitForStatus(client, challenge.id);
      assert.equal(done.status, 'approved');
      responses.push(JSON.stringify(done));
      keep(await client.request('GET', '/v1/customers/cust-quiet'));
      const call = await eventually(async () => ((await callsTo(sim, number))[0]?.status === 'completed' ? (await callsTo(sim, number))[0] : undefined));

      // The transcript: amount in words, the account digit by digit (in order), never the secret.
      const heard = call.transcript.join('\n');
      assert.match(heard, /three million five hundred thousand won/);
      const accountLine = call.transcript.find((text: string) => text.startsWith('Account number:'));
      const spoken = [...accountLine.matchAll(/zero|one|two|three|four|five|six|seven|eight|nine/g)].map((m: RegExpMatchArray) => digitWords.indexOf(m[0]));
      assert.equal(spoken.join(''), account.replace(/\D/g, ''), 'every account digit, in order');
      assert.ok(!heard.includes(secret));
      const everyDigitSpoken = [...heard.matchAll(/zero|one|two|three|four|five|six|seven|eight|nine/g)].map((m) => digitWords.indexOf(m[0])).join('');
      assert.ok(!everyDigitSpoken.includes(secret), 'the security number is never read out');

      // Logs and responses.
      const logs = server.logs.join('');
      assert.ok(logs.includes('/twilio/ars/'), 'webhook requests were logged');
      const forbidden = [secret, number, number.slice(3), account, account.replace(/\D/g, '')];
      for (const value of forbidden) {
        assert.ok(!logs.includes(value), `logs contain ${value.slice(0, 3)}…`);
        for (const response of responses) assert.ok(!response.includes(value), `a response contains ${value.slice(0, 3)}…`);
      }
      for (const pressed of [wrong, right]) {
        assert.ok(!new RegExp(`["=]${pressed}["&]`).test(logs), 'pressed digits are not logged');
        for (const response of responses) assert.ok(!response.includes(`"${pressed}"`));
      }
    });

    test('the Korean call reads the amount as 삼백오십만 원 and the account with 공', async () => {
      const { client, sim } = world;
      const number = '+8223173461';
      await enroll(client, 'cust-ko', number);
      const challenge = await arsChallenge(client, 'cust-ko', { locale: 'ko-KR' });
      const call = await waitForAsk(sim, number);
      const heard = call.transcript.join('\n');
      assert.match(heard, /삼백오십만 원/);
      assert.match(heard, /Test Bank/, 'the greeting names the bank');
      const accountDigits = [...heard.matchAll(/[공일이삼사오육칠팔구](?=[,.]|\s|$)/g)].map((m) => koDigitWords.indexOf(m[0])).join('');
      assert.ok(accountDigits.includes(account.replace(/\D/g, '')), 'every account digit, in order');
      await press(sim, call.sid, answerFor(call.prompt));
      assert.equal((await waitForStatus(client, challenge.id)).status, 'approved');
    });
  });
}
