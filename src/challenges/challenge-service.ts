// Runs challenges: decides (policy), picks a channel, stores, and moves them to exactly one end.
import type { Db, Queryable } from '../storage/db.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ReceiptSigner } from '../receipts/receipt-signer.ts';
import type { PolicyStore } from '../tenants/policy-store.ts';
import type { TenantStore } from '../tenants/tenant-store.ts';
import { newId } from '../crypto/hashing.ts';
import { ProblemError, notFound } from '../errors/problem.ts';
import { recordEvent, type EventDispatcher } from '../events/event-outbox.ts';
import { assertCallbackUrlAllowed } from '../events/callback-url-guard.ts';
import { formatAmount, parseAmount } from '../money/money.ts';
import { cumulativeSumLimit, evaluateStepUp, localDayBounds } from '../policy/evaluate.ts';
import { effectivePolicy, type PolicyDocument, type PolicySchema } from '../policy/policy-schema.ts';
import type { ChannelName, ChannelRegistry, PreparedChannel } from '../channels/channel.ts';
import { publicChallenge, type ChallengeRecord, type ChallengeStatus, type TransactionDetails } from './challenge-record.ts';
import type { ChallengeScheduler } from './challenge-scheduler.ts';
import type { CreateChallengeInput } from './challenge-schemas.ts';
import { ChallengeStore } from './challenge-store.ts';
import { maskTransaction, transactionHash } from './transaction-view.ts';
import { holdAt, planHold, type HoldPlan, type StartedHold } from '../holds/hold-plan.ts';
import { startedHoldRecord } from '../holds/hold-record.ts';

export type FinalStatus = Exclude<ChallengeStatus, 'pending' | 'not_required'>;

export interface Outcome {
  status: FinalStatus;
  reason: string;
  fraudReported?: boolean;
  /** Who decided, for the audit trail: 'channel:ars', 'bank', 'system:expiry', … */
  actor: string;
  auditData?: Record<string, unknown>;
  /**
   * Why, for the bank: stored with the transition and shown as `result.details` in the challenge
   * and its event (docs/bank-api.md). Public: reason codes only — never a number, digits or a secret.
   */
  details?: Record<string, unknown>;
}

/**
 * Runs inside the transaction that stores a new challenge, so what it writes commits or rolls back
 * with the challenge (the Idempotency-Key's response, docs/reliability.md).
 */
export type OnChallengeStored = (q: Queryable, record: ChallengeRecord) => Promise<void>;

export interface ChallengeServiceDeps {
  db: Db;
  store: ChallengeStore;
  tenants: TenantStore;
  policies: PolicyStore;
  /**
   * The customer's policy, held to every section's bounds: the server's composed schema's `effective`
   * (src/policy/policy-schema.ts); the built-in sections' when absent.
   */
  effectivePolicy?: PolicySchema['effective'] | undefined;
  channels: ChannelRegistry;
  receipts: ReceiptSigner;
  scheduler: ChallengeScheduler;
  events: EventDispatcher;
  metrics: Metrics;
  logger: Logger;
  allowLoopbackCallbacks: boolean;
  /** Now, for creation, expiry and the daily total's day (default the system clock). */
  clock?: (() => Date) | undefined;
  /**
   * Called once a held challenge is committed (docs/holds.md): queues its release and notification
   * calls. A failure is logged; the hold sweep finds what was not queued.
   */
  onHeld?: ((record: ChallengeRecord) => Promise<void>) | undefined;
}

/** What a new challenge is made of before the decision: everything but the decided fields. */
type CreationFields = Omit<ChallengeRecord, 'status' | 'decision' | 'channel' | 'channelState' | 'resultReason' | 'resultDetails' | 'receipt' | 'completedAt' | 'hold'>;

/**
 * A new challenge's record, written out field by field rather than spread from `base`: V8 then
 * builds it in one step (the spread of a dozen fields into a record of twenty cost a decision about
 * 9 µs of CPU in profiles, BENCHMARKS.md).
 */
