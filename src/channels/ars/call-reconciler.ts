// The ARS safety net (docs/reliability.md): what Twilio's webhooks and the place-call queue should
// have done but could not (API down, PostgreSQL restarting, Redis away, a worker killed) is found
// in the database and finished here. Every repair is idempotent — attempts are claimed once per
// (challenge, attempt number), and a second reconciler running at the same time changes nothing.
//
//  1. Attempts `dialing`/`answered` for a while: the call is fetched from Twilio; a call that has
//     ended there ends here too (and the next attempt is queued, or the challenge fails).
//  2. Attempts `claimed` long past the claim lease with no call: the place-call job is queued again
//     (the dialer takes the stale claim over).
//  3. Pending ARS challenges with no attempt: the first call is queued (its job was lost).
//  4. Pending ARS challenges whose last attempt ended and nothing followed: the next attempt is
//     queued after what is left of its retry delay, or the challenge fails as `unreachable`.
//  5. Attempts `claimed` long past the lease, with no call, whose challenge has ended meanwhile (the
//     worker died between claiming and dialing): ended as `canceled`, nothing is dialed.
//  6. Attempts `dialing` with no call (Calls.create timed out) and no webhook since: the provider's
//     calls to the number are listed; the call found is bound, none found is a failed dial.
//
// Case 1 has a bound (docs/security.md, L5): a call the provider cannot report on (its fetch fails,
// or answers nothing usable) is asked about again on later runs, but once the attempt is older than any
// call can last (`giveUpAfterSeconds`) it is ended as `status_unknown` and never looked at again.
import type { Db } from '../../storage/db.ts';
import type { Logger } from '../../observability/logger.ts';
import type { ArsDialer } from './ars-dialer.ts';
import type { CallPlacer, PlaceCallScheduler } from './ars-ports.ts';
import { claimLeaseSeconds, endReasonOfCall, endedCallStatuses, type CallAttemptRow } from './call-attempt-store.ts';
import type { ArsMetrics } from './ars-metrics.ts';
import type { Clock } from '../../time/clock.ts';

export interface ReconcilerOptions {
  /**
   * How long the normal path (webhooks, the queue) is given first (default 20 s): live attempts
   * older than this are checked with Twilio; challenges and ended attempts idle this long are looked at.
   */
  afterSeconds?: number;
  /** Rows looked at per case and run. */
  batch?: number;
  /**
   * How long after its claim a live attempt whose call cannot be fetched is given up on, ended as
   * `status_unknown` (default 3600 s: a challenge lives at most 600 s, so no call lasts that long).
   */
  giveUpAfterSeconds?: number;
}

export type ReconcileCase = 'attempt_closed' | 'claim_requeued' | 'first_call_queued' | 'next_call_queued' | 'abandoned_claim_closed' | 'uncertain_dial_resolved';

export class CallReconciler {
  constructor(
    private readonly deps: { db: Db; dialer: ArsDialer; placer: CallPlacer; scheduler: PlaceCallScheduler; logger: Logger; metrics: ArsMetrics; clock: Clock },
    private readonly options: ReconcilerOptions = {},
  ) {}

  private get after(): number {
    return this.options.afterSeconds ?? 20;
  }

  private get batch(): number {
    return this.options.batch ?? 200;
  }

  /** One pass over every case; returns how many repairs of each kind it made. */
  async run(): Promise<Record<ReconcileCase, number>> {
    const counts: Record<ReconcileCase, number> = { attempt_closed: 0, claim_requeued: 0, first_call_queued: 0, next_call_queued: 0, abandoned_claim_closed: 0, uncertain_dial_resolved: 0 };
    const repaired = (kind: ReconcileCase) => {
      counts[kind] += 1;
      this.deps.metrics.reconciled(kind);
    };
    for (const attempt of await this.liveAttempts()) {
      const closed = await this.closeIfEnded(attempt);
      // The provider does not answer (frozen, down): every further fetch would wait out its
      // timeout too and hold up the cases below; the next run tries again.
      if (closed === 'provider_unavailable') break;
      if (closed) repaired('attempt_closed');
    }
    for (const attempt of await this.uncertainDials()) {
      const resolved = await this.deps.dialer.resolveUncertainDial(attempt);
      if (resolved === 'provider_unavailable') break;
      if (resolved) repaired('uncertain_dial_resolved');
    }
    for (const attempt of await this.staleClaims()) {
      if (await this.deps.scheduler.ensure({ tenantId: attempt.tenant_id, challengeId: attempt.challenge_id, attemptNumber: attempt.attempt_number }, 0)) repaired('claim_requeued');
    }
    for (const challenge of await this.challengesWithoutAttempt()) {
      if (await this.deps.scheduler.ensure({ tenantId: challenge.tenant_id, challengeId: challenge.id, attemptNumber: 1 }, 0)) repaired('first_call_queued');
    }
    for (const attempt of await this.abandonedClaims()) {
      if (await this.deps.dialer.endAttempt(attempt, 'canceled')) repaired('abandoned_claim_closed');
    }
    for (const attempt of await this.strandedLastAttempts()) {
      if (await this.deps.dialer.afterAttemptEnded(attempt, attempt.ended_at, 'reconcile')) repaired('next_call_queued');
    }
    if (Object.values(counts).some((n) => n > 0)) this.deps.logger.warn({ repaired: counts }, 'ARS reconciler repaired call attempts');
    this.deps.metrics.reconcileRan();
    return counts;
  }

