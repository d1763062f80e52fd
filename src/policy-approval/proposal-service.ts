// Maker-checker for policy (docs/admin-api.md "Maker-checker"): a change of a tenant's policy waits as a
// proposal until admins other than its author approve it; reject, withdraw and expiry end it; a
// superadmin may break glass alone, with a reason. Every step is audited with the diff, and the bank
// hears `policy.proposed`, `policy.changed` and `policy.break_glass` at its default callback URL.
import type { Db, Queryable } from '../storage/db.ts';
import type { AdminPrincipal } from '../http/route.ts';
import type { PolicyStore, PolicyVersion } from '../tenants/policy-store.ts';
import type { TenantStore } from '../tenants/tenant-store.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { recordEvent, type EventDispatcher } from '../events/event-outbox.ts';
import { newId } from '../crypto/hashing.ts';
import { ProblemError, notFound } from '../errors/problem.ts';
import type { Logger } from '../observability/logger.ts';
import type { Clock } from '../time/clock.ts';
import { policyDocumentSchema, type PolicyDocument, type PolicySchema } from '../policy/policy-schema.ts';
import { diffPolicies, type PolicyDiff } from '../policy/policy-diff.ts';
import type { BacktestResult } from '../backtest/backtest-result.ts';
import { ProposalStore } from './proposal-store.ts';
import { showProposal, type Approval, type Proposal, type ProposalState } from './proposal-record.ts';

export interface ProposalServiceDeps {
  db: Db;
  policies: PolicyStore;
  tenants: TenantStore;
  events: EventDispatcher;
  logger: Logger;
  clock: Clock;
  /** The document's schema composed from the server's modules (src/policy/policy-schema.ts, composePolicy); the built-in one by default. */
  policy?: PolicySchema;
  /** The draft and the current policy replayed over the tenant's recent decisions, for the approver. */
  backtest(tenantId: string, current: PolicyVersion, draft: PolicyDocument): Promise<BacktestResult>;
}

export type PutOutcome = { kind: 'applied'; version: PolicyVersion } | { kind: 'proposed'; proposal: Proposal };

/** A stored version, read as today's schema reads it (absent fields take their defaults), for the diff. */
function asDocument(version: PolicyVersion, schema: PolicySchema['schema']): PolicyDocument {
  const parsed = schema.safeParse(version.document);
  return parsed.success ? parsed.data : version.document;
}

const sameAdmin = (a: { actor: string; tokenId: string }, b: { actor: string; tokenId: string }) => a.actor === b.actor || a.tokenId === b.tokenId;

export class ProposalService {
  private readonly store = new ProposalStore();

  constructor(private readonly deps: ProposalServiceDeps) {}

  /**
   * PUT of a policy: applied at once when the tenant does not require approval, else a proposal.
   * Null when `expectedVersion` is not the current version.
   */
  async put(tenantId: string, admin: AdminPrincipal, expectedVersion: number, document: PolicyDocument): Promise<PutOutcome | null> {
    const tenant = await this.deps.tenants.get(tenantId);
    if (!tenant) throw notFound('tenant');
    const current = await this.deps.policies.current(tenantId);
    if (current.version !== expectedVersion) return null;
    const change = diffPolicies(asDocument(current, this.deps.policy?.schema ?? policyDocumentSchema), document, this.deps.policy?.weakeningOf, this.deps.policy?.effective);
    if (!tenant.policyApproval.required) {
      const applied = await this.inTx(tenantId, async (tx, send) => {
        const version = await this.deps.policies.put(tx, tenantId, expectedVersion, document, admin.actor);
        if (!version) return null;
        await appendAudit(tx, { tenantId, actor: admin.actor, action: 'policy.updated', subject: tenantId, data: { version: version.version, ...change } });
        await send('policy.changed', `${tenantId}:v${version.version}`, this.changedEvent(tenantId, version, expectedVersion, change, { proposalId: null, approvedBy: [], breakGlass: false }));
        return version;
      });
      return applied ? { kind: 'applied', version: applied } : null;
    }
    const backtest = await this.deps.backtest(tenantId, current, document);
    const now = this.deps.clock();
    const proposal: Proposal = {
      id: newId('pp', 12),
      tenantId,
      state: 'proposed',
      baseVersion: expectedVersion,
      document,
      ...change,
      backtest,
      author: admin.actor,
      authorTokenId: admin.tokenId,
      approvalsRequired: tenant.policyApproval.approvals,
      approvals: [],
      createdAt: now,
      expiresAt: new Date(now.getTime() + tenant.policyApproval.expiresAfterSeconds * 1000),
      closedAt: null,
      closedBy: null,
      closeReason: null,
      breakGlass: false,
      appliedVersion: null,
    };
    await this.inTx(tenantId, async (tx, send) => {
      await this.store.insert(tx, proposal);
      await appendAudit(tx, { tenantId, actor: admin.actor, action: 'policy.proposed', subject: proposal.id, data: { baseVersion: expectedVersion, ...change } });
      await send('policy.proposed', proposal.id, this.proposedEvent(proposal));
    });
    return { kind: 'proposed', proposal };
  }

