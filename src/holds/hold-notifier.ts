// The notification calls of a held transfer (docs/holds.md, docs/call-script.md "The notification call"):
// one at each of the hold's notifyAt times while the stop window is open, to the customer's phone;
// the call reads what was approved and when it will be sent, and `9` stops it. Nothing on the call
// can release a transfer early or asks for a secret. Calls are BullMQ delayed jobs; PostgreSQL
// decides (a call is claimed once per challenge and seq) and the sweep places what a lost job left.
import type { Queue } from 'bullmq';
import type { Db, Queryable } from '../storage/db.ts';
import type { Logger } from '../observability/logger.ts';
import type { ChallengeStore } from '../challenges/challenge-store.ts';
import type { ChallengeRecord } from '../challenges/challenge-record.ts';
import type { TenantStore } from '../tenants/tenant-store.ts';
import type { PolicyStore } from '../tenants/policy-store.ts';
import { bankNameFor } from '../tenants/bank-name.ts';
import { ProblemError } from '../errors/problem.ts';
import type { HoldService } from './hold-service.ts';
import { appendHoldNotification } from './hold-store.ts';
import { holdNotificationStore, type HoldNotificationRow } from './hold-notification-store.ts';
import { holdNotifyJobId, type HoldNotifyJob } from './hold-queue.ts';
import { afterNoticeKey, firstNoticeStep, isMachine, type HoldCallNotice, type HoldCallScript, type HoldCallStep } from './hold-call-step.ts';

/** A number the customer may be called on (E.164), with when it replaced the customer's ARS phone (null: it did not). */
export interface HoldNotificationNumber {
  to: string;
  numberChangedAt: Date | null;
}

/** Where the customer may be called, first choice first: the ARS phone, then one enrolled for notifications only. */
export interface HoldNotificationPhones {
  phonesOf(tenantId: string, customerId: string): Promise<HoldNotificationNumber[]>;
}

/** Places a notification call whose webhooks name the tenant and the notification. */
export interface HoldCallPlacer {
  place(call: { tenantId: string; notificationId: string; to: string }): Promise<{ callSid: string }>;
}

/**
 * Asked before every notification call (docs/holds.md, "The notification phone"): the number is vetted
 * again (forwarding can be switched on at any time; never forwarded, VoIP or premium; an ARS phone
 * inside its change cooldown is not told) and the call is taken from the customer's call budget, as
 * ARS calls are. A refusal names the outcome.
 */
export interface HoldCallGuard {
  admit(call: { tenantId: string; customerId: string } & HoldNotificationNumber): Promise<{ admitted: true } | { admitted: false; outcome: 'number_ineligible' | 'number_recently_changed' | 'call_cap_reached' }>;
}

export interface HoldCallWebhook {
  tenantId: string;
  notificationId: string;
  callSid: string;
}

export interface HoldNotifierDeps {
  db: Db;
  store: ChallengeStore;
  holds: HoldService;
  tenants: TenantStore;
  policies: PolicyStore;
  phones: HoldNotificationPhones;
  placer: HoldCallPlacer;
  guard: HoldCallGuard;
  queue: Queue<HoldNotifyJob>;
  logger: Logger;
  clock?: (() => Date) | undefined;
}

const hangup: HoldCallStep = { kind: 'hangup' };
/** Outcomes after which the customer knows: no later call is placed. */
const informed = new Set(['heard', 'stopped']);
const sweepBatch = 200;

export class HoldNotifier {
  constructor(private readonly deps: HoldNotifierDeps) {}

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  /** Queues each notification call of a committed held challenge at its time (idempotent per call). */
  async schedule(record: ChallengeRecord): Promise<void> {
    if (!record.hold || record.hold.state !== 'held') return;
    const now = this.now().getTime();
    for (const [seq, at] of record.hold.notifyAt.entries()) {
      await this.deps.queue.add('notify', { tenantId: record.tenantId, challengeId: record.id, seq }, { jobId: holdNotifyJobId(record.id, seq), delay: Math.max(0, at.getTime() - now) });
    }
  }

