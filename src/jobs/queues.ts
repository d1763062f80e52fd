import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChallengeScheduler } from '../challenges/challenge-scheduler.ts';
import type { EventDispatcher } from '../events/event-outbox.ts';
import { expiryJobId, queueNames, type ChallengeExpiryJob, type WebhookDeliveryJob } from './queue-names.ts';
import { webhookAttempts } from '../events/webhook-backoff.ts';
import { nowMs, systemClock, type Clock } from '../time/clock.ts';

export interface Queues {
  challengeExpiry: Queue<ChallengeExpiryJob>;
  webhookDelivery: Queue<WebhookDeliveryJob>;
  maintenance: Queue;
  all(): Queue[];
  close(): Promise<void>;
}

export function createQueues(connection: Redis, prefix: string): Queues {
  const options = { connection, prefix, skipWaitingForReady: true };
  const challengeExpiry = new Queue<ChallengeExpiryJob>(queueNames.challengeExpiry, {
    ...options,
    // Completed expiry jobs are removed at once: Redis holds only what is still pending.
    defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 }, attempts: 5, backoff: { type: 'exponential', delay: 1000 } },
  });
  const webhookDelivery = new Queue<WebhookDeliveryJob>(queueNames.webhookDelivery, {
    ...options,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 10_000 }, attempts: webhookAttempts, backoff: { type: 'webhook' } },
  });
  const maintenance = new Queue(queueNames.maintenance, { ...options, defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 100 } } });
  return {
    challengeExpiry,
    webhookDelivery,
    maintenance,
    all: () => [challengeExpiry, webhookDelivery, maintenance],
    async close() {
      await Promise.all([challengeExpiry.close(), webhookDelivery.close(), maintenance.close()]);
    },
  };
}

/** Delays count from `clock`'s now, the time the challenge's expiry was computed with. */
export function bullmqScheduler(queues: Queues, clock: Clock = systemClock): ChallengeScheduler {
  return {
    async scheduleExpiry(tenantId, challengeId, at) {
      await queues.challengeExpiry.add('expire', { tenantId, challengeId }, { jobId: expiryJobId(challengeId), delay: Math.max(0, at.getTime() - nowMs(clock)) });
    },
  };
}

export function bullmqEventDispatcher(queues: Queues): EventDispatcher {
  return {
    async dispatch({ tenantId, deliveryId }) {
      await queues.webhookDelivery.add('deliver', { tenantId, deliveryId }, { jobId: deliveryId });
    },
  };
}
