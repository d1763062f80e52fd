// The hold's delayed jobs on BullMQ (docs/holds.md): a prompt trigger at releaseAt. PostgreSQL decides:
// the job re-reads the hold and releases only a held, due one; the sweep releases what a lost job left.
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';

export const holdQueueNames = { release: 'hold-release' } as const;

export interface HoldJob {
  tenantId: string;
  challengeId: string;
}

export const holdReleaseJobId = (challengeId: string) => `hold-rel-${challengeId}`;

export function createHoldQueue(connection: Redis, prefix: string): Queue<HoldJob> {
  return new Queue<HoldJob>(holdQueueNames.release, {
    connection,
    prefix,
    skipWaitingForReady: true,
    // A job woken before its time (clocks apart) is retried with backoff; after that the sweep acts.
    defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 }, attempts: 5, backoff: { type: 'exponential', delay: 1000 } },
  });
}

export function startHoldWorker(connection: Redis, prefix: string, onRelease: (job: HoldJob) => Promise<'released' | 'not-due' | 'not-held'>): Worker<HoldJob> {
  return new Worker<HoldJob>(
    holdQueueNames.release,
    async (job: Job<HoldJob>) => {
      const outcome = await onRelease(job.data);
      if (outcome === 'not-due') throw new Error('hold not yet due');
      return outcome;
    },
    { connection, prefix, concurrency: 20 },
  );
}
