// The question a token answers for one transaction (docs/otp-channel.md contract), and whether the token can
// be used for that transaction at all.
import type { TransactionDetails } from '../../challenges/challenge-record.ts';
import { deriveOcraQuestion } from './ocra-question.ts';
import type { OtpTokenRecord } from './otp-token-store.ts';

export type ChallengeQuestion =
  | { readonly ok: true; readonly question?: string }
  | { readonly ok: false; readonly reason: 'no_payee_account' | 'no_amount' | 'amount_too_long' | 'question_not_derivable' };

/** OCRA: the question derived with the token's derivation; TOTP: no question. */
export function challengeQuestion(token: OtpTokenRecord, transaction: TransactionDetails): ChallengeQuestion {
  if (token.type === 'totp') return { ok: true };
  if (!transaction.payee) return { ok: false, reason: 'no_payee_account' };
  if (token.questionDerivation === 'payee_account_amount' && transaction.amountMinor === undefined) return { ok: false, reason: 'no_amount' };
  const derived = deriveOcraQuestion({
    suite: token.suite,
    derivation: token.questionDerivation,
    payeeAccount: transaction.payee.account,
    ...(transaction.amountMinor !== undefined ? { amountMinorUnits: transaction.amountMinor } : {}),
  });
  if (derived.ok) return { ok: true, question: derived.question };
  return { ok: false, reason: derived.error === 'amount_too_long' ? 'amount_too_long' : 'question_not_derivable' };
}

/**
 * True when the question contains every digit of the payee account (short accounts, long
 * questions): it is then as sensitive as the full account number and is not put in an API
 * response (docs/security.md); the bank derives it from the account it holds (docs/otp-channel.md).
 */
export function questionDisclosesAccount(question: string, payeeAccount: string): boolean {
  return question.endsWith(payeeAccount.replace(/\D/g, ''));
}
