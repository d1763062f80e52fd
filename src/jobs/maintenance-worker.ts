// Periodic safety nets: expire challenges whose expiry job was lost, re-queue events whose queue
// hand-over failed, forget idempotency keys after 24 h, and run the channel modules' clean-ups
// (retention: e.g. the passkey pages' rows, docs/webauthn-channel.md).
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../storage/db.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ChallengeService } from '../challenges/challenge-service.ts';
import type { ChallengeStore } from '../challenges/challenge-store.ts';
import type { DeliveryStore } from '../events/delivery-store.ts';
import type { EventDispatcher } from '../events/event-outbox.ts';
import type { Queues } from './queues.ts';
import { queueNames } from './queue-names.ts';
import type { Clock } from '../time/clock.ts';

/** A module's periodic clean-up (ChannelModule.sweep, bound to its context by src/server/). */
export interface ModuleSweep {
  module: string;
  /** Deletes what is no longer needed as of `now`; how many of each kind it deleted. */
  sweep(now: Date): Promise<Record<string, number>>;
}

/**
 * Runs each module's sweep; one that fails is logged and tried again next run, without stopping the
 * others. What was deleted is logged at info (counts only, never a row's content) and counted.
 */
export async function runModuleSweeps(sweeps: ModuleSweep[], now: Date, deps: { logger: Logger; metrics: Metrics }): Promise<void> {
  for (const { module, sweep } of sweeps) {
    let removed: Record<string, number>;
    try {
      removed = await sweep(now);
    } catch (error) {
      deps.logger.warn({ err: error, module }, 'maintenance sweep of a module failed');
      continue;
    }
    for (const [kind, count] of Object.entries(removed)) if (count > 0) deps.metrics.maintenanceRemoved.inc({ module, kind }, count);
    if (Object.values(removed).some((count) => count > 0)) deps.logger.info({ module, removed }, 'maintenance sweep removed expired records');
  }
}

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
  metrics: Metrics;
  sweeps: ModuleSweep[];
  clock: Clock;
}): Worker {
  return new Worker(
    queueNames.maintenance,
    async () => {
      // Challenges' lifetimes are stamped by the injectable clock, so they are compared with it; rows
      // stamped by the database's now() (deliveries, idempotency keys) are compared with that.
      const now = deps.clock();
      for (const { tenantId, id } of await deps.store.overdue(deps.db, 500, now)) {
        await deps.challenges.finish(tenantId, id, { status: 'expired', reason: 'timeout', actor: 'system:sweeper' });
      }
      for (const delivery of await deps.deliveries.stuck(500)) await deps.events.dispatch(delivery);
      await deps.db.query(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`);
      await runModuleSweeps(deps.sweeps, now, deps);
      return 'ok';
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 1 },
  );
}
