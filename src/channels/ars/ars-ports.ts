// What the ARS channel needs from the outside world, as small interfaces: the telephony provider
// (Twilio, at the edge in src/telephony/ars/), the place-call queue (BullMQ), the per-account
// call-rate limiter (Redis) and the phone-number helpers of number intelligence. The channel itself
// imports neither twilio nor express nor anything under src/telephony/ (ars-telephony.ts bundles them).
import type { ArsPolicy } from './number-vetting.ts';

/**
 * The provider may or may not have created the call: the request timed out or its connection broke
 * after it was sent. Not a failed dial: dialing again could ring the customer twice
 * (docs/reliability.md, "A dial whose outcome is unknown").
 */
export class DialOutcomeUnknown extends Error {
  constructor(readonly reason: unknown) {
    super('the provider may or may not have created the call', { cause: reason });
    this.name = 'DialOutcomeUnknown';
  }
}

export interface CallPlacer {
  /** Identifies the provider account the rate limit applies to (the Twilio account SID). */
  readonly accountId: string;
  /**
   * Dials with answering-machine detection; webhooks name the attempt. Throws DialOutcomeUnknown
   * when the call may have been created anyway; any other error is a refusal (no call).
   */
  place(input: { tenantId: string; attemptId: string; to: string; ringTimeoutSeconds: number }): Promise<{ callSid: string }>;
  /** This account's calls to `to` created since `since` (Calls list), newest first. */
  callsTo(input: { to: string; since: Date }): Promise<{ callSid: string; status: string; answeredBy: string | null }[]>;
  /** Ends a ringing or answered call (Calls update Status=completed). */
  hangUp(callSid: string): Promise<void>;
  /** The call as the provider knows it (Calls fetch); null when the provider has no such call. */
  fetchCall(callSid: string): Promise<{ status: string; answeredBy: string | null } | null>;
}

export interface PlaceCallJob {
  tenantId: string;
  challengeId: string;
  attemptNumber: number;
  /** Set once the rate limiter gave this job a slot, so the delayed re-run does not queue again. */
  slotAt?: number;
}

export interface PlaceCallScheduler {
  schedule(job: PlaceCallJob, delayMs: number): Promise<void>;
  /**
   * Queues the attempt unless its job is already waiting, delayed or running (a job that failed or
   * was lost is replaced). True when it queued. For the reconciler: safe to call again and again.
   */
  ensure(job: PlaceCallJob, delayMs: number): Promise<boolean>;
  /** Removes attempts still waiting (retries) when the challenge ended. */
  cancelPending(challengeId: string, attemptNumbers: number[]): Promise<void>;
}

export interface CallRateLimiter {
  /** Reserves the next dialing slot of `accountId`; resolves to the wait in ms (0 = dial now). */
  reserve(accountId: string, callsPerSecond: number): Promise<number>;
}

/** A keyed hash of a phone number (number intelligence's, so call caps and the stored hash agree). */
export type NumberHasher = (e164: string) => string;

/** `+82 2-312-3456` → `+8223123456`; undefined when it is not a phone number at all. */
export type NumberNormalizer = (raw: string) => string | undefined;

/** The ARS policy of the challenge, frozen when the challenge was created (channel state). */
export const arsPolicyOf = (channelState: Record<string, unknown>): ArsPolicy => channelState.ars as ArsPolicy;
