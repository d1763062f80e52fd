/** Timers the challenge service needs, implemented on BullMQ delayed jobs (src/jobs). */
export interface ChallengeScheduler {
  /** Idempotent per challenge: scheduling twice leaves one job. */
  scheduleExpiry(tenantId: string, challengeId: string, at: Date): Promise<void>;
}