  async list(tenantId: string, options: { state?: ProposalState | undefined; limit: number }): Promise<Proposal[]> {
    await this.expireDue(tenantId);
    return this.store.list(this.deps.db, tenantId, options);
  }

  async get(tenantId: string, id: string): Promise<Proposal> {
    await this.expireDue(tenantId);
    const proposal = await this.store.get(this.deps.db, tenantId, id);
    if (!proposal) throw notFound('proposal');
    return proposal;
  }

  /**
   * An approval by an admin other than the author and every earlier approver (another token and
   * another actor); the last one needed applies the draft as the next version, unless the policy
   * moved on since (409 proposal_stale). A superadmin's `breakGlass` applies it alone.
   */
  async approve(tenantId: string, admin: AdminPrincipal, id: string, options: { breakGlass?: { reason: string } | undefined }): Promise<Proposal> {
    const now = this.deps.clock();
    const outcome = await this.inTx(tenantId, async (tx, send) => {
      const proposal = await this.openProposal(tx, tenantId, id, now);
      if (typeof proposal === 'string') return { refused: proposal };
      const { breakGlass } = options;
      if (breakGlass && admin.role !== 'superadmin') return { refused: 'forbidden' as const, proposal };
      const approver = { actor: admin.actor, tokenId: admin.tokenId };
      if (!breakGlass && [{ actor: proposal.author, tokenId: proposal.authorTokenId }, ...proposal.approvals].some((earlier) => sameAdmin(earlier, approver))) {
        return { refused: 'approver_not_distinct' as const, proposal };
      }
      const approvals: Approval[] = [...proposal.approvals, { ...approver, at: now.toISOString() }];
      if (!breakGlass && approvals.length < proposal.approvalsRequired) {
        await this.store.recordApprovals(tx, tenantId, id, approvals);
        await appendAudit(tx, { tenantId, actor: admin.actor, action: 'policy.approval_recorded', subject: id, data: { approvals: approvals.length, required: proposal.approvalsRequired } });
        return { proposal: { ...proposal, approvals } };
      }
      const version = await this.deps.policies.put(tx, tenantId, proposal.baseVersion, proposal.document, proposal.author);
      if (!version) {
        const stale = await this.store.close(tx, tenantId, id, { state: 'stale', at: now, by: admin.actor });
        await appendAudit(tx, { tenantId, actor: admin.actor, action: 'policy.proposal_stale', subject: id, data: { baseVersion: proposal.baseVersion } });
        return { refused: 'proposal_stale' as const, proposal: stale! };
      }
      const approved = await this.store.close(tx, tenantId, id, {
        state: 'approved',
        at: now,
        by: admin.actor,
        reason: breakGlass?.reason ?? null,
        breakGlass: breakGlass !== undefined,
        appliedVersion: version.version,
        approvals,
      });
      const change: PolicyDiff = { diff: proposal.diff, weakens: proposal.weakens };
      const approvedBy = approvals.map((approval) => approval.actor);
      await appendAudit(tx, { tenantId, actor: admin.actor, action: 'policy.updated', subject: tenantId, data: { version: version.version, proposalId: id, author: proposal.author, approvedBy, breakGlass: breakGlass !== undefined, ...change } });
      await send('policy.changed', `${tenantId}:v${version.version}`, this.changedEvent(tenantId, version, proposal.baseVersion, change, { proposalId: id, approvedBy, breakGlass: breakGlass !== undefined }));
      if (breakGlass) {
        await appendAudit(tx, { tenantId, actor: admin.actor, action: 'policy.break_glass', subject: id, data: { version: version.version, reason: breakGlass.reason, author: proposal.author, ...change } });
        await send('policy.break_glass', id, { tenantId, proposalId: id, version: version.version, actor: admin.actor, reason: breakGlass.reason, author: proposal.author, at: now.toISOString(), ...change });
      }
      return { proposal: approved! };
    });
    return this.settle(tenantId, admin, id, 'approve', outcome);
  }

  /** Any policy-admin in scope, the author included, may reject. */
  async reject(tenantId: string, admin: AdminPrincipal, id: string, reason: string | undefined): Promise<Proposal> {
    return this.end(tenantId, admin, id, 'rejected', reason);
  }

  /** Only the author (the same actor) withdraws. */
  async withdraw(tenantId: string, admin: AdminPrincipal, id: string): Promise<Proposal> {
    return this.end(tenantId, admin, id, 'withdrawn', undefined);
  }

