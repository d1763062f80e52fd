// The ARS channel strategy (docs/ars-channel.md): eligible when the customer has a phone and a security number,
// ARS is not locked, the number is not suspended and is past its change cooldown; starting queues the first call
// attempt; stopping (expiry, cancel) hangs up a call in progress and removes retries still waiting.
import type { Db } from '../../storage/db.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Channel, Eligibility, EligibilityInput, PreparedChannel } from '../channel.ts';
import type { ChallengeRecord } from '../../challenges/challenge-record.ts';
import { arsCustomerStore } from './ars-customer-store.ts';
import { sectionOf } from '../../policy/policy-fields.ts';
import { arsPolicy } from './ars-policy.ts';
import { arsPolicyOf, type CallPlacer, type PlaceCallScheduler } from './ars-ports.ts';
import { callAttemptStore } from './call-attempt-store.ts';
import { inNumberChangeCooldown } from './number-vetting.ts';
import type { Clock } from '../../time/clock.ts';

export class ArsChannel implements Channel {
  readonly name = 'ars' as const;

  constructor(private readonly deps: { db: Db; placer: CallPlacer; scheduler: PlaceCallScheduler; logger: Logger; clock: Clock }) {}

  async eligibility({ tenantId, customerId, policy }: EligibilityInput): Promise<Eligibility> {
    const customer = await arsCustomerStore.get(this.deps.db, tenantId, customerId);
    if (!customer?.phone_enc) return { eligible: false, reason: 'no_phone' };
    if (!customer.secret_enc || !customer.secret_length) return { eligible: false, reason: 'no_knowledge_secret' };
    if (customer.secret_length < sectionOf(policy, arsPolicy).secretPositions) return { eligible: false, reason: 'knowledge_secret_too_short' };
    if (customer.locked_at) return { eligible: false, reason: 'ars_locked' };
    // The customer said on the call to the old number that they did not change it (docs/ars-channel.md).
    if (customer.phone_suspended_at) return { eligible: false, reason: 'phone_suspended' };
    // Known without asking any number source: the next channel can take over (docs/policy-reference.md channel choice).
    if (inNumberChangeCooldown(sectionOf(policy, arsPolicy), customer.number_changed_at, this.deps.clock())) return { eligible: false, reason: 'number_recently_changed' };
    return { eligible: true };
  }

  async prepare({ tenantId, customerId, policy }: EligibilityInput): Promise<PreparedChannel> {
    const customer = await arsCustomerStore.get(this.deps.db, tenantId, customerId);
    // The ARS policy is frozen with the challenge: retries and limits do not change mid-challenge.
    return { state: { ars: sectionOf(policy, arsPolicy) }, details: { phone: customer?.phone_masked ?? null } };
  }

  async start(challenge: ChallengeRecord): Promise<void> {
    await this.deps.scheduler.schedule({ tenantId: challenge.tenantId, challengeId: challenge.id, attemptNumber: 1 }, 0);
  }

  async stop(challenge: ChallengeRecord): Promise<void> {
    const { db, placer, scheduler, logger } = this.deps;
    const attempts = arsPolicyOf(challenge.channelState)?.callAttempts ?? 5;
    await scheduler.cancelPending(challenge.id, Array.from({ length: attempts }, (_, index) => index + 1));
    for (const callSid of await callAttemptStore.liveCallSids(db, challenge.tenantId, challenge.id)) {
      await placer.hangUp(callSid).catch((error: unknown) => logger.warn({ err: error, challengeId: challenge.id }, 'hang-up failed'));
    }
  }
}
