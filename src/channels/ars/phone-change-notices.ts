// The call to the old number (docs/ars-channel.md, "A changed number"; docs/call-script.md "The call to
// the old number"): when a customer's ARS phone changes, the old number is told so, and `9` ("I did not
// do this") suspends the new number — ARS refuses it until the bank enrols a number again or an admin
// restores it — and sends the bank one signed `customer.phone_change_disputed`. A machine hears nothing.
// One notice per change, claimed once; the old number is kept encrypted only until its call ended.
import type { Db, Queryable } from '../../storage/db.ts';
import type { Envelope } from '../../crypto/envelope.ts';
import type { Logger } from '../../observability/logger.ts';
import type { TenantStore } from '../../tenants/tenant-store.ts';
import type { PolicyStore } from '../../tenants/policy-store.ts';
import type { EventDispatcher } from '../../events/event-outbox.ts';
import type { Clock } from '../../time/clock.ts';
import { recordEvent } from '../../events/event-outbox.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { newId } from '../../crypto/hashing.ts';
import { bankNameFor } from '../../tenants/bank-name.ts';
import type { NoticeCallGuard } from './notice-call-guard.ts';
import { afterNoticeKey, firstNoticeStep, isMachine, type NoticeCallStep } from '../../holds/hold-call-step.ts';

export type PhoneChangeCallStep = NoticeCallStep<'suspended' | 'unchanged'>;

/** What rendering a step needs: the language, the bank's name and when the number changed. */
export interface PhoneChangeCallScript {
  step: PhoneChangeCallStep;
  locale: string;
  bankName: string;
  changedAt: Date;
  timeZone: string;
}

/** Places a call to an old number whose webhooks name the tenant and the notice. */
export interface PhoneChangeCallPlacer {
  place(call: { tenantId: string; noticeId: string; to: string }): Promise<{ callSid: string }>;
}

/** Queues a notice's call (a prompt trigger; the sweep places what a lost job left). */
export interface PhoneChangeCallScheduler {
  schedule(notice: { tenantId: string; noticeId: string }): Promise<void>;
}

export interface PhoneChangeCallWebhook {
  tenantId: string;
  noticeId: string;
  callSid: string;
}

interface NoticeRow {
  id: string;
  tenant_id: string;
  customer_id: string;
  locale: string;
  old_phone_enc: string | null;
  new_phone_hash: string;
  new_phone_masked: string;
  changed_at: Date;
  status: 'pending' | 'dialing' | 'answered' | 'ended';
  call_sid: string | null;
  answered_by: string | null;
  ask_seq: number;
  last_step: PhoneChangeCallStep | null;
  outcome: string | null;
}

export interface PhoneChangeNoticesDeps {
  db: Db;
  envelope: Envelope;
  tenants: TenantStore;
  policies: PolicyStore;
  placer: PhoneChangeCallPlacer;
  /** Vets the old number and takes the call from its budgets before it is dialled. */
  guard: NoticeCallGuard;
  scheduler: PhoneChangeCallScheduler;
  events: EventDispatcher;
  logger: Logger;
  clock: Clock;
}

const oldPhoneContext = (tenantId: string, noticeId: string) => `ars-old-phone:${tenantId}:${noticeId}`;
const hangup: PhoneChangeCallStep = { kind: 'hangup' };
/** A notice still pending this long after the change lost its job: the sweep places it. */
const lostAfterMs = 60_000;

export class PhoneChangeNotices {
  constructor(private readonly deps: PhoneChangeNoticesDeps) {}

  /** Records the notice of a change inside the enrolment's transaction; schedule it after the commit. */
  async record(tx: Queryable, change: { tenantId: string; customerId: string; locale: string; oldE164: string; newPhoneHash: string; newPhoneMasked: string; changedAt: Date }): Promise<string> {
    const id = newId('pcn', 16);
    await tx.query(
      `INSERT INTO ars_phone_change_notices (id, tenant_id, customer_id, locale, old_phone_enc, new_phone_hash, new_phone_masked, changed_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending')`,
      [id, change.tenantId, change.customerId, change.locale, this.deps.envelope.encrypt(change.oldE164, oldPhoneContext(change.tenantId, id)), change.newPhoneHash, change.newPhoneMasked, change.changedAt],
    );
    return id;
  }

  async schedule(tenantId: string, noticeId: string): Promise<void> {
    await this.deps.scheduler.schedule({ tenantId, noticeId }).catch((error: unknown) => this.deps.logger.warn({ err: error, noticeId }, 'phone-change call left to the sweep'));
  }

