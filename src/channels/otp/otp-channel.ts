// The OTP channel strategy (src/channels/channel.ts): a customer is eligible when one of their
// tokens is unlocked and can answer this transaction. OCRA tokens (transaction-linked, docs/otp-channel.md)
// are preferred over TOTP; among equals the oldest token is used.
import type { Channel, Eligibility, EligibilityInput, PreparedChannel } from '../channel.ts';
import type { ChallengeRecord } from '../../challenges/challenge-record.ts';
import type { Db } from '../../storage/db.ts';
import { challengeQuestion, questionDisclosesAccount } from './otp-challenge-question.ts';
import type { OtpTokenRecord, OtpTokenStore } from './otp-token-store.ts';
import { sectionOf } from '../../policy/policy-fields.ts';
import { otpPolicy } from './otp-policy.ts';

/** What the channel keeps in the challenge's private state. */
export interface OtpChannelState {
  tokenId: string;
  /** Policy `channels.otp.maxAttempts` when the challenge was created. */
  maxAttempts: number;
}

type Selection = { token: OtpTokenRecord; question?: string } | { reason: string };

export class OtpChannel implements Channel {
  readonly name = 'otp' as const;

  constructor(private readonly deps: { db: Db; store: OtpTokenStore }) {}

  async eligibility(input: EligibilityInput): Promise<Eligibility> {
    const selected = await this.select(input);
    return 'token' in selected ? { eligible: true, found: selected } : { eligible: false, reason: selected.reason };
  }

  async prepare(input: EligibilityInput & { challengeId: string; found?: unknown }): Promise<PreparedChannel> {
    const selected = (input.found as Selection | undefined) ?? (await this.select(input));
    // Eligibility was checked a moment ago; a token deleted or locked in between is a race the
    // submission handles too (token_removed / token_locked), so refuse loudly here.
    if (!('token' in selected)) throw new Error(`otp token no longer usable: ${selected.reason}`);
    const { token, question } = selected;
    const state: OtpChannelState = { tokenId: token.id, maxAttempts: sectionOf(input.policy, otpPolicy).maxAttempts };
    if (token.type === 'totp') {
      return { state: { ...state }, details: { tokenId: token.id, type: 'totp', digits: token.digits } };
    }
    const payeeAccount = input.transaction.payee!.account;
    const disclosed = question !== undefined && questionDisclosesAccount(question, payeeAccount);
    return {
      state: { ...state },
      details: {
        tokenId: token.id,
        type: 'ocra',
        suite: token.suite,
        questionDerivation: token.questionDerivation,
        ...(disclosed ? { questionWithheld: 'covers_full_account' } : { question }),
      },
    };
  }

  async start(_challenge: ChallengeRecord): Promise<void> {
    // Nothing to queue: the bank shows the question and posts the customer's code.
  }

  private async select(input: EligibilityInput): Promise<Selection> {
    const tokens = await this.deps.store.list(this.deps.db, input.tenantId, input.customerId);
    if (tokens.length === 0) return { reason: 'not_enrolled' };
    const unlocked = tokens.filter((token) => token.lockedAt === null);
    if (unlocked.length === 0) return { reason: 'token_locked' };
    const ordered = [...unlocked.filter((t) => t.type === 'ocra'), ...unlocked.filter((t) => t.type === 'totp')];
    let firstReason: string | undefined;
    for (const token of ordered) {
      const fit = challengeQuestion(token, input.transaction);
      if (fit.ok) return { token, ...(fit.question !== undefined ? { question: fit.question } : {}) };
      firstReason ??= fit.reason;
    }
    return { reason: firstReason ?? 'not_enrolled' };
  }
}
