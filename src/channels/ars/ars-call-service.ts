// The conversation of one call attempt (docs/ars-channel.md "The call" 2–4), driven by Twilio's webhooks and
// answered with CallSteps. Each webhook runs in one transaction that locks its attempt row, so a
// webhook of another attempt, a retried webhook and two processes racing on one webhook all see a
// consistent attempt: a stale one changes nothing, a retry gets the reply it got the first time.
import type { Clock } from '../../time/clock.ts';
import type { Db, Queryable } from '../../storage/db.ts';
import type { Envelope } from '../../crypto/envelope.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Outcome } from '../../challenges/challenge-service.ts';
import type { ChallengeOutcomes } from '../channel.ts';
import type { ChallengeRecord } from '../../challenges/challenge-record.ts';
import type { TenantStore } from '../../tenants/tenant-store.ts';
import { bankNameFor } from '../../tenants/bank-name.ts';
import type { CallTransactionView } from './call-transaction.ts';
import { interpretDigits } from './interpret-digits.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { arsCustomerStore, type ArsCustomerRow } from './ars-customer-store.ts';
import type { ArsDialer } from './ars-dialer.ts';
import { secretContext } from './ars-enrollment.ts';
import { arsPolicyOf } from './ars-ports.ts';
import { answeredByMachine, callAttemptStore, endReasonOfCall, type CallAttemptRow } from './call-attempt-store.ts';
import type { CallEnding, CallStep } from './call-step.ts';
import { digitsMatch } from './knowledge-secret.ts';
import { drawPositions, positionHistoryOf, rememberPositions } from './position-draw.ts';
import type { ArsMetrics } from './ars-metrics.ts';

/** A step and what rendering it needs (the call's language, the bank's name, the transaction). */
export interface CallScript {
  step: CallStep;
  locale: string;
  bankName: string;
  transaction: CallTransactionView | null;
}

export interface CallWebhook {
  tenantId: string;
  attemptId: string;
  callSid: string;
}

export interface ArsCallServiceDeps {
  db: Db;
  envelope: Envelope;
  challenges: ChallengeOutcomes;
  tenants: TenantStore;
  dialer: ArsDialer;
  logger: Logger;
  metrics: ArsMetrics;
  /** Now, for the attempt's answered time (the application's injectable clock). */
  clock: Clock;
}

interface Turn {
  step: CallStep;
  outcome?: Omit<Outcome, 'actor'>;
}

const actor = 'channel:ars';
const hangup: Turn = { step: { kind: 'hangup' } };
/** ARS is locked for the customer: the call says so and the challenge is denied. */
const lockedTurn: Turn = { step: { kind: 'goodbye', ending: 'locked' }, outcome: { status: 'denied', reason: 'too_many_failures', auditData: { locked: true } } };

/** What the call says when the challenge already ended. */
function endingOf(challenge: ChallengeRecord): CallEnding {
  switch (challenge.status) {
    case 'approved':
      return 'approved';
    case 'expired':
      return 'expired';
    case 'denied':
      return challenge.resultReason === 'customer_rejected' ? 'rejected' : 'too_many_failures';
    default:
      return 'canceled';
  }
}

function transactionView(challenge: ChallengeRecord): CallTransactionView {
  const { transaction } = challenge;
  return {
    type: transaction.type,
    ...(transaction.payee?.name ? { payeeName: transaction.payee.name } : {}),
    ...(transaction.payee?.bank ? { payeeBank: transaction.payee.bank } : {}),
    ...(transaction.payee?.account ? { payeeAccount: transaction.payee.account } : {}),
    ...(transaction.amountMinor !== undefined && transaction.amount ? { amountMinor: transaction.amountMinor, currency: transaction.amount.currency } : {}),
  };
}

export class ArsCallService {
  constructor(private readonly deps: ArsCallServiceDeps) {}

