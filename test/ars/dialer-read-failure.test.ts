// A failed challenge read while placing a call must fail the place-call job (BullMQ retries it),
// never be taken for "the challenge has ended" and silently skip the customer's call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArsDialer, type ArsDialerDeps } from '../../src/channels/ars/ars-dialer.ts';
import type { ChallengeService } from '../../src/challenges/challenge-service.ts';

test('placing a call: a failed challenge read rejects the job; a missing challenge is skipped', async () => {
  const challenges = {
    async find(_tenantId: string, id: string) {
      if (id === 'chl_gone') return null;
      throw new Error('Connection terminated unexpectedly');
    },
  } as unknown as ChallengeService;
  // Nothing past the challenge read may be reached in either case.
  const dialer = new ArsDialer({ challenges } as unknown as ArsDialerDeps);
  await assert.rejects(dialer.placeAttempt({ tenantId: 'ten_1', challengeId: 'chl_flaky', attemptNumber: 1 }), /Connection terminated/);
  assert.deepEqual(await dialer.placeAttempt({ tenantId: 'ten_1', challengeId: 'chl_gone', attemptNumber: 1 }), { kind: 'skipped', why: 'not_pending' });
});
