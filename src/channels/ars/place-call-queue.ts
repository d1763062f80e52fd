// The place-call queue (BullMQ): one job per call attempt, id `<challengeId>-a<n>` so an attempt is
// queued once; retries are delayed jobs; a job waiting for its rate-limit slot, or for the
// customer's live call to end, is moved to delayed.
import { DelayedError, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.ts';
import type { ArsDialer } from './ars-dialer.ts';
import type { PlaceCallJob, PlaceCallScheduler } from './ars-ports.ts';

export const placeCallQueueName = 'ars-place-call';
export const placeCallJobId = (challengeId: string, attemptNumber: number) => `${challengeId}-a${attemptNumber}`;

export function createPlaceCallQueue(connection: Redis, prefix: string): Queue<PlaceCallJob> {
  return new Queue<PlaceCallJob>(placeCallQueueName, {
    connection,
    prefix,
    skipWaitingForReady: true,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 }, attempts: 3, backoff: { type: 'exponential', delay: 500 } },
  });
}

/** Job states in which an attempt will still be (or is being) dialed. */
const liveJobStates = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

export function bullmqPlaceCallScheduler(queue: Queue<PlaceCallJob>): PlaceCallScheduler {
  return {
    async schedule(job, delayMs) {
      await queue.add('place-call', job, { jobId: placeCallJobId(job.challengeId, job.attemptNumber), delay: Math.max(0, delayMs) });
    },
    async ensure(job, delayMs) {
      const jobId = placeCallJobId(job.challengeId, job.attemptNumber);
      const existing = await queue.getJob(jobId);
      if (existing) {
        if (liveJobStates.has(await existing.getState())) return false;
        await existing.remove().catch(() => undefined);
      }
      await queue.add('place-call', job, { jobId, delay: Math.max(0, delayMs) });
      return true;
    },
    async cancelPending(challengeId, attemptNumbers) {
      // A job already running cannot be removed; it finds the challenge ended and stops by itself.
      await Promise.all(attemptNumbers.map((n) => queue.remove(placeCallJobId(challengeId, n)).catch(() => 0)));
    },
  };
}

export function startPlaceCallWorker(options: { connection: Redis; prefix: string; dialer: ArsDialer; logger: Logger; concurrency?: number }): Worker<PlaceCallJob> {
  const { connection, prefix, dialer, logger, concurrency = 20 } = options;
  return new Worker<PlaceCallJob>(
    placeCallQueueName,
    async (job, token) => {
      const result = await dialer.placeAttempt(job.data);
      if (result.kind === 'delay' || result.kind === 'wait') {
        // A rate-limit slot is kept for the re-run; a wait for the customer's line starts over.
        const { slotAt: _slot, ...data } = job.data;
        await job.updateData(result.kind === 'delay' ? { ...data, slotAt: result.until } : data);
        await job.moveToDelayed(result.until, token);
        throw new DelayedError();
      }
      if (result.kind !== 'dialed') logger.debug({ challengeId: job.data.challengeId, attempt: job.data.attemptNumber, result }, 'place-call job done');
      return result.kind;
    },
    { connection, prefix, concurrency },
  );
}
