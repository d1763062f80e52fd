// The expiry worker on real Redis/BullMQ, with a challenge service that fails the way a database
// does: a failed read must be retried (never taken for "already ended"), a missing challenge must not.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createQueues, bullmqScheduler } from '../../src/jobs/queues.ts';
import { startExpiryWorker } from '../../src/jobs/expiry-worker.ts';
import type { ChallengeService } from '../../src/challenges/challenge-service.ts';
import type { ChallengeRecord } from '../../src/challenges/challenge-record.ts';
import { eventually, redisUrl } from '../support/test-server.ts';

describe('expiry worker', () => {
  const connection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const prefix = `{expiry-test-${randomBytes(4).toString('hex')}}`;
  const queues = createQueues(connection, prefix);
  after(async () => {
    await queues.close();
    connection.disconnect();
  });

  test('a read that fails is retried and the challenge still expires; a missing challenge ends the job', async () => {
    const reads = new Map<string, number>();
    const finished: string[] = [];
    const pending = (id: string) => ({ id, tenantId: 'ten_1', status: 'pending', expiresAt: new Date(Date.now() - 10) }) as unknown as ChallengeRecord;
    const service = {
      async find(_tenantId: string, id: string) {
        const count = (reads.get(id) ?? 0) + 1;
        reads.set(id, count);
        if (id === 'chl_gone') return null;
        if (count === 1) throw new Error('Connection terminated unexpectedly');
        return pending(id);
      },
      async finish(_tenantId: string, id: string) {
        finished.push(id);
        return { changed: true, challenge: pending(id) };
      },
    } as unknown as ChallengeService;
    const worker = startExpiryWorker(connection, prefix, service);
    try {
      const scheduler = bullmqScheduler(queues);
      await scheduler.scheduleExpiry('ten_1', 'chl_flaky', new Date());
      await scheduler.scheduleExpiry('ten_1', 'chl_gone', new Date());
      await eventually(async () => (finished.includes('chl_flaky') ? true : undefined), 15_000, 'retried expiry');
      assert.equal(reads.get('chl_flaky'), 2, 'first read failed, the retry read again');
      assert.deepEqual(finished, ['chl_flaky']);
      assert.equal(reads.get('chl_gone'), 1, 'a missing challenge is not retried');
      assert.equal(await queues.challengeExpiry.getFailedCount(), 0);
    } finally {
      await worker.close();
    }
  });
});
