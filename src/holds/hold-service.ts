// Runs holds (docs/holds.md): queues a held challenge's release, releases it when it is due (job or
// sweep), and stops it on request while the stop window is open. Each transition commits with its
// audit entry and its whole event (challenge.hold_released / challenge.hold_stopped) in one
// transaction; the event is handed to the webhook queue after the commit (the outbox).
import type { Job, Queue } from 'bullmq';
import type { Db, Queryable } from '../storage/db.ts';
import type { Logger } from '../observability/logger.ts';
import type { ChallengeStore, ChallengeRow } from '../challenges/challenge-store.ts';
import { publicChallenge, type ChallengeRecord } from '../challenges/challenge-record.ts';
import { recordEvent, type EventDispatcher } from '../events/event-outbox.ts';
import { ProblemError, notFound } from '../errors/problem.ts';
import type { AuditEntry } from '../audit/audit-log.ts';
import { dueHolds, releaseHold, stopHold } from './hold-store.ts';
import { holdReleaseJobId, type HoldJob } from './hold-queue.ts';
import type { StoppedBy } from './hold-record.ts';
import { stopPageRetentionMs, type StopLinks } from './stop-link.ts';

export interface HoldServiceDeps {
  db: Db;
  store: ChallengeStore;
  events: EventDispatcher;
  queue: Queue<HoldJob>;
  logger: Logger;
  /** The customer's stop page links (hold.stopUrl); without them no stopUrl is given. */
  links?: StopLinks | undefined;
  /** Now, for release and the stop window (default the system clock); the sweep runs on it too. */
  clock?: (() => Date) | undefined;
}

export interface StopRequest {
  by: StoppedBy;
  /** Who, for the audit trail: 'bank', 'admin:<token>', 'customer:call', 'customer:page'. */
  actor: string;
  reason: string;
}

type HoldEvent = 'challenge.hold_released' | 'challenge.hold_stopped';

/** How many due holds one sweep releases at most (the next sweep, 30 s later, takes the rest). */
const sweepBatch = 500;

/** What the hold service asks of the notification calls (hold-notifier.ts), once telephony is configured. */
export interface HoldNotifications {
  schedule(record: ChallengeRecord): Promise<void>;
  sweep(): Promise<{ notified: number }>;
}

export class HoldService {
  private notifications: HoldNotifications | undefined;

  constructor(private readonly deps: HoldServiceDeps) {}

  /** Set by the composition root when calls can be placed (TWILIO_* configured). */
  attachNotifications(notifications: HoldNotifications): void {
    this.notifications = notifications;
  }

  /** The clock holds run on (the notification calls use the same). */
  get clock(): (() => Date) | undefined {
    return this.deps.clock;
  }

  now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  /** The customer's stop page for a held challenge (recomputed, never stored), or null. */
  stopUrlOf(record: ChallengeRecord): string | null {
    return record.hold && this.deps.links ? this.deps.links.url(record.tenantId, record.id) : null;
  }

  /** The held challenge a stop page link opens, or null (wrong token, no hold, past the page's retention). */
  async findByStopLink(challengeId: string, token: string): Promise<ChallengeRecord | null> {
    const { db, store, links } = this.deps;
    if (!links) return null;
    // The link names the challenge; its token, bound to the tenant, is checked before anything is read.
    const owner = await db.query<{ tenant_id: string }>('SELECT tenant_id FROM challenges WHERE id = $1', [challengeId]);
    const tenantId = owner.rows[0]?.tenant_id;
    if (!tenantId || !links.matches(tenantId, challengeId, token)) return null;
    const record = await store.get(db, tenantId, challengeId);
    if (!record?.hold || this.now().getTime() > record.hold.releaseAt.getTime() + stopPageRetentionMs) return null;
    return record;
  }

  /** Queues the release (and the notification calls) of a committed held challenge (idempotent per challenge). */
  async schedule(record: ChallengeRecord): Promise<void> {
    if (!record.hold || record.hold.state !== 'held') return;
    const delay = Math.max(0, record.hold.releaseAt.getTime() - this.now().getTime());
    await this.deps.queue.add('release', { tenantId: record.tenantId, challengeId: record.id }, { jobId: holdReleaseJobId(record.id), delay });
    await this.notifications?.schedule(record);
  }