  /**
   * Places the notice's call once (a job, its retry and the sweep claim the same row), if the old
   * number passes the call guard: a forwarded old number (the thief taking the warning himself) or a
   * spent budget ends the notice without a call, audited.
   */
  async notify(notice: { tenantId: string; noticeId: string }): Promise<'placed' | 'skipped'> {
    const { db, envelope, placer, guard, logger } = this.deps;
    const claimed = await db.query<{ old_phone_enc: string | null; customer_id: string }>(
      "UPDATE ars_phone_change_notices SET status = 'dialing' WHERE tenant_id = $1 AND id = $2 AND status = 'pending' RETURNING old_phone_enc, customer_id",
      [notice.tenantId, notice.noticeId],
    );
    const row = claimed.rows[0];
    if (!row?.old_phone_enc) return 'skipped';
    try {
      const to = envelope.decryptText(row.old_phone_enc, oldPhoneContext(notice.tenantId, notice.noticeId));
      const admission = await guard.admit({ tenantId: notice.tenantId, customerId: row.customer_id, to, numberChangedAt: null });
      if (!admission.admitted) {
        await db.tx(async (tx) => {
          await this.end(tx, notice.tenantId, notice.noticeId, admission.outcome);
          await appendAudit(tx, { tenantId: notice.tenantId, actor: 'system', action: 'ars.phone_change_notice_not_placed', subject: row.customer_id, data: { noticeId: notice.noticeId, outcome: admission.outcome } });
        });
        return 'skipped';
      }
      const { callSid } = await placer.place({ ...notice, to });
      // The answer webhook may have bound the call already (it can outrun Calls.create's answer).
      await db.query('UPDATE ars_phone_change_notices SET call_sid = $3 WHERE tenant_id = $1 AND id = $2 AND call_sid IS NULL', [notice.tenantId, notice.noticeId, callSid]);
    } catch (error) {
      logger.warn({ err: error, noticeId: notice.noticeId }, 'phone-change call could not be placed');
      await this.end(db, notice.tenantId, notice.noticeId, 'failed');
    }
    return 'placed';
  }

  /** Places the calls whose jobs were lost (pending for a minute), at most `limit`. */
  async sweep(now: Date, limit = 100): Promise<number> {
    const lost = await this.deps.db.query<{ tenant_id: string; id: string }>(
      "SELECT tenant_id, id FROM ars_phone_change_notices WHERE status = 'pending' AND created_at < $1 ORDER BY created_at LIMIT $2",
      [new Date(now.getTime() - lostAfterMs), limit],
    );
    let placed = 0;
    for (const row of lost.rows) if ((await this.notify({ tenantId: row.tenant_id, noticeId: row.id })) === 'placed') placed += 1;
    return placed;
  }

  /** The answer webhook: a machine hears nothing; an unsure detection is asked for a key first. */
  answered(hook: PhoneChangeCallWebhook & { answeredBy: string | undefined }): Promise<PhoneChangeCallScript> {
    return this.turn(hook, async (tx, row) => {
      if (row.status === 'answered') return row.last_step ?? hangup;
      if (row.status !== 'dialing') return hangup;
      if (isMachine(hook.answeredBy)) {
        await this.update(tx, row, { answered_by: hook.answeredBy!, outcome: 'machine' });
        return hangup;
      }
      const step = firstNoticeStep(hook.answeredBy);
      await this.update(tx, row, { status: 'answered', answered_by: hook.answeredBy ?? 'unknown', ask_seq: 1, last_step: step });
      return step;
    });
  }