const challengeRecord = (
  base: CreationFields,
  decided: Pick<ChallengeRecord, 'status' | 'decision' | 'channel' | 'channelState' | 'resultReason' | 'resultDetails' | 'receipt' | 'completedAt' | 'hold'>,
): ChallengeRecord => ({
  id: base.id,
  tenantId: base.tenantId,
  customerId: base.customerId,
  status: decided.status,
  transaction: base.transaction,
  transactionMasked: base.transactionMasked,
  transactionHash: base.transactionHash,
  context: base.context,
  decision: decided.decision,
  channel: decided.channel,
  channelState: decided.channelState,
  locale: base.locale,
  callbackUrl: base.callbackUrl,
  resultReason: decided.resultReason,
  resultDetails: decided.resultDetails,
  fraudReported: base.fraudReported,
  receipt: decided.receipt,
  createdAt: base.createdAt,
  expiresAt: base.expiresAt,
  completedAt: decided.completedAt,
  hold: decided.hold,
});

/** The audit entry of a new challenge: the decision and what it rests on (never the transaction itself). */
const creationAudit = (record: ChallengeRecord) => ({
  tenantId: record.tenantId,
  actor: 'bank',
  action: 'challenge.created',
  subject: record.id,
  data: {
    customerId: record.customerId,
    status: record.status,
    reasons: record.decision.reasons,
    channel: record.channel,
    policyVersion: record.decision.policyVersion,
    transactionHash: record.transactionHash,
    ...(record.resultReason ? { reason: record.resultReason } : {}),
    ...(record.channelState.unavailable ? { unavailable: record.channelState.unavailable } : {}),
  },
});

export class ChallengeService {
  constructor(private readonly deps: ChallengeServiceDeps) {}

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  async get(tenantId: string, id: string): Promise<ChallengeRecord> {
    const record = await this.find(tenantId, id);
    if (!record) throw notFound('challenge');
    return record;
  }

  /** The challenge as its bank sees it: with the customer page's link while the page may be used (and a held one's stop page, when given). */
  bankView(record: ChallengeRecord, live: { stopUrl?: string | null } = {}): Record<string, unknown> {
    return publicChallenge(record, { customerUrl: this.deps.store.liveCustomerUrl(record, this.now()), stopUrl: live.stopUrl ?? null });
  }

  /** The challenge, or null when there is none (a failed read throws: never mistake it for "gone"). */
  async find(tenantId: string, id: string): Promise<ChallengeRecord | null> {
    return this.findIn(this.deps.db, tenantId, id);
  }

  /** The challenge read inside the caller's transaction `q` (PGlite has one session: never the root handle there). */
  async findIn(q: Queryable, tenantId: string, id: string): Promise<ChallengeRecord | null> {
    return this.deps.store.get(q, tenantId, id);
  }

