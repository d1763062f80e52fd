// Position history (docs/call-script.md, "Positions"): a challenge never asks a set of positions
// that one of the customer's previous three challenges asked, however many sets those challenges
// went through (wrong answers and retried calls each ask a new set).
//
// A 6-digit secret asked 5 positions at a time has exactly 6 sets (leave one position out), so the
// history decides the draw: after challenge A (one set) and challenge B (four sets: three wrong
// answers, then right), five of the six sets were asked and challenge C must ask the sixth.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { answerFor, arsChallenge, enroll, positionsHeard, press, pressAndWaitNext, startArsWorld, waitForAsk, waitForStatus, wrongAnswerFor, type ArsWorld } from './ars-fixture.ts';

const sixDigits = '204781';

describe('ARS position history per challenge (pglite)', () => {
  let world: ArsWorld;
  before(async () => {
    world = await startArsWorld({ ars: { secretPositions: 5, maxAnswersPerCall: 5, lockAfterConsecutiveFailures: 5 } });
  });
  after(() => world.close());

  for (const round of [1, 2, 3]) {
    test(`round ${round}: a challenge that asked four sets does not push the challenge before it out of the history`, async () => {
      const { client, sim } = world;
      const number = `+8223189${String(900 + round)}`;
      const customerId = `cust-history-${round}`;
      await enroll(client, customerId, number, sixDigits);
      const asked: string[] = [];
      // A: right at once.
      const a = await arsChallenge(client, customerId);
      let call = await waitForAsk(sim, number, 0);
      asked.push(positionsHeard(call.prompt).join());
      await press(sim, call.sid, answerFor(call.prompt, sixDigits));
      assert.equal((await waitForStatus(client, a.id)).status, 'approved');
      // B: three wrong answers (a new set each time), then right.
      const b = await arsChallenge(client, customerId);
      call = await waitForAsk(sim, number, 1);
      for (let i = 0; i < 3; i += 1) {
        asked.push(positionsHeard(call.prompt).join());
        call = await pressAndWaitNext(sim, call, wrongAnswerFor(call.prompt, sixDigits), number, 1);
      }
      asked.push(positionsHeard(call.prompt).join());
      await press(sim, call.sid, answerFor(call.prompt, sixDigits));
      assert.equal((await waitForStatus(client, b.id)).status, 'approved');
      assert.equal(new Set(asked).size, 5, `five different sets so far: ${asked.join(' | ')}`);
      // C: the one set neither A nor B asked.
      const c = await arsChallenge(client, customerId);
      call = await waitForAsk(sim, number, 2);
      const first = positionsHeard(call.prompt).join();
      assert.ok(!asked.includes(first), `C asked ${first}, a set of an earlier challenge (${asked.join(' | ')})`);
      await press(sim, call.sid, answerFor(call.prompt, sixDigits));
      assert.equal((await waitForStatus(client, c.id)).status, 'approved');
    });
  }
});