  /** The TwiML fetch when the call is answered (with AnsweredBy from answering-machine detection). */
  answered(hook: CallWebhook & { answeredBy: string | undefined }): Promise<CallScript> {
    return this.turn(hook, async (tx, attempt, challenge, customer) => {
      if (attempt.status === 'answered') return { step: attempt.last_step ?? hangup.step };
      if (attempt.status !== 'dialing') return hangup;
      // docs/ars-channel.md step 1: a machine is hung up on without reading anything.
      if (answeredByMachine(hook.answeredBy)) {
        await callAttemptStore.update(tx, attempt.tenant_id, attempt.id, { answered_by: hook.answeredBy });
        return hangup;
      }
      let turn: Turn;
      let positions: number[] | undefined;
      if (challenge.status !== 'pending') turn = { step: { kind: 'goodbye', ending: endingOf(challenge) } };
      else if (!customer?.secret_enc || !customer.secret_length) turn = { step: { kind: 'goodbye', ending: 'canceled' }, outcome: { status: 'failed', reason: 'not_enrolled' } };
      else if (customer.locked_at) turn = lockedTurn;
      // Detection not sure (or absent): a voicemail must not record the payee or the amount, so
      // a key press has to show that someone is listening first (docs/call-script.md).
      else if (hook.answeredBy !== 'human') turn = { step: { kind: 'listener_check', ask: 1 } };
      else {
        positions = await this.newPositions(tx, customer, challenge);
        turn = { step: { kind: 'intro', positions, ask: 1, noInputHook: true } };
      }
      await callAttemptStore.update(
        tx,
        attempt.tenant_id,
        attempt.id,
        { status: 'answered', answeredAt: this.deps.clock(), answered_by: hook.answeredBy ?? 'unknown', ask_seq: 1, last_step: turn.step, ...(positions ? { positions } : {}) },
        { tenantId: attempt.tenant_id, actor, action: 'ars.call_answered', subject: challenge.id, data: { attempt: attempt.attempt_number, answeredBy: hook.answeredBy ?? 'unknown' } },
      );
      return turn;
    });
  }

  /** The Gather's action: the keys pressed for question `ask`. */
  gathered(hook: CallWebhook & { ask: number; digits: string | undefined }): Promise<CallScript> {
    return this.turn(hook, async (tx, attempt, challenge, customer) => {
      const replay = this.replayed(attempt, hook.ask);
      if (replay) return replay;
      if (attempt.last_step?.kind === 'listener_check') return this.listenerAnswered(tx, attempt, challenge, customer, hook.digits);
      const positions = attempt.positions ?? [];
      const next = attempt.ask_seq + 1;
      let turn: Turn;
      let result: string;
      let answers = attempt.answers_given;
      let askedNow = positions;
      let failures: number | undefined;
      const keys = challenge.status === 'pending' ? interpretDigits(hook.digits, positions.length) : null;
      // The lock is read under the customer's row lock (lockForWebhook), the same lock every failure
      // count takes: ARS locked by another call ends this one, whatever was pressed — a right answer
      // never gets past a lock. Only `*` is still heard: reporting fraud denies the challenge too.
      if (keys !== null && keys.kind !== 'reject' && customer?.locked_at) {
        result = 'locked';
        turn = lockedTurn;
      } else if (keys === null) {
        result = 'challenge_ended';
        turn = { step: { kind: 'goodbye', ending: endingOf(challenge) } };
      } else if (keys.kind === 'reject') {
        // docs/ars-channel.md step 3: `*` — "I did not request this".
        result = 'reject';
        turn = { step: { kind: 'goodbye', ending: 'rejected' }, outcome: { status: 'denied', reason: 'customer_rejected', fraudReported: true } };
      } else if (keys.kind === 'repeat') {
        result = 'repeat';
        turn = { step: { kind: 'repeat', positions, ask: next, noInputHook: attempt.no_inputs < 1 } };
      } else if (keys.kind === 'no_input') {
        result = 'no_input';
        turn = { step: { kind: 'ask_again', positions, ask: next, wrong: false, noInputHook: false } };
      } else {
        const checked = await this.checkAnswer(tx, attempt, challenge, customer, keys.kind === 'answer' ? keys.digits : null, next);
        if (!checked) return { step: { kind: 'goodbye', ending: 'canceled' }, outcome: { status: 'failed', reason: 'not_enrolled' } };
        ({ turn, result, failures, askedNow } = checked);
        answers += 1;
      }
      await callAttemptStore.update(
        tx,
        attempt.tenant_id,
        attempt.id,
        { ask_seq: next, last_step: turn.step, positions: askedNow, answers_given: answers, ...(result === 'no_input' ? { no_inputs: attempt.no_inputs + 1 } : {}) },
        { tenantId: attempt.tenant_id, actor, action: 'ars.answer', subject: challenge.id, data: { attempt: attempt.attempt_number, ask: hook.ask, result, ...(failures !== undefined ? { consecutiveFailures: failures } : {}) } },
      );
      this.deps.metrics.answer(result);
      return turn;
    });
  }

