import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChallengeService } from '../challenges/challenge-service.ts';
import { queueNames, type ChallengeExpiryJob } from './queue-names.ts';
import { nowMs, systemClock, type Clock } from '../time/clock.ts';

/**
 * Moves a still-pending challenge to `expired` / `timeout`; a challenge already ended (or gone) is
 * left alone. Any other failure (the database away) fails the job, and BullMQ retries it with
 * backoff (the queue's attempts): an expiry is never dropped because one read failed.
 */
export function startExpiryWorker(connection: Redis, prefix: string, challenges: ChallengeService, clock: Clock = systemClock): Worker<ChallengeExpiryJob> {
  return new Worker<ChallengeExpiryJob>(
    queueNames.challengeExpiry,
    async (job) => {
      const { tenantId, challengeId } = job.data;
      const existing = await challenges.find(tenantId, challengeId);
      if (!existing || existing.status !== 'pending') return 'not-pending';
      if (existing.expiresAt.getTime() > nowMs(clock) + 1000) {
        // Woken early (clock skew between processes): try again at the real time.
        throw new Error('not yet due');
      }
      const { changed } = await challenges.finish(tenantId, challengeId, { status: 'expired', reason: 'timeout', actor: 'system:expiry' }, existing);
      return changed ? 'expired' : 'not-pending';
    },
    { connection, prefix, concurrency: 50 },
  );
}
