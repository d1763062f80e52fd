// Whether a field's change lowers security, by the direction its section declares
// (docs/policy-reference.md "Which way weakens"). Pure; unknown shapes count as weakening (fail safe).
import type { Weakening } from './policy-fields.ts';

/** A number, or a policy amount (decimal string), as a comparable bigint in ten-thousandths. */
function comparable(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.round(value * 10_000));
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+)(?:\.(\d{1,4}))?$/.exec(value);
  return match ? BigInt(match[1]!) * 10_000n + BigInt((match[2] ?? '').padEnd(4, '0')) : undefined;
}

const members = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function isWeakening(direction: Weakening | undefined, before: unknown, after: unknown): boolean {
  if (JSON.stringify(before) === JSON.stringify(after)) return false;
  // A field nobody declared (or a value appearing or vanishing) is treated as weakening.
  if (direction === undefined || before === undefined || after === undefined) return true;
  if (typeof direction === 'object') {
    const from = direction.ranks.indexOf(String(before));
    const to = direction.ranks.indexOf(String(after));
    return from < 0 || to < 0 || to > from;
  }
  switch (direction) {
    case 'never':
      return false;
    case 'any':
      return true;
    case 'turned_on':
      return after === true;
    case 'turned_off':
      return after === false;
    case 'added':
      return members(after).some((member) => !members(before).includes(member));
    case 'removed':
      return members(before).some((member) => !members(after).includes(member));
    case 'higher':
    case 'lower': {
      const [from, to] = [comparable(before), comparable(after)];
      if (from === undefined || to === undefined) return true;
      return direction === 'higher' ? to > from : to < from;
    }
  }
}