  private async closeIfEnded(attempt: CallAttemptRow & { overdue: boolean }): Promise<boolean | 'provider_unavailable'> {
    let call: { status: string; answeredBy: string | null } | null;
    try {
      call = await this.deps.placer.fetchCall(attempt.call_sid!);
    } catch (error) {
      this.deps.logger.warn({ err: error, attemptId: attempt.id, givingUp: attempt.overdue }, 'reconciler: fetching the call failed');
      // The provider does not answer about this call. Past the bound no call lasts this long, and
      // asking again every run would never end; before it, the provider may be down for all calls.
      if (!attempt.overdue) return 'provider_unavailable';
      const ended = await this.deps.dialer.endAttempt(attempt, 'status_unknown');
      if (!ended) return false;
      await this.deps.dialer.afterAttemptEnded(ended, this.deps.clock(), 'reconcile');
      return true;
    }
    if (call !== null && !endedCallStatuses.has(call.status)) return false;
    // Unknown to the provider: the call never went out.
    const reason = call === null ? 'dial_failed' : endReasonOfCall(call.status, attempt.answered_by ?? call.answeredBy);
    const ended = await this.deps.dialer.endAttempt(attempt, reason, attempt.call_sid ?? undefined);
    if (!ended) return false;
    await this.deps.dialer.afterAttemptEnded(ended, this.deps.clock(), 'reconcile');
    return true;
  }

  /** `overdue`: claimed longer ago than the bound. */
  private async liveAttempts(): Promise<(CallAttemptRow & { overdue: boolean })[]> {
    const result = await this.deps.db.query<CallAttemptRow & { overdue: boolean }>(
      `SELECT *, claimed_at < $4::timestamptz - make_interval(secs => $3::double precision) AS overdue FROM ars_call_attempts
       WHERE status IN ('dialing', 'answered') AND call_sid IS NOT NULL AND claimed_at < $4::timestamptz - make_interval(secs => $1::double precision)
       ORDER BY claimed_at LIMIT $2`,
      [this.after, this.batch, this.options.giveUpAfterSeconds ?? 3600, this.deps.clock()],
    );
    return result.rows;
  }

  /** Calls.create sent, its answer lost, and no webhook since: the provider is asked. */
  private async uncertainDials(): Promise<CallAttemptRow[]> {
    const result = await this.deps.db.query<CallAttemptRow>(
      `SELECT * FROM ars_call_attempts
       WHERE status = 'dialing' AND call_sid IS NULL AND claimed_at < $3::timestamptz - make_interval(secs => $1::double precision)
       ORDER BY claimed_at LIMIT $2`,
      [this.after, this.batch, this.deps.clock()],
    );
    return result.rows;
  }

  private async staleClaims(): Promise<CallAttemptRow[]> {
    const result = await this.deps.db.query<CallAttemptRow>(
      `SELECT a.* FROM ars_call_attempts a JOIN challenge_states c ON c.tenant_id = a.tenant_id AND c.id = a.challenge_id
       WHERE a.status = 'claimed' AND a.call_sid IS NULL AND a.claimed_at < $3::timestamptz - make_interval(secs => $1::double precision) AND c.status = 'pending'
       ORDER BY a.claimed_at LIMIT $2`,
      [Math.max(this.after, 2 * claimLeaseSeconds), this.batch, this.deps.clock()],
    );
    return result.rows;
  }

  private async abandonedClaims(): Promise<CallAttemptRow[]> {
    const result = await this.deps.db.query<CallAttemptRow>(
      `SELECT a.* FROM ars_call_attempts a JOIN challenge_states c ON c.tenant_id = a.tenant_id AND c.id = a.challenge_id
       WHERE a.status = 'claimed' AND a.call_sid IS NULL AND a.claimed_at < $3::timestamptz - make_interval(secs => $1::double precision) AND c.status <> 'pending'
       ORDER BY a.claimed_at LIMIT $2`,
      [Math.max(this.after, 2 * claimLeaseSeconds), this.batch, this.deps.clock()],
    );
    return result.rows;
  }

  private async challengesWithoutAttempt(): Promise<{ tenant_id: string; id: string }[]> {
    const result = await this.deps.db.query<{ tenant_id: string; id: string }>(
      `SELECT c.tenant_id, c.id FROM challenge_states c
       WHERE c.status = 'pending' AND c.channel = 'ars' AND c.created_at < $3::timestamptz - make_interval(secs => $1::double precision)
         AND NOT EXISTS (SELECT 1 FROM ars_call_attempts a WHERE a.tenant_id = c.tenant_id AND a.challenge_id = c.id)
       ORDER BY c.created_at LIMIT $2`,
      [this.after, this.batch, this.deps.clock()],
    );
    return result.rows;
  }

  /** The last attempt of a pending challenge, ended, with no later attempt claimed. */
  private async strandedLastAttempts(): Promise<(CallAttemptRow & { ended_at: Date })[]> {
    const result = await this.deps.db.query<CallAttemptRow & { ended_at: Date }>(
      `SELECT a.* FROM ars_call_attempts a JOIN challenge_states c ON c.tenant_id = a.tenant_id AND c.id = a.challenge_id
       WHERE c.status = 'pending' AND c.channel = 'ars' AND a.status = 'ended' AND a.end_reason <> 'canceled'
         AND a.ended_at < $3::timestamptz - make_interval(secs => $1::double precision)
         AND NOT EXISTS (SELECT 1 FROM ars_call_attempts later WHERE later.tenant_id = a.tenant_id AND later.challenge_id = a.challenge_id AND later.attempt_number > a.attempt_number)
       ORDER BY a.ended_at LIMIT $2`,
      [this.after, this.batch, this.deps.clock()],
    );
    return result.rows;
  }
}
