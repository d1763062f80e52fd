// Policy proposals in storage (docs/admin-api.md "Maker-checker"). Every statement names the tenant.
import type { Queryable } from '../storage/db.ts';
import type { Approval, Proposal, ProposalState } from './proposal-record.ts';

interface ProposalRow {
  id: string;
  tenant_id: string;
  state: ProposalState;
  base_version: number;
  document: Proposal['document'];
  diff: Proposal['diff'];
  weakens: string[];
  backtest: Proposal['backtest'];
  author: string;
  author_token_id: string;
  approvals_required: number;
  approvals: Approval[];
  created_at: Date;
  expires_at: Date;
  closed_at: Date | null;
  closed_by: string | null;
  close_reason: string | null;
  break_glass: boolean;
  applied_version: number | null;
}

const toProposal = (row: ProposalRow): Proposal => ({
  id: row.id,
  tenantId: row.tenant_id,
  state: row.state,
  baseVersion: row.base_version,
  document: row.document,
  diff: row.diff,
  weakens: row.weakens,
  backtest: row.backtest,
  author: row.author,
  authorTokenId: row.author_token_id,
  approvalsRequired: row.approvals_required,
  approvals: row.approvals,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  closedAt: row.closed_at,
  closedBy: row.closed_by,
  closeReason: row.close_reason,
  breakGlass: row.break_glass,
  appliedVersion: row.applied_version,
});

export interface ProposalEnd {
  state: Exclude<ProposalState, 'proposed'>;
  at: Date;
  by: string;
  reason?: string | null;
  breakGlass?: boolean;
  appliedVersion?: number | null;
  approvals?: Approval[];
}

export class ProposalStore {
  async insert(tx: Queryable, proposal: Proposal): Promise<void> {
    await tx.query(
      `INSERT INTO policy_proposals (id, tenant_id, state, base_version, document, diff, weakens, backtest, author, author_token_id, approvals_required, created_at, expires_at)
       VALUES ($1, $2, 'proposed', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        proposal.id,
        proposal.tenantId,
        proposal.baseVersion,
        JSON.stringify(proposal.document),
        JSON.stringify(proposal.diff),
        JSON.stringify(proposal.weakens),
        proposal.backtest === null ? null : JSON.stringify(proposal.backtest),
        proposal.author,
        proposal.authorTokenId,
        proposal.approvalsRequired,
        proposal.createdAt,
        proposal.expiresAt,
      ],
    );
  }

  /** `forUpdate` holds the row until the transaction ends: approvals of one proposal take turns. */
  async get(q: Queryable, tenantId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<Proposal | null> {
    const result = await q.query<ProposalRow>(`SELECT * FROM policy_proposals WHERE tenant_id = $1 AND id = $2${options.forUpdate ? ' FOR UPDATE' : ''}`, [tenantId, id]);
    return result.rows[0] ? toProposal(result.rows[0]) : null;
  }

  async list(q: Queryable, tenantId: string, options: { state?: ProposalState | undefined; limit: number }): Promise<Proposal[]> {
    const result = await q.query<ProposalRow>(
      'SELECT * FROM policy_proposals WHERE tenant_id = $1 AND ($2::text IS NULL OR state = $2) ORDER BY created_at DESC, id DESC LIMIT $3',
      [tenantId, options.state ?? null, options.limit],
    );
    return result.rows.map(toProposal);
  }

  /** Ends the tenant's open proposals whose time is up; returns them as they now are. */
  async expireDue(tx: Queryable, tenantId: string, now: Date): Promise<Proposal[]> {
    const result = await tx.query<ProposalRow>(
      `UPDATE policy_proposals SET state = 'expired', closed_at = expires_at, closed_by = 'system'
       WHERE tenant_id = $1 AND state = 'proposed' AND expires_at <= $2 RETURNING *`,
      [tenantId, now],
    );
    return result.rows.map(toProposal);
  }

  async recordApprovals(tx: Queryable, tenantId: string, id: string, approvals: Approval[]): Promise<void> {
    await tx.query(`UPDATE policy_proposals SET approvals = $3 WHERE tenant_id = $1 AND id = $2 AND state = 'proposed'`, [tenantId, id, JSON.stringify(approvals)]);
  }

  /** Moves an open proposal to its end; null when it was no longer open. */
  async close(tx: Queryable, tenantId: string, id: string, end: ProposalEnd): Promise<Proposal | null> {
    const result = await tx.query<ProposalRow>(
      `UPDATE policy_proposals SET state = $3, closed_at = $4, closed_by = $5, close_reason = $6, break_glass = $7, applied_version = $8,
         approvals = COALESCE($9::jsonb, approvals)
       WHERE tenant_id = $1 AND id = $2 AND state = 'proposed' RETURNING *`,
      [tenantId, id, end.state, end.at, end.by, end.reason ?? null, end.breakGlass ?? false, end.appliedVersion ?? null, end.approvals ? JSON.stringify(end.approvals) : null],
    );
    return result.rows[0] ? toProposal(result.rows[0]) : null;
  }
}
