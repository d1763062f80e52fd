// A policy proposal (docs/admin-api.md "Maker-checker"): a draft document waiting for approval. Its
// state leaves 'proposed' exactly once; stored states are never renamed.
import type { PolicyDocument } from '../policy/policy-schema.ts';
import type { PolicyChange } from '../policy/policy-diff.ts';
import type { BacktestResult } from '../backtest/backtest-result.ts';

export const proposalStates = ['proposed', 'approved', 'rejected', 'withdrawn', 'expired', 'stale'] as const;
export type ProposalState = (typeof proposalStates)[number];

export interface Approval {
  actor: string;
  tokenId: string;
  at: string;
}

export interface Proposal {
  id: string;
  tenantId: string;
  state: ProposalState;
  baseVersion: number;
  document: PolicyDocument;
  diff: PolicyChange[];
  weakens: string[];
  backtest: BacktestResult | null;
  author: string;
  authorTokenId: string;
  approvalsRequired: number;
  approvals: Approval[];
  createdAt: Date;
  expiresAt: Date;
  closedAt: Date | null;
  closedBy: string | null;
  closeReason: string | null;
  breakGlass: boolean;
  appliedVersion: number | null;
}

/** The proposal as the admin API shows it (never the author's token id). */
export function showProposal(proposal: Proposal) {
  return {
    id: proposal.id,
    state: proposal.state,
    baseVersion: proposal.baseVersion,
    author: proposal.author,
    createdAt: proposal.createdAt.toISOString(),
    expiresAt: proposal.expiresAt.toISOString(),
    diff: proposal.diff,
    weakens: proposal.weakens,
    backtest: proposal.backtest,
    document: proposal.document,
    approvalsRequired: proposal.approvalsRequired,
    approvals: proposal.approvals.map(({ actor, at }) => ({ actor, at })),
    closedAt: proposal.closedAt?.toISOString() ?? null,
    closedBy: proposal.closedBy,
    closeReason: proposal.closeReason,
    breakGlass: proposal.breakGlass && proposal.state === 'approved' ? { actor: proposal.closedBy, reason: proposal.closeReason } : null,
    appliedVersion: proposal.appliedVersion,
  };
}