  /** Places notification `seq` if it is due, still useful and not placed before. */
  async notify(job: HoldNotifyJob): Promise<'placed' | 'not-due' | 'skipped'> {
    const { db, phones, placer, logger } = this.deps;
    const { tenantId, challengeId, seq } = job;
    const challenge = await this.deps.store.get(db, tenantId, challengeId);
    const hold = challenge?.hold;
    const at = hold?.notifyAt[seq];
    if (!challenge || !hold || !at || hold.state !== 'held') return 'skipped';
    const now = this.now();
    if (at.getTime() > now.getTime()) return 'not-due';
    if (now.getTime() >= hold.stopClosesAt.getTime()) return 'skipped';
    const earlier = await holdNotificationStore.ofChallenge(db, tenantId, challengeId);
    if (earlier.some((row) => row.seq === seq)) return 'skipped';
    if (earlier.some((row) => informed.has(row.outcome ?? ''))) {
      await holdNotificationStore.claim(db, tenantId, challengeId, seq, 'ended', 'not_needed');
      return 'skipped';
    }
    const numbers = await phones.phonesOf(tenantId, challenge.customerId);
    if (numbers.length === 0) {
      if (await holdNotificationStore.claim(db, tenantId, challengeId, seq, 'ended', 'no_phone')) await appendHoldNotification(db, tenantId, challengeId, { at: now, outcome: 'no_phone' });
      return 'skipped';
    }
    const id = await holdNotificationStore.claim(db, tenantId, challengeId, seq, 'dialing');
    if (!id) return 'skipped';
    try {
      // Claimed first, so a call budget is spent only by the one worker that will dial. The first
      // number the guard admits is rung; the first refusal (the ARS phone's) is the outcome otherwise.
      const to = await this.firstAdmitted(tenantId, challenge.customerId, numbers);
      if (typeof to !== 'string') {
        await this.end(db, tenantId, challengeId, id, to.outcome);
        return 'skipped';
      }
      const { callSid } = await placer.place({ tenantId, notificationId: id, to });
      // The answer webhook may have bound the call already (it can outrun Calls.create's answer).
      await db.query('UPDATE hold_notifications SET call_sid = $3 WHERE tenant_id = $1 AND id = $2 AND call_sid IS NULL', [tenantId, id, callSid]);
    } catch (error) {
      logger.warn({ err: error, challengeId, seq }, 'notification call could not be placed');
      await this.end(db, tenantId, challengeId, id, 'failed');
    }
    return 'placed';
  }

  private async firstAdmitted(tenantId: string, customerId: string, numbers: readonly HoldNotificationNumber[]): Promise<string | { outcome: string }> {
    let refusal: string | undefined;
    for (const number of numbers) {
      const admission = await this.deps.guard.admit({ tenantId, customerId, ...number });
      if (admission.admitted) return number.to;
      refusal ??= admission.outcome;
    }
    return { outcome: refusal ?? 'no_phone' };
  }

  /** Places the due calls of every open hold whose jobs were lost (the clock-driven source of truth). */
  async sweep(): Promise<{ notified: number }> {
    let notified = 0;
    for (const { tenantId, id } of await holdNotificationStore.openHolds(this.deps.db, this.now(), sweepBatch)) {
      const challenge = await this.deps.store.get(this.deps.db, tenantId, id);
      for (const seq of challenge?.hold?.notifyAt.keys() ?? []) {
        if ((await this.notify({ tenantId, challengeId: id, seq })) === 'placed') notified += 1;
      }
    }
    return { notified };
  }

  /** The answer webhook (with AnsweredBy): a machine hears nothing; unsure detection asks for a key first. */
  answered(hook: HoldCallWebhook & { answeredBy: string | undefined }): Promise<HoldCallScript> {
    return this.turn(hook, async (tx, row, challenge) => {
      if (row.status === 'answered') return { step: row.last_step ?? hangup };
      if (row.status !== 'dialing') return { step: hangup };
      if (isMachine(hook.answeredBy)) {
        await holdNotificationStore.update(tx, row.tenant_id, row.id, { answered_by: hook.answeredBy!, outcome: 'machine' });
        return { step: hangup };
      }
      // A hold stopped or released since the call was placed: nothing left to say.
      const step: HoldCallStep = challenge.hold?.state !== 'held' ? hangup : firstNoticeStep(hook.answeredBy);
      await holdNotificationStore.update(tx, row.tenant_id, row.id, { status: 'answered', answered_by: hook.answeredBy ?? 'unknown', ask_seq: 1, last_step: step });
      return { step };
    });
  }

  /** The Gather's action: `9` stops the transfer, `0` repeats; the listener check wants `1`. */
  async gathered(hook: HoldCallWebhook & { ask: number; digits: string | undefined }): Promise<HoldCallScript> {
    const key = (hook.digits ?? '').trim();
    let stopping = false;
    const script = await this.turn(hook, async (tx, row) => {
      if (row.status !== 'answered') return { step: hangup };
      // A retried webhook gets the reply it got; a stale one changes nothing.
      if (hook.ask !== row.ask_seq) return { step: hook.ask === row.ask_seq - 1 && row.last_step ? row.last_step : hangup };
      const { step, outcome, pressedNine } = afterNoticeKey(row.last_step, key, row.ask_seq, { ending: 'stopped', outcome: 'stopped' }, 'unchanged');
      // Said once the stop has committed (after this transaction); a retry replays it.
      stopping = pressedNine;
      await holdNotificationStore.update(tx, row.tenant_id, row.id, { ask_seq: row.ask_seq + 1, last_step: step, ...(outcome ? { outcome } : {}) });
      return { step };
    });
    if (!stopping) return script;
    const ending = await this.stopByPhone(hook.tenantId, script);
    if (ending === 'stopped') return script;
    const step: HoldCallStep = { kind: 'goodbye', ending };
    await holdNotificationStore.update(this.deps.db, hook.tenantId, hook.notificationId, { last_step: step, outcome: 'heard' });
    return { ...script, step };
  }