  async create(tenantId: string, input: CreateChallengeInput, options: { onStored?: OnChallengeStored | undefined } = {}): Promise<ChallengeRecord> {
    const { onStored } = options;
    const { store, policies, tenants } = this.deps;
    const tenant = await tenants.getCached(tenantId);
    if (!tenant) throw notFound('tenant');
    const transaction = this.normalizeTransaction(input);
    const callbackUrl = input.callbackUrl ?? tenant.defaultCallbackUrl;
    if (input.callbackUrl) assertCallbackUrlAllowed(input.callbackUrl, { allowLoopback: this.deps.allowLoopbackCallbacks && tenant.allowLoopbackCallbacks });
    const policyVersion = await policies.currentCached(tenantId);
    const policy = (this.deps.effectivePolicy ?? effectivePolicy)(policyVersion.document, input.context?.grade);
    const id = newId('chl');
    const hash = transactionHash(transaction);
    const now = this.now();
    const context = input.context ?? {};

    const base = {
      id,
      tenantId,
      customerId: input.customerId,
      transaction,
      transactionMasked: maskTransaction(transaction),
      transactionHash: hash,
      context,
      locale: input.locale ?? 'ko-KR',
      callbackUrl: callbackUrl ?? null,
      fraudReported: false,
      createdAt: now,
      expiresAt: new Date(now.getTime() + policy.challengeTtlSeconds * 1000),
    };

    // Whether the transfer is held when the challenge ends, decided now with the rest (docs/holds.md).
    const holdPlan = planHold({ policy, transaction: { type: transaction.type, amountMinor: transaction.amountMinor, currency: transaction.amount?.currency }, context, now });
    const decided = await this.decide(base, policy, policyVersion.version, onStored, holdPlan);
    if (decided.record) {
      this.deps.metrics.challengesCreated.inc({ status: decided.record.status });
      await this.afterHeld(decided.record);
      return decided.record;
    }

    // Step-up: choose the channel outside any transaction (eligibility may consult the network).
    const chosen = await this.chooseChannel(tenantId, input, policy, transaction, id, hash);
    const decision = { stepUpRequired: true, reasons: decided.reasons, channels: chosen.channel ? [chosen.channel] : [], policyVersion: policyVersion.version, ...(holdPlan ? { hold: holdPlan } : {}) };
    const record: ChallengeRecord = chosen.channel
      ? challengeRecord(base, {
          status: 'pending',
          decision,
          channel: chosen.channel,
          channelState: {
            ...chosen.prepared!.state,
            details: chosen.prepared!.details,
            // The page link's token opens the page: stored sealed only, never readable (docs/security.md, M1).
            ...(chosen.prepared!.customerUrl ? { customerUrlSealed: store.sealCustomerUrl(tenantId, id, chosen.prepared!.customerUrl) } : {}),
          },
          resultReason: null,
          resultDetails: null,
          receipt: null,
          completedAt: null,
          hold: null,
        })
      : await this.terminalAtCreation(base, decision, 'failed', 'no_eligible_channel', { unavailable: chosen.unavailable });
    if (record.status === 'pending') {
      // Scheduled before the row exists: an expiry job that finds no challenge does nothing, while
      // a challenge without an expiry job could stay pending forever.
      await this.deps.scheduler.scheduleExpiry(tenantId, id, record.expiresAt);
    }
    // A failed challenge's event, whole, and the caller's onStored are recorded with it in one
    // transaction; otherwise the insert (with its audit entry) is one statement and needs none.
    const withEvent = record.status === 'failed' && record.callbackUrl !== null;
    const deliveryId = await this.inUnit(withEvent || onStored !== undefined, async (q) => {
      await store.insert(q, record, creationAudit(record));
      const recorded = withEvent ? await recordEvent(q, { tenantId, challengeId: id, type: 'challenge.failed', url: record.callbackUrl!, payload: publicChallenge(record) }) : null;
      await onStored?.(q, record);
      return recorded;
    });
    this.deps.metrics.challengesCreated.inc({ status: record.status });
    if (deliveryId) await this.dispatch(tenantId, deliveryId);
    // The challenge (and any idempotency key) is stored: a failing start leaves it pending, to end
    // by expiry, and a retry with the same key gets this challenge back rather than a second one.
    if (record.status === 'pending') await this.deps.channels.get(record.channel!)!.start(record, policy);
    return record;
  }

