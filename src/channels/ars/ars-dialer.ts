// Placing call attempts (docs/ars-channel.md "The call" 1 and 5): one place-call job per attempt. Before every
// attempt the number is vetted again (forwarding can be switched on at any time) and the call caps
// are asked; attempts that reach nobody are retried after `retryDelaysSeconds` while attempts remain
// and the challenge lives, then the challenge fails as `unreachable`.
import type { Db } from '../../storage/db.ts';
import type { Envelope } from '../../crypto/envelope.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Outcome } from '../../challenges/challenge-service.ts';
import type { ChallengeOutcomes } from '../channel.ts';
import type { ChallengeRecord } from '../../challenges/challenge-record.ts';
import { newId } from '../../crypto/hashing.ts';
import { arsCustomerStore } from './ars-customer-store.ts';
import { phoneContext } from './ars-enrollment.ts';
import { arsPolicyOf, DialOutcomeUnknown, type CallPlacer, type CallRateLimiter, type PlaceCallJob, type PlaceCallScheduler } from './ars-ports.ts';
import { callAttemptStore, endReasonOfCall, endedCallStatuses, type CallAttemptRow } from './call-attempt-store.ts';
import type { CallCaps, NumberVetter } from './number-vetting.ts';
import type { ArsMetrics } from './ars-metrics.ts';
import { nowMs, type Clock } from '../../time/clock.ts';

export type PlaceResult =
  | { kind: 'dialed'; callSid: string }
  /** Waiting for a rate-limit slot, taken: the re-run dials on it. */
  | { kind: 'delay'; until: number }
  /** Waiting for the customer's live call to end: the re-run starts over. */
  | { kind: 'wait'; until: number }
  | { kind: 'skipped'; why: string } | { kind: 'finished'; reason: string };

export interface ArsDialerDeps {
  db: Db;
  envelope: Envelope;
  challenges: ChallengeOutcomes;
  vetter: NumberVetter;
  caps: CallCaps;
  placer: CallPlacer;
  scheduler: PlaceCallScheduler;
  limiter: CallRateLimiter;
  logger: Logger;
  metrics: ArsMetrics;
  /** Now, for claims, retry delays and call windows (the application's injectable clock). */
  clock: Clock;
  /** Multiplies retryDelaysSeconds (ARS_RETRY_DELAY_SCALE; 1 in production, small in tests). */
  retryDelayScale: number;
}

const actor = 'channel:ars';
/** Rate-limit waits up to this long are slept in the job; longer ones move it to delayed. */
const shortWaitMs = 2000;
/** How often an attempt waiting for the customer's live call to end looks again. */
const lineRecheckMs = 1000;
/** An attempt placed with less of the challenge left than ringing plus this could not be answered in time. */
const callWindowSeconds = 30;

export class ArsDialer {
  constructor(private readonly deps: ArsDialerDeps) {}

