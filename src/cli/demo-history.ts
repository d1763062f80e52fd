// `npm run demo` only: 29 days of made-up history (the newest 20 hours before the tenant was created) for the demo tenant (customers `history-01` …), so the
// console's dashboard and the policy backtest have days to show. Written once, when the demo tenant is
// created, through the challenge store (encrypted like any challenge, one audit entry each, action
// `demo.history`); nothing of it is real, and the demo's output says so.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AppContext } from '../server/build-context.ts';
import type { ChallengeRecord, ChallengeStatus } from '../challenges/challenge-record.ts';
import type { ChannelName } from '../channels/channel.ts';
import { maskTransaction, transactionHash } from '../challenges/transaction-view.ts';
import { newId } from '../crypto/hashing.ts';

const day = 86_400_000;
const channels: ChannelName[] = ['ars', 'ars', 'ars', 'webauthn', 'webauthn', 'otp'];
const approvedReason: Record<string, string> = { ars: 'knowledge_verified', webauthn: 'passkey_verified', otp: 'otp_verified' };

/** The i-th made-up decision of a day: mostly small transfers that need nothing, some stepped up. */
function outcome(i: number, dayIndex: number): { status: ChallengeStatus; amount: number; reason: string | null; fraud: boolean } {
  const pick = (i * 7 + dayIndex * 3) % 20;
  if (pick < 10) return { status: 'not_required', amount: 50_000 + ((i * 91_733 + dayIndex * 13_331) % 900_000), reason: 'step_up_not_required', fraud: false };
  const amount = 3_000_000 + ((i * 211_111 + dayIndex * 77_777) % 6_000_000);
  if (pick < 16) return { status: 'approved', amount, reason: 'verified', fraud: false };
  if (pick < 17) return { status: 'denied', amount, reason: 'customer_rejected', fraud: true };
  if (pick < 18) return { status: 'expired', amount, reason: 'timeout', fraud: false };
  return { status: 'failed', amount, reason: 'unreachable', fraud: false };
}

export async function seedDemoHistory(context: AppContext, tenantId: string): Promise<number> {
  const now = context.clock().getTime();
  let written = 0;
  for (let dayIndex = 29; dayIndex >= 1; dayIndex -= 1) {
    const count = 12 + ((dayIndex * 5) % 9);
    for (let i = 0; i < count; i += 1) {
      const { status, amount, reason, fraud } = outcome(i, dayIndex);
      const createdAt = new Date(now - dayIndex * day + i * 1_800_000 - 6 * 3_600_000);
      const transaction = {
        reference: `HISTORY-${dayIndex}-${i}`,
        type: 'transfer' as const,
        amount: { value: String(amount), currency: 'KRW' },
        amountMinor: BigInt(amount),
        payee: { name: '김철수', bank: '신한은행', account: '110-123-456789' },
      };
      const steppedUp = status !== 'not_required';
      const channel = steppedUp ? channels[(i + dayIndex) % channels.length]! : null;
      const record: ChallengeRecord = {
        id: newId('chl', 12),
        tenantId,
        customerId: `history-${String((i % 12) + 1).padStart(2, '0')}`,
        status,
        transaction,
        transactionMasked: maskTransaction(transaction),
        transactionHash: transactionHash(transaction),
        context: { designatedDevice: false },
        decision: { stepUpRequired: steppedUp, reasons: steppedUp ? ['daily_cumulative_threshold'] : [], channels: steppedUp ? [channel!] : [], policyVersion: 0 },
        channel,
        channelState: {},
        locale: 'ko-KR',
        callbackUrl: null,
        // The reason each channel gives for an approval (docs/challenge-states.md).
        resultReason: reason === 'verified' ? (approvedReason[channel!] ?? reason) : reason,
        resultDetails: null,
        fraudReported: fraud,
        receipt: null,
        createdAt,
        expiresAt: new Date(createdAt.getTime() + 300_000),
        completedAt: new Date(createdAt.getTime() + 60_000),
        hold: null,
      };
      await context.challengeStore.insert(context.db, record, { tenantId, actor: 'demo', action: 'demo.history', subject: record.id, data: { madeUp: true } });
      written += 1;
    }
    // The embedded database answers inside the event loop's turn: 450 inserts in a row held it for most
    // of a second, and the server shed the demo's own next requests as overloaded (its loop ran late).
    // A turn per day keeps every tick short.
    await nextTurn();
  }
  return written;
}
