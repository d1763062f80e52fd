// Periodic safety nets: expire challenges whose expiry job was lost, re-queue events whose queue
// hand-over failed, and forget idempotency keys after 24 h.
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../storage/db.ts';
import type { Logger } from '../observability/logger.ts';
import type { ChallengeService } from '../challenges/challenge-service.ts';
import type { ChallengeStore } from '../challenges/challenge-store.ts';
import type { DeliveryStore } from '../events/delivery-store.ts';
import type { EventDispatcher } from '../events/event-outbox.ts';
import type { Queues } from './queues.ts';
import { queueNames } from './queue-names.ts';

export async function scheduleMaintenance(queues: Queues, everyMs = 30_000): Promise<void> {
  await queues.maintenance.upsertJobScheduler('sweep', { every: everyMs }, { name: 'sweep', data: {} });
}

export function startMaintenanceWorker(deps: {
  connection: Redis;
  prefix: string;
  db: Db;
  store: ChallengeStore;
  challenges: ChallengeService;
  deliveries: DeliveryStore;
  events: EventDispatcher;
  logger: Logger;
}): Worker {
  return new Worker(
    queueNames.maintenance,
    async () => {
      for (const { tenantId, id } of await deps.store.overdue(deps.db, 500)) {
        await deps.challenges.finish(tenantId, id, { status: 'expired', reason: 'timeout', actor: 'system:sweeper' });
      }
      for (const delivery of await deps.deliveries.stuck(500)) await deps.events.dispatch(delivery);
      await deps.db.query(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`);
      return 'ok';
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 1 },
  );
}