  /** The queued release job of a challenge, if any (the console and tests look at it). */
  releaseJob(challengeId: string): Promise<Job<HoldJob> | undefined> {
    return this.deps.queue.getJob(holdReleaseJobId(challengeId));
  }

  /** The release job: re-reads PostgreSQL, and releases only a hold that is still held and due. */
  async onReleaseJob(job: HoldJob): Promise<'released' | 'not-due' | 'not-held'> {
    const current = await this.deps.store.get(this.deps.db, job.tenantId, job.challengeId);
    if (!current?.hold || current.hold.state !== 'held') return 'not-held';
    if (current.hold.releaseAt.getTime() > this.now().getTime()) return 'not-due';
    return (await this.release(job.tenantId, job.challengeId, 'job')) ? 'released' : 'not-held';
  }

  /** Releases every due hold by the clock: what lost jobs (Redis flushed, a worker killed) left behind. */
  async sweep(): Promise<{ released: number; notified: number }> {
    let released = 0;
    for (const { tenantId, id } of await dueHolds(this.deps.db, this.now(), sweepBatch)) {
      if (await this.release(tenantId, id, 'sweep')) released += 1;
    }
    const { notified } = (await this.notifications?.sweep()) ?? { notified: 0 };
    return { released, notified };
  }

  /** Releases a held, due challenge; null when it is not held any more or not yet due (nothing written). */
  async release(tenantId: string, id: string, by: 'job' | 'sweep'): Promise<ChallengeRecord | null> {
    const now = this.now();
    return this.transition(tenantId, id, 'challenge.hold_released', { tenantId, actor: 'system:hold-release', action: 'challenge.hold_released', subject: id, data: { by } }, (tx, audit) =>
      releaseHold(tx, tenantId, id, now, audit),
    );
  }

  /**
   * Stops a held transfer while its stop window is open (docs/holds.md, "Stopping"). Stopping twice
   * returns the stopped challenge; anything else that is not a stop is a problem with a stable code.
   */
  async stop(tenantId: string, id: string, request: StopRequest): Promise<ChallengeRecord> {
    const now = this.now();
    const audit = { tenantId, actor: request.actor, action: 'challenge.hold_stopped', subject: id, data: { by: request.by, reason: request.reason } };
    const stopped = await this.transition(tenantId, id, 'challenge.hold_stopped', audit, (tx, entry) => stopHold(tx, tenantId, id, now, request.by, entry));
    if (stopped) return stopped;
    const current = await this.deps.store.get(this.deps.db, tenantId, id);
    if (!current) throw notFound('challenge');
    if (!current.hold) throw new ProblemError('challenge_not_held', 'This challenge holds no transfer');
    if (current.hold.state === 'stopped') return current;
    if (current.hold.state === 'released') throw new ProblemError('hold_released', `The transfer was released at ${current.hold.releasedAt?.toISOString()}`);
    throw new ProblemError('hold_stop_closed', `Stopping closed at ${current.hold.stopClosesAt.toISOString()}`, { stopClosesAt: current.hold.stopClosesAt.toISOString() });
  }

  /** One conditional transition with its audit entry and, with a callback URL, its whole event; then the hand-over. */
  private async transition(
    tenantId: string,
    id: string,
    type: HoldEvent,
    audit: AuditEntry,
    change: (tx: Queryable, audit: AuditEntry) => Promise<ChallengeRow | null>,
  ): Promise<ChallengeRecord | null> {
    const moved = await this.deps.db.tx(async (tx) => {
      const row = await change(tx, audit);
      if (!row) return null;
      const updated = this.deps.store.toRecord(row);
      const deliveryId = updated.callbackUrl ? await recordEvent(tx, { tenantId, challengeId: id, type, url: updated.callbackUrl, payload: publicChallenge(updated) }) : null;
      return { updated, deliveryId };
    });
    if (!moved) return null;
    if (moved.deliveryId) {
      await this.deps.events
        .dispatch({ tenantId, deliveryId: moved.deliveryId })
        .catch((error: unknown) => this.deps.logger.warn({ err: error, deliveryId: moved.deliveryId }, 'event dispatch deferred to the sweeper'));
    }
    return moved.updated;
  }
}
