// The calls to old numbers on BullMQ (docs/ars-channel.md, "A changed number"): one job per notice, id
// the notice's, a prompt trigger only — the notice row is claimed once, and the maintenance sweep
// places what a lost job left.
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PhoneChangeCallScheduler, PhoneChangeNotices } from './phone-change-notices.ts';

export const phoneChangeQueueName = 'ars-phone-change-call';

interface PhoneChangeJob {
  tenantId: string;
  noticeId: string;
}

export function createPhoneChangeQueue(connection: Redis, prefix: string): Queue<PhoneChangeJob> {
  return new Queue<PhoneChangeJob>(phoneChangeQueueName, {
    connection,
    prefix,
    skipWaitingForReady: true,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 }, attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
  });
}

export const bullmqPhoneChangeScheduler = (queue: Queue<PhoneChangeJob>): PhoneChangeCallScheduler => ({
  async schedule(notice) {
    await queue.add('call-old-number', notice, { jobId: notice.noticeId });
  },
});

export function startPhoneChangeWorker(connection: Redis, prefix: string, notices: PhoneChangeNotices): Worker<PhoneChangeJob> {
  return new Worker<PhoneChangeJob>(phoneChangeQueueName, (job) => notices.notify(job.data), { connection, prefix, concurrency: 5 });
}