  /**
   * The step-up decision (docs/policy-reference.md). A `not_required` one is stored here, with its receipt and audit
   * entry; a step-up one returns its reasons for the caller to pick a channel. Only the daily
   * cumulative rule reads the customer's history: when it can turn the verdict, the lock, the sum
   * and the `not_required` insert are one statement (insertIfTodayBelow), so two concurrent
   * transfers cannot both slip under the threshold.
   */
  private async decide(
    base: CreationFields,
    policy: PolicyDocument,
    policyVersion: number,
    onStored: OnChallengeStored | undefined,
    holdPlan: HoldPlan | null,
  ): Promise<{ record: ChallengeRecord; reasons?: undefined } | { record: null; reasons: string[] }> {
    const { db, store } = this.deps;
    const { transaction, context } = base;
    const input = { policy, transaction: { type: transaction.type, amountMinor: transaction.amountMinor, currency: transaction.amount?.currency }, context };
    const limit = cumulativeSumLimit(input);
    const { start, end } = localDayBounds(base.createdAt, policy.timezone);
    const scope = { tenantId: base.tenantId, customerId: base.customerId, currency: transaction.type === 'transfer' ? transaction.amount?.currency : undefined, from: start, to: end };
    const atEmptyHistory = evaluateStepUp({ ...input, history: { todayApprovedMinor: 0n } });
    if (atEmptyHistory.stepUpRequired) {
      // Step-up whatever the history says; the sum only completes the reasons, and not even that
      // when the cumulative rule fired on this amount alone (limit ≤ 0). Nothing counted is
      // written, so no lock is needed.
      if (limit === null || limit <= 0n) return { record: null, reasons: atEmptyHistory.reasons };
      return { record: null, reasons: evaluateStepUp({ ...input, history: { todayApprovedMinor: await store.sumTransfers(db, scope) } }).reasons };
    }
    const record = await this.terminalAtCreation(base, { stepUpRequired: false, reasons: [], channels: [], policyVersion, ...(holdPlan ? { hold: holdPlan } : {}) }, 'not_required', 'step_up_not_required', {});
    if (limit === null) {
      // The history cannot change this verdict: one statement, no lock.
      await this.inUnit(onStored !== undefined, async (q) => {
        await store.insert(q, record, creationAudit(record));
        await onStored?.(q, record);
      });
      return { record };
    }
    // With onStored, the decision lock is held until its transaction commits (one more statement).
    const stored = await this.inUnit(onStored !== undefined, async (q) => {
      const result = await store.insertIfTodayBelow(q, record, creationAudit(record), { currency: scope.currency!, from: start, to: end, limit });
      if (result.inserted) await onStored?.(q, record);
      return result;
    });
    if (stored.inserted) return { record };
    return { record: null, reasons: evaluateStepUp({ ...input, history: { todayApprovedMinor: stored.todayMinor } }).reasons };
  }

  /** Cancels a pending challenge; a terminal one is returned as it is (cancel is idempotent). */
  async cancel(tenantId: string, id: string, actor = 'bank'): Promise<ChallengeRecord> {
    const current = await this.get(tenantId, id);
    if (current.status !== 'pending') {
      if (current.status === 'canceled') return current;
      throw new ProblemError('challenge_not_pending', `The challenge is already ${current.status}`);
    }
    const result = await this.finish(tenantId, id, { status: 'canceled', reason: 'canceled_by_bank', actor });
    if (result.challenge.status !== 'canceled') throw new ProblemError('challenge_not_pending', `The challenge is already ${result.challenge.status}`);
    return result.challenge;
  }

  /**
   * Moves a pending challenge to its end, exactly once across processes: the conditional UPDATE
   * decides the race; the loser gets `changed: false` and the winner's record. A caller that has
   * just read the challenge passes it as `known` (saves a read; a stale copy only loses the race).
   */
  async finish(tenantId: string, id: string, outcome: Outcome, known?: ChallengeRecord): Promise<{ changed: boolean; challenge: ChallengeRecord }> {
    const current = known ?? (await this.get(tenantId, id));
    if (current.status !== 'pending') return { changed: false, challenge: current };
    const signed = await this.signOutcome(this.deps.db, current, outcome);
    // Without a callback URL the transition (with its audit entry) is one statement; with one, the
    // whole event (the challenge as the transition left it) is recorded in the same transaction.
    const moved = await this.inUnit(Boolean(current.callbackUrl), (q) => this.applyOutcome(q, current, outcome, signed));
    if (!moved) return { changed: false, challenge: await this.get(tenantId, id) };
    await this.afterOutcome(moved, outcome);
    return { changed: true, challenge: moved.updated };
  }

