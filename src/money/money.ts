// Money as integers of minor units (bigint), parsed from decimal strings against the currency's
// ISO 4217 exponent. Never floats.
import { currencyExponent } from './currencies.ts';

export type AmountError = 'invalid_amount' | 'unknown_currency' | 'too_many_decimals' | 'amount_not_positive' | 'amount_too_large';
export type ParsedAmount = { ok: true; minor: bigint; exponent: number } | { ok: false; code: AmountError };

/** Upper bound: 10^18 minor units. */
const maxMinor = 10n ** 18n;

export function parseAmount(amount: { value: string; currency: string }, options: { allowZero?: boolean } = {}): ParsedAmount {
  const exponent = currencyExponent(amount.currency);
  if (exponent === undefined) return { ok: false, code: 'unknown_currency' };
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount.value);
  if (!match) return { ok: false, code: 'invalid_amount' };
  const [, whole, fraction = ''] = match;
  if (whole!.length > 1 && whole!.startsWith('0')) return { ok: false, code: 'invalid_amount' };
  if (fraction.length > exponent) return { ok: false, code: 'too_many_decimals' };
  const minor = BigInt(whole!) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  if (minor === 0n && !options.allowZero) return { ok: false, code: 'amount_not_positive' };
  if (minor > maxMinor) return { ok: false, code: 'amount_too_large' };
  return { ok: true, minor, exponent };
}

/** The canonical decimal string: all of the currency's decimals ("12.50"), none for KRW ("3500000"). */
export function formatAmount(minor: bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new Error(`unknown currency ${currency}`);
  if (exponent === 0) return minor.toString();
  const digits = minor.toString().padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