  private async end(tenantId: string, admin: AdminPrincipal, id: string, state: 'rejected' | 'withdrawn', reason: string | undefined): Promise<Proposal> {
    const now = this.deps.clock();
    const outcome = await this.inTx(tenantId, async (tx) => {
      const proposal = await this.openProposal(tx, tenantId, id, now);
      if (typeof proposal === 'string') return { refused: proposal };
      if (state === 'withdrawn' && proposal.author !== admin.actor) return { refused: 'forbidden' as const, proposal };
      const closed = await this.store.close(tx, tenantId, id, { state, at: now, by: admin.actor, reason: reason ?? null });
      await appendAudit(tx, { tenantId, actor: admin.actor, action: `policy.proposal_${state}`, subject: id, data: { reason: reason ?? null } });
      return { proposal: closed! };
    });
    return this.settle(tenantId, admin, id, state === 'rejected' ? 'reject' : 'withdraw', outcome);
  }

  /** The proposal under its row lock when still open; else why not (an expired one is ended here). */
  private async openProposal(tx: Queryable, tenantId: string, id: string, now: Date): Promise<Proposal | 'not_found' | 'proposal_closed' | 'proposal_expired'> {
    const proposal = await this.store.get(tx, tenantId, id, { forUpdate: true });
    if (!proposal) return 'not_found';
    if (proposal.state === 'expired') return 'proposal_expired';
    if (proposal.state !== 'proposed') return 'proposal_closed';
    if (now.getTime() >= proposal.expiresAt.getTime()) {
      await this.expireDue(tenantId, tx, now);
      return 'proposal_expired';
    }
    return proposal;
  }

  /** Answers with the proposal, or refuses (after the transaction committed what it found, e.g. expiry). */
  private async settle(tenantId: string, admin: AdminPrincipal, id: string, step: 'approve' | 'reject' | 'withdraw', outcome: { proposal?: Proposal; refused?: string }): Promise<Proposal> {
    if (outcome.refused === undefined) return outcome.proposal!;
    if (outcome.refused === 'not_found') throw notFound('proposal');
    // Who tried to approve (or withdraw) what was not theirs to: kept, as the insider's attempts matter.
    if (outcome.refused === 'approver_not_distinct' || outcome.refused === 'forbidden') {
      const action = step === 'withdraw' ? 'policy.withdrawal_refused' : 'policy.approval_refused';
      await this.deps.db.tx((tx) => appendAudit(tx, { tenantId, actor: admin.actor, action, subject: id, data: { code: outcome.refused } }));
    }
    const details: Record<string, [string, string]> = {
      approver_not_distinct: ['approver_not_distinct', 'The author or an earlier approver (same token or same name) cannot approve; another admin must'],
      forbidden: ['forbidden', 'Not allowed: break-glass needs a superadmin, and only the author withdraws'],
      proposal_stale: ['proposal_stale', 'The policy changed since this proposal was made; propose again over the current version'],
      proposal_expired: ['proposal_expired', 'The proposal expired before it was approved'],
      proposal_closed: ['proposal_closed', `The proposal is ${outcome.proposal?.state ?? 'closed'}`],
    };
    const [code, detail] = details[outcome.refused] ?? ['proposal_closed', 'The proposal is closed'];
    throw new ProblemError(code as 'proposal_closed', detail);
  }

  private async expireDue(tenantId: string, q?: Queryable, now = this.deps.clock()): Promise<void> {
    const run = async (tx: Queryable) => {
      for (const expired of await this.store.expireDue(tx, tenantId, now)) {
        await appendAudit(tx, { tenantId, actor: 'system', action: 'policy.proposal_expired', subject: expired.id, data: { expiresAt: expired.expiresAt.toISOString() } });
      }
    };
    if (q) await run(q);
    else await this.deps.db.tx(run);
  }

  /**
   * Runs `work` in one transaction with `send`, which records an event to the tenant's default callback
   * URL in the outbox (none without one); the events are handed to the queue after the commit.
   */
  private async inTx<T>(tenantId: string, work: (tx: Queryable, send: (type: string, subject: string, payload: Record<string, unknown>) => Promise<void>) => Promise<T>): Promise<T> {
    const tenant = await this.deps.tenants.get(tenantId);
    const deliveries: string[] = [];
    const result = await this.deps.db.tx((tx) =>
      work(tx, async (type, subject, payload) => {
        if (!tenant?.defaultCallbackUrl) return;
        deliveries.push(await recordEvent(tx, { tenantId, challengeId: subject, type, url: tenant.defaultCallbackUrl, payload }));
      }),
    );
    for (const deliveryId of deliveries) {
      await this.deps.events.dispatch({ tenantId, deliveryId }).catch((error: unknown) => this.deps.logger.warn({ err: error, deliveryId }, 'event dispatch deferred to the sweeper'));
    }
    return result;
  }

  private proposedEvent(proposal: Proposal): Record<string, unknown> {
    const { document: _document, backtest: _backtest, ...view } = showProposal(proposal);
    return { tenantId: proposal.tenantId, ...view };
  }

  private changedEvent(tenantId: string, version: PolicyVersion, previousVersion: number, change: PolicyDiff, how: { proposalId: string | null; approvedBy: string[]; breakGlass: boolean }) {
    return { tenantId, version: version.version, previousVersion, author: version.author, changedAt: version.createdAt.toISOString(), ...how, ...change };
  }
}