  /**
   * The key pressed at the listener check: `1` → the greeting, the transaction and the first ask;
   * any other key → hang up without a word (the attempt reached nobody who confirmed listening).
   */
  private async listenerAnswered(tx: Queryable, attempt: CallAttemptRow, challenge: ChallengeRecord, customer: ArsCustomerRow | null, digits: string | undefined): Promise<Turn> {
    const next = attempt.ask_seq + 1;
    let turn: Turn;
    let positions: number[] | undefined;
    if (challenge.status !== 'pending') turn = { step: { kind: 'goodbye', ending: endingOf(challenge) } };
    else if (!customer?.secret_enc || !customer.secret_length) turn = { step: { kind: 'goodbye', ending: 'canceled' }, outcome: { status: 'failed', reason: 'not_enrolled' } };
    else if (customer.locked_at) turn = lockedTurn;
    else if ((digits ?? '').trim() !== '1') turn = hangup;
    else {
      positions = await this.newPositions(tx, customer, challenge);
      turn = { step: { kind: 'intro', positions, ask: next, noInputHook: true } };
    }
    const listening = turn.step.kind === 'intro';
    await callAttemptStore.update(
      tx,
      attempt.tenant_id,
      attempt.id,
      { ask_seq: next, last_step: turn.step, ...(positions ? { positions } : {}) },
      { tenantId: attempt.tenant_id, actor, action: 'ars.listener_check', subject: challenge.id, data: { attempt: attempt.attempt_number, listening } },
    );
    return turn;
  }

  /**
   * A full or partial answer (docs/ars-channel.md step 4): right → approved; wrong or incomplete → counted
   * toward the lock (across calls), then a new set of positions, the end of the call's answers, or
   * the lock. Null when the customer's secret is gone (erased during the call).
   */
  private async checkAnswer(
    tx: Queryable,
    attempt: CallAttemptRow,
    challenge: ChallengeRecord,
    customer: ArsCustomerRow | null,
    digits: string | null,
    next: number,
  ): Promise<{ turn: Turn; result: string; failures?: number; askedNow: number[] } | null> {
    const policy = arsPolicyOf(challenge.channelState);
    const positions = attempt.positions ?? [];
    if (!customer?.secret_enc) return null;
    let right = false;
    if (digits !== null) {
      // Decrypted only for this comparison, compared in constant time, then wiped.
      const secret = this.deps.envelope.decrypt(customer.secret_enc, secretContext(attempt.tenant_id, attempt.customer_id));
      try {
        right = digitsMatch(secret, positions, digits);
      } finally {
        secret.fill(0);
      }
    }
    if (right) {
      if (customer.consecutive_failures > 0) await arsCustomerStore.resetFailures(tx, attempt.tenant_id, attempt.customer_id);
      return { turn: { step: { kind: 'goodbye', ending: 'approved' }, outcome: { status: 'approved', reason: 'knowledge_verified' } }, result: 'right', askedNow: positions };
    }
    const result = digits !== null ? 'wrong' : 'incomplete';
    const { failures, locked } = await arsCustomerStore.recordFailure(tx, attempt.tenant_id, attempt.customer_id, policy.lockAfterConsecutiveFailures);
    if (locked) {
      await appendAudit(tx, { tenantId: attempt.tenant_id, actor, action: 'ars.locked', subject: attempt.customer_id, data: { challengeId: challenge.id, failures } });
      return { turn: { step: { kind: 'goodbye', ending: 'locked' }, outcome: { status: 'denied', reason: 'too_many_failures', auditData: { locked: true } } }, result, failures, askedNow: positions };
    }
    if (attempt.answers_given + 1 >= policy.maxAnswersPerCall) {
      return { turn: { step: { kind: 'goodbye', ending: 'too_many_failures' }, outcome: { status: 'denied', reason: 'too_many_failures' } }, result, failures, askedNow: positions };
    }
    // A wrong answer gets a NEW set of positions.
    const askedNow = await this.newPositions(tx, customer, challenge);
    return { turn: { step: { kind: 'ask_again', positions: askedNow, ask: next, wrong: true, noInputHook: attempt.no_inputs < 1 } }, result, failures, askedNow };
  }

  /** Redirected here when the Gather heard nothing: ask once more, then the TwiML says goodbye. */
  noInput(hook: CallWebhook & { ask: number }): Promise<CallScript> {
    return this.turn(hook, async (tx, attempt, challenge, customer) => {
      const replay = this.replayed(attempt, hook.ask);
      if (replay) return replay;
      let turn: Turn;
      if (challenge.status !== 'pending') turn = { step: { kind: 'goodbye', ending: endingOf(challenge) } };
      else if (customer?.locked_at) turn = lockedTurn;
      else turn = { step: { kind: 'ask_again', positions: attempt.positions ?? [], ask: attempt.ask_seq + 1, wrong: false, noInputHook: false } };
      await callAttemptStore.update(tx, attempt.tenant_id, attempt.id, { ask_seq: attempt.ask_seq + 1, last_step: turn.step, no_inputs: attempt.no_inputs + 1 });
      return turn;
    });
  }