  /**
   * finish() inside the caller's transaction `tx`, so what decided the outcome (an ARS answer, an
   * OTP code spent) and the challenge's transition with its event commit together or not at all
   * (docs/reliability.md). The caller runs `afterCommit` once `tx` has committed.
   */
  async finishIn(tx: Queryable, outcome: Outcome, current: ChallengeRecord): Promise<{ changed: boolean; challenge: ChallengeRecord; afterCommit: () => Promise<void> }> {
    const afterCommit = async () => undefined;
    if (current.status !== 'pending') return { changed: false, challenge: current, afterCommit };
    const moved = await this.applyOutcome(tx, current, outcome, await this.signOutcome(tx, current, outcome));
    // Ended a moment earlier by someone else: what it became.
    if (!moved) return { changed: false, challenge: (await this.deps.store.get(tx, current.tenantId, current.id)) ?? current, afterCommit };
    return { changed: true, challenge: moved.updated, afterCommit: () => this.afterOutcome(moved, outcome) };
  }

  /** `q`: the caller's transaction when there is one (a key refresh reads through it, never around it). */
  private async signOutcome(q: Queryable, current: ChallengeRecord, outcome: Outcome): Promise<{ receipt: string; completedAt: Date; fraudReported: boolean; hold: StartedHold | null }> {
    const completedAt = this.now();
    const fraudReported = outcome.fraudReported ?? false;
    // The hold starts at the end, by the service clock (docs/holds.md); its receipt carries releaseAt.
    const hold = holdAt(current.decision.hold, outcome.status, this.now());
    const receipt = await this.deps.receipts.sign({
      challengeId: current.id,
      tenantId: current.tenantId,
      customerId: current.customerId,
      transactionHash: current.transactionHash,
      channel: current.channel,
      status: outcome.status,
      reason: outcome.reason,
      fraudReported,
      completedAt,
      ...(hold ? { releaseAt: hold.releaseAt } : {}),
    }, q);
    return { receipt, completedAt, fraudReported, hold };
  }

  /** Committed and held: queue the release and the notification calls (the sweep finds any left out). */
  private async afterHeld(record: ChallengeRecord): Promise<void> {
    if (!record.hold || !this.deps.onHeld) return;
    await this.deps.onHeld(record).catch((error: unknown) => this.deps.logger.warn({ err: error, challengeId: record.id }, 'hold jobs deferred to the sweep'));
  }

  /** The transition with its audit entry and (with a callback URL) its whole event; `q` is a transaction when there is an event. */
  private async applyOutcome(
    q: Queryable,
    current: ChallengeRecord,
    outcome: Outcome,
    signed: { receipt: string; completedAt: Date; fraudReported: boolean; hold: StartedHold | null },
  ): Promise<{ updated: ChallengeRecord; deliveryId: string | null } | null> {
    const { tenantId, id } = current;
    const { fraudReported } = signed;
    const updated = await this.deps.store.transition(q, tenantId, id, { status: outcome.status, reason: outcome.reason, details: outcome.details, ...signed }, {
      tenantId,
      actor: outcome.actor,
      action: `challenge.${outcome.status}`,
      subject: id,
      data: { reason: outcome.reason, channel: current.channel, fraudReported, ...(signed.hold ? { holdReleaseAt: signed.hold.releaseAt.toISOString() } : {}), ...outcome.details, ...outcome.auditData },
    });
    if (!updated) return null;
    const deliveryId = current.callbackUrl
      ? await recordEvent(q, { tenantId, challengeId: id, type: `challenge.${outcome.status}`, url: current.callbackUrl, payload: publicChallenge(updated) })
      : null;
    return { updated, deliveryId };
  }

  /** Committed: nothing here may fail the transition (the event waits in the outbox either way). */
  private async afterOutcome(moved: { updated: ChallengeRecord; deliveryId: string | null }, outcome: Outcome): Promise<void> {
    const { updated } = moved;
    this.deps.metrics.challengesCompleted.inc({ status: outcome.status, reason: outcome.reason });
    if (moved.deliveryId) await this.dispatch(updated.tenantId, moved.deliveryId);
    await this.afterHeld(updated);
    if (!outcome.actor.startsWith('channel:') && updated.channel) {
      await this.deps.channels
        .get(updated.channel)
        ?.stop?.(updated)
        .catch((error: unknown) => this.deps.logger.warn({ err: error, challengeId: updated.id }, 'channel stop failed'));
    }
  }