  async placeAttempt(job: PlaceCallJob): Promise<PlaceResult> {
    const { db, envelope, challenges, vetter, caps, placer, limiter } = this.deps;
    const { tenantId, challengeId, attemptNumber } = job;
    const challenge = await challenges.find(tenantId, challengeId);
    if (!challenge || challenge.status !== 'pending' || challenge.channel !== 'ars') return { kind: 'skipped', why: 'not_pending' };
    const policy = arsPolicyOf(challenge.channelState);
    const customer = await arsCustomerStore.get(db, tenantId, challenge.customerId);
    if (!customer?.phone_enc || !customer.secret_enc) return this.fail(challenge, 'failed', 'not_enrolled');
    if (customer.locked_at) return this.fail(challenge, 'failed', 'ars_locked');
    // Disputed on the call to the old number (docs/ars-channel.md, "A changed number").
    if (customer.phone_suspended_at) return this.fail(challenge, 'failed', 'phone_suspended');

    // One live call per customer: a later challenge's call waits for the live one to end.
    const attemptKey = { tenantId, customerId: challenge.customerId, challengeId, attemptNumber };
    if (await callAttemptStore.customerHasLiveCall(db, { ...attemptKey, now: this.deps.clock() })) return this.waitForLine(challenge);

    // docs/ars-channel.md: vetted again before every call attempt; any "refuse" wins.
    const e164 = envelope.decryptText(customer.phone_enc, phoneContext(tenantId, challenge.customerId));
    const vetting = await vetter.vet({ tenantId, customerId: challenge.customerId, e164, policy, purpose: 'call', numberChangedAt: customer.number_changed_at });
    // The vetter audits every vetting (number.vetted, with each source's answer).
    // The reasons are the bank's too (result.details, in the challenge and its event).
    if (!vetting.eligible) return this.fail(challenge, 'failed', 'number_ineligible', {}, { reasons: vetting.reasons });

    // At most callsPerSecond per provider account: wait for a slot (taken once per job). A short
    // wait is slept here, so the call goes out right on its slot; a long one delays the job.
    if (job.slotAt === undefined) {
      const waitMs = await limiter.reserve(placer.accountId, policy.callsPerSecond);
      if (waitMs > shortWaitMs) return { kind: 'delay', until: this.now() + waitMs };
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    } else if (job.slotAt > this.now()) {
      await new Promise((resolve) => setTimeout(resolve, job.slotAt! - this.now()));
    }

    // Checked again and claimed under the customer's row lock: two workers dialing two challenges
    // of one customer at once cannot both find the line free.
    const claimed = await callAttemptStore.claimWhenLineFree(db, { id: newId('att'), ...attemptKey, now: this.deps.clock() });
    if (claimed === 'busy') return this.waitForLine(challenge);
    const attempt = claimed;
    if (!attempt) return { kind: 'skipped', why: 'already_claimed' };
    const verdict = await caps.reserve({ tenantId, customerId: challenge.customerId, e164, policy });
    if (!verdict.allowed) {
      await this.endAttempt(attempt, 'call_cap_reached');
      return this.fail(challenge, 'failed', 'call_cap_reached', {}, { cap: verdict.cap });
    }

    let callSid: string;
    try {
      ({ callSid } = await placer.place({ tenantId, attemptId: attempt.id, to: e164, ringTimeoutSeconds: policy.ringTimeoutSeconds }));
    } catch (error) {
      if (error instanceof DialOutcomeUnknown) {
        // The call may ring anyway: never dial this attempt again; its webhooks or the provider tell.
        this.deps.logger.warn({ err: error.reason, challengeId, attempt: attemptNumber }, 'placing the call: outcome unknown, resolved from its webhooks or the provider');
        await callAttemptStore.markDialUncertain(db, tenantId, attempt.id);
        return { kind: 'finished', reason: 'dial_uncertain' };
      }
      this.deps.logger.warn({ err: error, challengeId, attempt: attemptNumber }, 'placing the call failed');
      const ended = await this.endAttempt(attempt, 'dial_failed');
      if (ended) await this.afterAttemptEnded(ended);
      return { kind: 'finished', reason: 'dial_failed' };
    }
    await callAttemptStore.bindCall(db, tenantId, attempt.id, callSid);
    // Canceled or expired while dialing: stop() saw no call yet, so hang up here.
    const now = await challenges.get(tenantId, challengeId);
    if (now.status !== 'pending') await placer.hangUp(callSid).catch((error: unknown) => this.deps.logger.warn({ err: error, challengeId }, 'hang-up failed'));
    return { kind: 'dialed', callSid };
  }

  /**
   * An attempt whose Calls.create answer was lost (`dialing`, no call): the provider's calls to the
   * customer's number since the claim, not bound to another attempt, are this attempt's. One found
   * is bound (and closed when it has ended, hung up when the challenge has); none found means no
   * call was created: a failed dial, then the next attempt. `provider_unavailable` when the
   * provider cannot say yet.
   */
  async resolveUncertainDial(attempt: CallAttemptRow): Promise<boolean | 'provider_unavailable'> {
    const { db, envelope, placer, challenges, logger } = this.deps;
    const customer = await arsCustomerStore.get(db, attempt.tenant_id, attempt.customer_id);
    let found: { callSid: string; status: string; answeredBy: string | null } | undefined;
    if (customer?.phone_enc) {
      const e164 = envelope.decryptText(customer.phone_enc, phoneContext(attempt.tenant_id, attempt.customer_id));
      let calls: { callSid: string; status: string; answeredBy: string | null }[];
      try {
        calls = await placer.callsTo({ to: e164, since: new Date(attempt.claimed_at.getTime() - 5000) });
      } catch (error) {
        logger.warn({ err: error, attemptId: attempt.id }, 'resolving an unknown dial: listing the calls failed');
        return 'provider_unavailable';
      }
      const bound = await callAttemptStore.boundCallSids(db, calls.map((call) => call.callSid));
      found = calls.filter((call) => !bound.has(call.callSid)).at(-1);
    }
    if (!found) {
      const ended = await this.endAttempt(attempt, 'dial_failed');
      if (ended) await this.afterAttemptEnded(ended, this.deps.clock(), 'reconcile');
      return ended !== null;
    }
    // A webhook may have bound the attempt meanwhile: then it is resolved already.
    if (!(await callAttemptStore.bindCall(db, attempt.tenant_id, attempt.id, found.callSid))) return false;
    if (endedCallStatuses.has(found.status)) {
      const ended = await this.endAttempt(attempt, endReasonOfCall(found.status, found.answeredBy), found.callSid);
      if (ended) await this.afterAttemptEnded(ended, this.deps.clock(), 'reconcile');
    } else if ((await challenges.find(attempt.tenant_id, attempt.challenge_id))?.status !== 'pending') {
      await placer.hangUp(found.callSid).catch((error: unknown) => logger.warn({ err: error, attemptId: attempt.id }, 'hang-up failed'));
    }
    return true;
  }