  /** The Gather's action: `9` suspends the new number (once), `0` repeats; the listener check wants `1`. */
  async gathered(hook: PhoneChangeCallWebhook & { ask: number; digits: string | undefined }): Promise<PhoneChangeCallScript> {
    let deliveryId = null as string | null;
    const script = await this.turn(hook, async (tx, row) => {
      if (row.status !== 'answered') return hangup;
      // A retried webhook gets the reply it got; a stale one changes nothing.
      if (hook.ask !== row.ask_seq) return hook.ask === row.ask_seq - 1 && row.last_step ? row.last_step : hangup;
      const { step, outcome, pressedNine } = afterNoticeKey(row.last_step, (hook.digits ?? '').trim(), row.ask_seq, { ending: 'suspended', outcome: 'disputed' }, 'unchanged');
      await this.update(tx, row, { ask_seq: row.ask_seq + 1, last_step: step, ...(outcome ? { outcome } : {}) });
      if (pressedNine) deliveryId = await this.dispute(tx, row);
      return step;
    });
    // Handed to the queue once committed; a delivery lost here is re-queued by the sweeper.
    if (deliveryId) await this.deps.events.dispatch({ tenantId: hook.tenantId, deliveryId }).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'event dispatch deferred to the sweeper'));
    return script;
  }

  /** The final status callback: the call's outcome, once; the old number is forgotten. */
  async ended(hook: PhoneChangeCallWebhook & { callStatus: string }): Promise<void> {
    const { db } = this.deps;
    const row = (await db.query<NoticeRow>('SELECT * FROM ars_phone_change_notices WHERE tenant_id = $1 AND id = $2', [hook.tenantId, hook.noticeId])).rows[0];
    if (!row || row.status === 'ended' || (row.call_sid !== null && row.call_sid !== hook.callSid)) return;
    const outcome = row.outcome ?? (hook.callStatus === 'completed' ? (isMachine(row.answered_by) ? 'machine' : 'hung_up') : hook.callStatus);
    await this.end(db, hook.tenantId, row.id, outcome);
  }

  /** Erasure: the customer's notices go (a call in progress then hangs up at its next webhook). */
  async erase(tx: Queryable, tenantId: string, customerId: string): Promise<void> {
    await tx.query('DELETE FROM ars_phone_change_notices WHERE tenant_id = $1 AND customer_id = $2', [tenantId, customerId]);
  }

  /**
   * `9`: the customer did not change the number. The new number is suspended if it is still the
   * customer's; the audit entry and the event are written with it, once per notice.
   */
  private async dispute(tx: Queryable, row: NoticeRow): Promise<string | null> {
    const { clock, tenants } = this.deps;
    const now = clock();
    const first = await tx.query('UPDATE ars_phone_change_notices SET disputed_at = $3 WHERE tenant_id = $1 AND id = $2 AND disputed_at IS NULL', [row.tenant_id, row.id, now]);
    if (first.rowCount === 0) return null;
    const suspended = await tx.query(
      'UPDATE ars_customers SET phone_suspended_at = $4, updated_at = now() WHERE tenant_id = $1 AND customer_id = $2 AND phone_hash = $3 AND phone_suspended_at IS NULL',
      [row.tenant_id, row.customer_id, row.new_phone_hash, now],
    );
    const data = { customerId: row.customer_id, phone: row.new_phone_masked, changedAt: row.changed_at.toISOString(), disputedAt: now.toISOString(), suspended: suspended.rowCount > 0 };
    await appendAudit(tx, { tenantId: row.tenant_id, actor: 'customer:call', action: 'ars.phone_change_disputed', subject: row.customer_id, data: { noticeId: row.id, phone: data.phone, suspended: data.suspended } });
    const url = (await tenants.get(row.tenant_id, tx))?.defaultCallbackUrl;
    return url ? recordEvent(tx, { tenantId: row.tenant_id, challengeId: row.id, type: 'customer.phone_change_disputed', url, payload: data }) : null;
  }

  private async end(q: Queryable, tenantId: string, id: string, outcome: string): Promise<void> {
    await q.query("UPDATE ars_phone_change_notices SET status = 'ended', outcome = $3, old_phone_enc = NULL, ended_at = now() WHERE tenant_id = $1 AND id = $2", [tenantId, id, outcome]);
  }

  private async update(q: Queryable, row: NoticeRow, patch: Partial<Pick<NoticeRow, 'status' | 'answered_by' | 'ask_seq' | 'last_step' | 'outcome'>>): Promise<void> {
    const next = { ...row, ...patch };
    await q.query('UPDATE ars_phone_change_notices SET status = $3, answered_by = $4, ask_seq = $5, last_step = $6::jsonb, outcome = $7 WHERE tenant_id = $1 AND id = $2', [
      row.tenant_id,
      row.id,
      next.status,
      next.answered_by,
      next.ask_seq,
      next.last_step === null ? null : JSON.stringify(next.last_step),
      next.outcome,
    ]);
  }

  /** One webhook: the notice locked and bound to this call; another call's webhook changes nothing. */
  private async turn(hook: PhoneChangeCallWebhook, decide: (tx: Queryable, row: NoticeRow) => Promise<PhoneChangeCallStep>): Promise<PhoneChangeCallScript> {
    const { db, tenants, policies } = this.deps;
    const decided = await db.tx(async (tx) => {
      const row = (await tx.query<NoticeRow>('SELECT * FROM ars_phone_change_notices WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [hook.tenantId, hook.noticeId])).rows[0];
      if (!row || (row.call_sid !== null && row.call_sid !== hook.callSid)) return null;
      if (row.call_sid === null) await tx.query('UPDATE ars_phone_change_notices SET call_sid = $3 WHERE tenant_id = $1 AND id = $2', [row.tenant_id, row.id, hook.callSid]);
      return { row, step: await decide(tx, row) };
    });
    const tenant = await tenants.getCached(hook.tenantId);
    if (!decided || !tenant) return { step: hangup, locale: 'ko-KR', bankName: '', changedAt: new Date(0), timeZone: 'Asia/Seoul' };
    const timeZone = (await policies.currentCached(hook.tenantId)).document.timezone;
    return { step: decided.step, locale: decided.row.locale, bankName: bankNameFor(tenant, decided.row.locale), changedAt: decided.row.changed_at, timeZone };
  }
}
