// The stored challenge and its public view. States (stored, never renamed):
//
//   pending ──► approved | denied | expired | canceled | failed     (exactly one, atomically)
//   not_required                                                    (terminal at creation)
//
// See docs/challenge-states.md.
import type { ChannelName } from '../channels/channel.ts';
import { inViewOrder } from './transaction-view.ts';
import type { HoldPlan } from '../holds/hold-plan.ts';
import { publicHold, type HoldRecord } from '../holds/hold-record.ts';

export const terminalStatuses = ['approved', 'denied', 'expired', 'canceled', 'failed', 'not_required'] as const;
export type ChallengeStatus = 'pending' | (typeof terminalStatuses)[number];

export const transactionTypes = ['transfer', 'certificate_reissue', 'device_designation', 'payee_registration', 'limit_change', 'other'] as const;
export type TransactionType = (typeof transactionTypes)[number];

/** The full transaction as the bank sent it (stored encrypted: it holds the full payee account). */
export interface TransactionDetails {
  reference: string;
  type: TransactionType;
  amount?: { value: string; currency: string };
  /** Minor units of `amount`, parsed against the currency's ISO 4217 exponent. */
  amountMinor?: bigint;
  payee?: { name: string; bank?: string; account: string };
  description?: string;
}

export interface ChallengeDecision {
  stepUpRequired: boolean;
  reasons: string[];
  channels: ChannelName[];
  policyVersion: number;
  /** Whether the transfer is held when the challenge ends, decided with the rest (docs/holds.md); private. */
  hold?: HoldPlan;
}

export interface ChallengeResult {
  channel: ChannelName | null;
  reason: string;
  receipt: string;
  fraudReported?: boolean;
  details?: Record<string, unknown>;
}

export interface ChallengeRecord {
  id: string;
  tenantId: string;
  customerId: string;
  status: ChallengeStatus;
  transaction: TransactionDetails;
  transactionMasked: Record<string, unknown>;
  transactionHash: string;
  context: Record<string, unknown>;
  decision: ChallengeDecision;
  channel: ChannelName | null;
  channelState: Record<string, unknown>;
  locale: string;
  callbackUrl: string | null;
  resultReason: string | null;
  /**
   * Why, beyond `resultReason`, shown to the bank as `result.details` (e.g. `{reasons: [...]}` for
   * number_ineligible, `{cap: 'customer_hour'}` for call_cap_reached). Public: codes only, never a
   * number or a secret. null when the reason says it all.
   */
  resultDetails: Record<string, unknown> | null;
  fraudReported: boolean;
  receipt: string | null;
  createdAt: Date;
  expiresAt: Date;
  completedAt: Date | null;
  /** After approval: the hold on the transfer, or null when it is not held (docs/holds.md). */
  hold: HoldRecord | null;
}

/**
 * The challenge as banks see it (docs/bank-api.md): masked payee account, no channel secrets. The live
 * links are given only to a live answer to the bank (ChallengeService.bankView), never to what is stored
 * (events, idempotent replays) or shown to admins: `customerUrl`, the passkey page's link while the page
 * may be used; `stopUrl`, the customer's stop page of a held challenge (docs/holds.md).
 */
export function publicChallenge(record: ChallengeRecord, live: { customerUrl?: string | null; stopUrl?: string | null } = {}): Record<string, unknown> {
  const details = record.channelState.details as Record<string, unknown> | undefined;
  return {
    id: record.id,
    status: record.status,
    customerId: record.customerId,
    transaction: inViewOrder(record.transactionMasked),
    transactionHash: record.transactionHash,
    decision: {
      stepUpRequired: record.decision.stepUpRequired,
      reasons: record.decision.reasons,
      channels: record.decision.channels,
    },
    channel: record.channel,
    channelDetails: details ?? null,
    customerUrl: live.customerUrl ?? null,
    locale: record.locale,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt.toISOString(),
    completedAt: record.completedAt ? record.completedAt.toISOString() : null,
    result:
      record.status === 'pending' || !record.receipt
        ? null
        : {
            channel: record.channel,
            reason: record.resultReason,
            receipt: record.receipt,
            ...(record.fraudReported ? { fraudReported: true } : {}),
            ...(record.resultDetails ? { details: record.resultDetails } : {}),
          },
    hold: publicHold(record.hold, live.stopUrl ?? null),
  };
}