  /**
   * The customer is on another ARS call: look again shortly, or, when the call could no longer be
   * rung and answered before the challenge expires, fail it as `another_call_in_progress`.
   */
  private async waitForLine(challenge: ChallengeRecord): Promise<PlaceResult> {
    const policy = arsPolicyOf(challenge.channelState);
    const latestPlacement = challenge.expiresAt.getTime() - (policy.ringTimeoutSeconds + callWindowSeconds) * 1000;
    const until = this.now() + lineRecheckMs;
    if (until > latestPlacement) return this.fail(challenge, 'failed', 'another_call_in_progress');
    return { kind: 'wait', until };
  }

  /** Ends an attempt once (audited); null when it had already ended. */
  async endAttempt(attempt: Pick<CallAttemptRow, 'tenant_id' | 'id' | 'challenge_id' | 'attempt_number'>, reason: string, callSid?: string): Promise<CallAttemptRow | null> {
    const ended = await callAttemptStore.end(this.deps.db, attempt.tenant_id, attempt.id, { reason, at: this.deps.clock() }, {
      tenantId: attempt.tenant_id,
      actor,
      action: 'ars.call_ended',
      subject: attempt.challenge_id,
      data: { attempt: attempt.attempt_number, reason, ...(callSid ? { callSid } : {}) },
    });
    if (ended) this.deps.metrics.callEnded(reason);
    return ended;
  }

  /**
   * After an attempt that decided nothing: the next attempt after its delay (counted from
   * `endedAt`, default now), or `unreachable`. `reconcile`: queue only when no job for the next
   * attempt is waiting already (the reconciler's repair). True when it queued or failed the challenge.
   */
  async afterAttemptEnded(attempt: CallAttemptRow, endedAt: Date = this.deps.clock(), mode: 'schedule' | 'reconcile' = 'schedule'): Promise<boolean> {
    const challenge = await this.deps.challenges.find(attempt.tenant_id, attempt.challenge_id);
    if (!challenge || challenge.status !== 'pending' || attempt.end_reason === 'canceled') return false;
    const policy = arsPolicyOf(challenge.channelState);
    const next = attempt.attempt_number + 1;
    if (next <= policy.callAttempts) {
      const delays = policy.retryDelaysSeconds;
      const seconds = delays[attempt.attempt_number - 1] ?? delays[delays.length - 1] ?? 0;
      const dueAt = endedAt.getTime() + Math.round(seconds * 1000 * this.deps.retryDelayScale);
      if (dueAt < challenge.expiresAt.getTime()) {
        const job = { tenantId: attempt.tenant_id, challengeId: attempt.challenge_id, attemptNumber: next };
        if (mode === 'reconcile') return this.deps.scheduler.ensure(job, dueAt - this.now());
        await this.deps.scheduler.schedule(job, dueAt - this.now());
        return true;
      }
    }
    await this.fail(challenge, 'failed', 'unreachable', { attempts: attempt.attempt_number, lastCall: attempt.end_reason });
    return true;
  }

  private now(): number {
    return nowMs(this.deps.clock);
  }

  /** `details` is public (result.details, audited too); `auditData` only goes to the audit trail. */
  private async fail(challenge: ChallengeRecord, status: Outcome['status'], reason: string, auditData: Record<string, unknown> = {}, details?: Record<string, unknown>): Promise<PlaceResult> {
    await this.deps.challenges.finish(challenge.tenantId, challenge.id, { status, reason, actor, auditData, ...(details ? { details } : {}) });
    return { kind: 'finished', reason };
  }
}