  /** Hands a committed event to the queue; when that fails, the sweeper hands it over later. */
  private async dispatch(tenantId: string, deliveryId: string): Promise<void> {
    await this.deps.events.dispatch({ tenantId, deliveryId }).catch((error: unknown) => this.deps.logger.warn({ err: error, deliveryId }, 'event dispatch deferred to the sweeper'));
  }

  /** `work` in one transaction when it writes more than one statement; on the pool otherwise. */
  private inUnit<T>(transaction: boolean, work: (q: Queryable) => Promise<T>): Promise<T> {
    return transaction ? this.deps.db.tx(work) : work(this.deps.db);
  }

  private normalizeTransaction(input: CreateChallengeInput): TransactionDetails {
    const { transaction } = input;
    if (!transaction.amount) return { ...transaction, amount: undefined, amountMinor: undefined };
    const parsed = parseAmount(transaction.amount);
    if (!parsed.ok) throw new ProblemError('invalid_amount', `transaction.amount: ${parsed.code}`, { errors: [{ path: 'transaction.amount', message: parsed.code }] });
    return {
      ...transaction,
      amount: { value: formatAmount(parsed.minor, transaction.amount.currency), currency: transaction.amount.currency },
      amountMinor: parsed.minor,
    };
  }

  private async chooseChannel(
    tenantId: string,
    input: CreateChallengeInput,
    policy: PolicyDocument,
    transaction: TransactionDetails,
    challengeId: string,
    hash: string,
  ): Promise<{ channel: ChannelName | null; eligible: ChannelName[]; unavailable: { channel: ChannelName; reason: string }[]; prepared?: PreparedChannel }> {
    const order: ChannelName[] = input.channels ?? policy.channelOrder;
    const eligible: ChannelName[] = [];
    let found: unknown;
    const unavailable: { channel: ChannelName; reason: string }[] = [];
    for (const name of order) {
      // Any module's section says whether it is on; its other fields are the module's.
      const settings = policy.channels[name];
      if (!settings?.enabled || !policy.channelOrder.includes(name)) {
        unavailable.push({ channel: name, reason: 'channel_disabled' });
        continue;
      }
      const channel = this.deps.channels.get(name);
      if (!channel) {
        unavailable.push({ channel: name, reason: 'channel_not_available' });
        continue;
      }
      const verdict = await channel.eligibility({ tenantId, customerId: input.customerId, policy, transaction });
      if (verdict.eligible) {
        eligible.push(name);
        found = verdict.found;
        break;
      }
      unavailable.push({ channel: name, reason: verdict.reason });
    }
    const first = eligible[0];
    if (!first) return { channel: null, eligible, unavailable };
    const prepared = await this.deps.channels.get(first)!.prepare({ tenantId, customerId: input.customerId, policy, transaction, challengeId, transactionHash: hash, locale: input.locale ?? 'ko-KR', found });
    return { channel: first, eligible, unavailable, prepared };
  }

  private async terminalAtCreation(
    base: CreationFields,
    decision: ChallengeRecord['decision'],
    status: 'not_required' | 'failed',
    reason: string,
    channelState: Record<string, unknown>,
  ): Promise<ChallengeRecord> {
    const hold = holdAt(decision.hold, status, base.createdAt);
    const receipt = await this.deps.receipts.sign({
      challengeId: base.id,
      tenantId: base.tenantId,
      customerId: base.customerId,
      transactionHash: base.transactionHash,
      channel: null,
      status,
      reason,
      completedAt: base.createdAt,
      ...(hold ? { releaseAt: hold.releaseAt } : {}),
    }, this.deps.db);
    // no_eligible_channel says why to the bank: each channel tried and the code it refused with
    // (`not_enrolled`, `number_recently_changed`, `ars_locked`, …), never anything about the secret.
    const resultDetails = channelState.unavailable ? { unavailable: channelState.unavailable } : null;
    return challengeRecord(base, { status, decision, channel: null, channelState, resultReason: reason, resultDetails, receipt, completedAt: base.createdAt, hold: startedHoldRecord(hold) });
  }
}
