// Runs the ARS reconciler (call-reconciler.ts) every few seconds on one worker at a time: a BullMQ
// job scheduler on its own queue, so however many worker processes run, one pass runs at once.
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.ts';
import type { CallReconciler } from './call-reconciler.ts';

export const reconcileQueueName = 'ars-reconcile';

export function startReconcileWorker(options: { connection: Redis; prefix: string; reconciler: CallReconciler; everyMs: number; logger: Logger }): Worker {
  const { connection, prefix, reconciler, everyMs, logger } = options;
  const queue = new Queue(reconcileQueueName, { connection, prefix, skipWaitingForReady: true });
  const scheduled = queue
    .upsertJobScheduler('reconcile', { every: everyMs }, { name: 'reconcile', data: {}, opts: { removeOnComplete: true, removeOnFail: { count: 100 } } })
    .catch((error: unknown) => logger.warn({ err: error }, 'could not schedule the ARS reconciler yet'))
    .finally(() => queue.close().catch(() => undefined));
  const worker = new Worker(reconcileQueueName, async () => reconciler.run(), { connection, prefix, concurrency: 1 });
  const close = worker.close.bind(worker);
  worker.close = async (force?: boolean) => {
    await scheduled;
    await close(force);
  };
  return worker;
}