  /** The final status callback: the call's outcome, once, into hold.notifications. */
  async ended(hook: HoldCallWebhook & { callStatus: string }): Promise<void> {
    const { db } = this.deps;
    const row = (await db.query<HoldNotificationRow>('SELECT * FROM hold_notifications WHERE tenant_id = $1 AND id = $2', [hook.tenantId, hook.notificationId])).rows[0];
    if (!row || row.status === 'ended' || (row.call_sid !== null && row.call_sid !== hook.callSid)) return;
    const outcome = row.outcome ?? (hook.callStatus === 'completed' ? (isMachine(row.answered_by) ? 'machine' : 'hung_up') : hook.callStatus);
    await this.end(db, hook.tenantId, row.challenge_id, row.id, outcome);
  }

  private async end(q: Queryable, tenantId: string, challengeId: string, id: string, outcome: string): Promise<void> {
    await holdNotificationStore.update(q, tenantId, id, { status: 'ended', outcome });
    await appendHoldNotification(q, tenantId, challengeId, { at: this.now(), outcome });
  }

  /** `9`: the customer stops the transfer. Too late (closed or released) is said as such. */
  private async stopByPhone(tenantId: string, script: HoldCallScript & { challengeId?: string }): Promise<'stopped' | 'stop_closed'> {
    try {
      await this.deps.holds.stop(tenantId, script.challengeId!, { by: 'customer', actor: 'customer:call', reason: 'pressed 9 on the notification call' });
      return 'stopped';
    } catch (error) {
      if (error instanceof ProblemError && (error.code === 'hold_stop_closed' || error.code === 'hold_released')) return 'stop_closed';
      throw error;
    }
  }

  /**
   * One webhook: the notification row locked and bound to this call, the challenge read in the same
   * transaction. Another call's webhook for this notification changes nothing.
   */
  private async turn(
    hook: HoldCallWebhook,
    decide: (tx: Queryable, row: HoldNotificationRow, challenge: ChallengeRecord) => Promise<{ step: HoldCallStep }>,
  ): Promise<HoldCallScript & { challengeId?: string }> {
    const { db, store, tenants, policies } = this.deps;
    const tenant = await tenants.getCached(hook.tenantId);
    const decided = await db.tx(async (tx) => {
      const row = await holdNotificationStore.lock(tx, hook.tenantId, hook.notificationId);
      if (!row) return null;
      if (row.call_sid === null) {
        await holdNotificationStore.update(tx, row.tenant_id, row.id, { call_sid: hook.callSid });
        row.call_sid = hook.callSid;
      }
      if (row.call_sid !== hook.callSid) return null;
      const challenge = await store.get(tx, row.tenant_id, row.challenge_id);
      if (!challenge) return null;
      return { challenge, ...(await decide(tx, row, challenge)) };
    });
    if (!decided || !tenant) return { step: hangup, locale: 'ko-KR', bankName: '', notice: null };
    const { challenge, step } = decided;
    const timeZone = (await policies.currentCached(challenge.tenantId)).document.timezone;
    return { step, locale: challenge.locale, bankName: bankNameFor(tenant, challenge.locale), notice: noticeOf(challenge, timeZone), challengeId: challenge.id };
  }
}

/** The transfer as the notification call reads it; null for a challenge that holds none. */
function noticeOf(challenge: ChallengeRecord, timeZone: string): HoldCallNotice | null {
  const { transaction, hold } = challenge;
  if (!hold || transaction.amountMinor === undefined || !transaction.amount) return null;
  return {
    amountMinor: transaction.amountMinor,
    currency: transaction.amount.currency,
    ...(transaction.payee?.name ? { payeeName: transaction.payee.name } : {}),
    ...(transaction.payee?.bank ? { payeeBank: transaction.payee.bank } : {}),
    ...(transaction.payee?.account ? { payeeAccount: transaction.payee.account } : {}),
    approvedAt: hold.heldAt,
    releaseAt: hold.releaseAt,
    timeZone,
  };
}