  /** The final status callback: ends the attempt once, then retries or fails the challenge. */
  async callEnded(hook: CallWebhook & { callStatus: string }): Promise<void> {
    const { db, dialer } = this.deps;
    const attempt = await callAttemptStore.get(db, hook.tenantId, hook.attemptId);
    if (!attempt) return;
    if (attempt.status === 'ended') {
      // A callback retried after its first try ended the attempt but could not queue the next
      // call (Redis away): queue it now, unless it is queued already.
      const ended = attempt as CallAttemptRow & { ended_at: Date | null };
      if (attempt.call_sid === hook.callSid) await dialer.afterAttemptEnded(attempt, ended.ended_at ?? this.deps.clock(), 'reconcile');
      return;
    }
    if (!(await callAttemptStore.bindCall(db, hook.tenantId, hook.attemptId, hook.callSid))) return;
    const ended = await dialer.endAttempt(attempt, endReasonOfCall(hook.callStatus, attempt.answered_by), hook.callSid);
    if (ended) await dialer.afterAttemptEnded(ended);
  }

  private replayed(attempt: CallAttemptRow, ask: number): Turn | null {
    if (attempt.status !== 'answered') return hangup;
    if (ask === attempt.ask_seq) return null;
    // A retried webhook for a question already answered: the same reply, nothing counted twice.
    return ask === attempt.ask_seq - 1 && attempt.last_step ? { step: attempt.last_step } : hangup;
  }

  private async newPositions(tx: Queryable, customer: ArsCustomerRow, challenge: ChallengeRecord): Promise<number[]> {
    const policy = arsPolicyOf(challenge.channelState);
    const positions = drawPositions(customer.secret_length!, policy.secretPositions, positionHistoryOf(customer.recent_positions));
    customer.recent_positions = rememberPositions(positionHistoryOf(customer.recent_positions), challenge.id, positions);
    await arsCustomerStore.setRecentPositions(tx, customer.tenant_id, customer.customer_id, customer.recent_positions);
    return positions;
  }

  /**
   * Runs one webhook: the attempt row locked, bound to this call, and the challenge read inside
   * the transaction; the outcome (if any) is applied through ChallengeService.finishIn in the same
   * transaction, so the customer's answer and the challenge's decision commit together or not at
   * all (a webhook that fails for an outage is answered 503 and changes nothing).
   */
  private async turn(
    hook: CallWebhook,
    decide: (tx: Queryable, attempt: CallAttemptRow, challenge: ChallengeRecord, customer: ArsCustomerRow | null) => Promise<Turn>,
  ): Promise<CallScript> {
    const { db, challenges, tenants } = this.deps;
    const tenant = await tenants.getCached(hook.tenantId);
    const decided = await db.tx(async (tx) => {
      const locked = await callAttemptStore.lockForWebhook(tx, hook.tenantId, hook.attemptId);
      if (!locked) return null;
      const { attempt } = locked;
      if (attempt.call_sid === null) {
        // The webhook outran the Calls.create answer: bind the attempt to this (signed) call now.
        await callAttemptStore.bindCall(tx, hook.tenantId, hook.attemptId, hook.callSid);
        attempt.call_sid = hook.callSid;
        if (attempt.status === 'claimed') attempt.status = 'dialing';
      }
      // Bound to one call: another call's webhook for this attempt changes nothing.
      if (attempt.call_sid !== hook.callSid) return null;
      const challenge = await challenges.findIn(tx, hook.tenantId, attempt.challenge_id);
      if (!challenge) return null;
      const turn = await decide(tx, attempt, challenge, locked.customer);
      if (!turn.outcome) return { challenge, turn, finished: null };
      const finished = await challenges.finishIn(tx, { ...turn.outcome, actor, auditData: { ...turn.outcome.auditData } }, challenge);
      return { challenge, turn, finished };
    });
    if (!decided || !tenant) return { ...hangup, locale: 'ko-KR', bankName: '', transaction: null };
    let { step } = decided.turn;
    const { challenge, finished } = decided;
    if (finished) {
      await finished.afterCommit();
      // Expired or canceled a moment earlier: say what really happened.
      if (!finished.changed) step = { kind: 'goodbye', ending: endingOf(finished.challenge) };
    }
    return { step, locale: challenge.locale, bankName: bankNameFor(tenant, challenge.locale), transaction: transactionView(challenge) };
  }
}
