// The hold's delayed jobs on BullMQ (docs/holds.md): a prompt trigger at releaseAt. PostgreSQL decides:
// the job re-reads the hold and releases only a held, due one; the sweep releases what a lost job left.
import { Queue, Worker, type Job as BullJob } from 'bullmq';
import type { Redis } from 'ioredis';

export const holdQueueNames = { release: 'hold-release', notify: 'hold-notify' } as const;

export interface HoldJob {
  tenantId: string;
  challengeId: string;
}

export const holdReleaseJobId = (challengeId: string) => `hold-rel-${challengeId}`;

/** Notification call `seq` of a held challenge (docs/holds.md, "The notification call"). */
export interface HoldNotifyJob extends HoldJob {
  seq: number;
}

export const holdNotifyJobId = (challengeId: string, seq: number) => `hold-ntf-${challengeId}-${seq}`;

export function createHoldQueue<Job extends HoldJob = HoldJob>(connection: Redis, prefix: string, name: string = holdQueueNames.release): Queue<Job> {
  return new Queue<Job>(name, {
    connection,
    prefix,
    skipWaitingForReady: true,
    // A job woken before its time (clocks apart) is retried with backoff; after that the sweep acts.
    defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 }, attempts: 5, backoff: { type: 'exponential', delay: 1000 } },
  });
}

/**
 * A worker for one of the hold queues: `run` re-reads PostgreSQL and acts only when due; a job woken
 * before its time (clocks apart) fails and is retried with backoff, and after that the sweep acts.
 */
export function startHoldWorker<Job extends HoldJob>(connection: Redis, prefix: string, name: string, run: (job: Job) => Promise<string>): Worker<Job> {
  return new Worker<Job>(
    name,
    async (job: BullJob<Job>) => {
      const outcome = await run(job.data);
      if (outcome === 'not-due') throw new Error('hold job not yet due');
      return outcome;
    },
    { connection, prefix, concurrency: 20 },
  );
}
