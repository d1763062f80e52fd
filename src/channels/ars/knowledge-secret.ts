// The customer's security number (docs/ars-channel.md): 6–12 digits, trivially weak ones refused, and the check
// of the digits at the asked positions. The comparison is constant-time and the plaintext buffer is
// wiped by the caller right after (the secret is decrypted only for this comparison).
import { timingSafeEqual } from 'node:crypto';

export const secretPattern = /^[0-9]{6,12}$/;

export type SecretWeakness = 'repeated_digit' | 'sequential_run' | 'repeated_block';

/** Why a secret is too easy to guess, or null. Runs wrap around (…8901…) and go either way. */
export function secretWeakness(secret: string): SecretWeakness | null {
  const digits = [...secret].map(Number);
  if (digits.every((digit) => digit === digits[0])) return 'repeated_digit';
  for (const step of [1, 9]) {
    if (digits.every((digit, index) => index === 0 || digit === (digits[index - 1]! + step) % 10)) return 'sequential_run';
  }
  // "121212", "123123", "12341234": a short block said over and over.
  for (let block = 2; block <= secret.length / 2; block += 1) {
    if (secret.length % block === 0 && secret === secret.slice(0, block).repeat(secret.length / block)) return 'repeated_block';
  }
  return null;
}

/** True when `pressed` are the digits of `secret` at the 1-based `positions` (ascending). */
export function digitsMatch(secret: Buffer, positions: readonly number[], pressed: string): boolean {
  const sorted = [...positions].sort((a, b) => a - b);
  const expected = Buffer.alloc(sorted.length);
  sorted.forEach((position, index) => {
    expected[index] = secret[position - 1] ?? 0;
  });
  const given = Buffer.from(pressed.padEnd(sorted.length, '\0').slice(0, sorted.length), 'latin1');
  try {
    return timingSafeEqual(expected, given) && pressed.length === sorted.length;
  } finally {
    expected.fill(0);
    given.fill(0);
  }
}
