// Transaction-linked OCRA questions: the question the customer keys into the token is derived from
// the transaction, so a code computed for one payee (or amount) does not approve another.
// Which derivation a token uses is fixed when the token is enrolled, never chosen per challenge:
// both derivations can yield the same numeric question for different transactions (see
// docs/otp-question-derivation.md).
import { parseOcraSuite, type OcraSuite } from './ocra-suite.ts';

export type OcraQuestionDerivation = 'payee_account' | 'payee_account_amount';

/** `payee_account_amount`: width of the account field (the low-order digits of the question). */
export const AMOUNT_DERIVATION_ACCOUNT_DIGITS = 8;
/** `payee_account_amount` needs QN16 or longer, leaving at least 8 digits for the amount. */
export const AMOUNT_DERIVATION_MIN_QUESTION_LENGTH = 16;

export interface DeriveOcraQuestionOptions {
  readonly suite: string | OcraSuite;
  readonly derivation: OcraQuestionDerivation;
  /** The payee account as the bank sent it, e.g. `110-123-456789`; non-digits are ignored. */
  readonly payeeAccount: string;
  /** `payee_account_amount` only: the amount as an integer of minor units (never a float). */
  readonly amountMinorUnits?: bigint | string;
}

export type OcraQuestionErrorCode =
  | 'invalid_suite'
  | 'no_account_digits'
  | 'amount_required'
  | 'invalid_amount'
  | 'question_too_short_for_amount'
  | 'amount_too_long';

export type DeriveOcraQuestionResult =
  | { readonly ok: true; readonly question: string }
  | { readonly ok: false; readonly error: OcraQuestionErrorCode };

/**
 * Derives the OCRA question for a transaction.
 *
 * - `payee_account` (docs/otp-channel.md contract): for a `QNxx` suite (and, as an extension, `QAxx`/`QHxx`), the last `xx` digits of the payee
 *   account's digits (non-digits removed), left-padded with `0` to `xx` digits.
 * - `payee_account_amount`: the amount in minor units (no leading zeros) followed by the last 8
 *   account digits (left-padded with `0` to 8). The account field has a fixed width at the low end,
 *   so the pair is recoverable even after the QN decimal-to-number encoding drops leading zeros.
 *   Requires `QN16` or longer; an amount that does not fit is refused, never truncated.
 */
export function deriveOcraQuestion(options: DeriveOcraQuestionOptions): DeriveOcraQuestionResult {
  const fail = (error: OcraQuestionErrorCode): DeriveOcraQuestionResult => ({ ok: false, error });

  let suite: OcraSuite;
  if (typeof options.suite === 'string') {
    const parsed = parseOcraSuite(options.suite);
    if (!parsed.ok) return fail('invalid_suite');
    suite = parsed.suite;
  } else {
    suite = options.suite;
  }
  // The question is a string of decimal digits, which is valid in every question format (QN, QA and
  // QH, RFC 6287 §6.3 table 2); the token encodes it per its suite (§5.1). Keypad tokens are QN.
  const questionLength = suite.question.maxLength;

  const payeeAccountDigits = options.payeeAccount.replace(/\D/g, '');
  if (payeeAccountDigits.length === 0) return fail('no_account_digits');

  if (options.derivation === 'payee_account') {
    return { ok: true, question: payeeAccountDigits.slice(-questionLength).padStart(questionLength, '0') };
  }

  if (questionLength < AMOUNT_DERIVATION_MIN_QUESTION_LENGTH) return fail('question_too_short_for_amount');
  if (options.amountMinorUnits === undefined) return fail('amount_required');
  const amountDigits = minorUnitDigits(options.amountMinorUnits);
  if (amountDigits === undefined) return fail('invalid_amount');
  // Truncating the amount would let different amounts share a code, so it must fit whole.
  if (amountDigits.length + AMOUNT_DERIVATION_ACCOUNT_DIGITS > questionLength) return fail('amount_too_long');
  const accountField = payeeAccountDigits
    .slice(-AMOUNT_DERIVATION_ACCOUNT_DIGITS)
    .padStart(AMOUNT_DERIVATION_ACCOUNT_DIGITS, '0');
  return { ok: true, question: `${amountDigits}${accountField}` };
}

/** Canonical decimal digits of a non-negative integer amount (no sign, no leading zeros). */
function minorUnitDigits(amount: bigint | string): string | undefined {
  if (typeof amount === 'bigint') return amount >= 0n ? amount.toString() : undefined;
  if (!/^\d+$/.test(amount)) return undefined;
  return BigInt(amount).toString();
}
