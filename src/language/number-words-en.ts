// English cardinal number words, US style: no "and" inside numbers (1001 → "one thousand one",
// 110 → "one hundred ten"), compound tens hyphenated ("twenty-one"), short scale
// (million = 10^6, billion = 10^9, …). "and" is kept for joining dollars and cents.
import { toSpokenInteger } from './spoken-integer.ts';

const ones = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine',
  'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen',
] as const;
const tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'] as const;
const scales = ['', 'thousand', 'million', 'billion', 'trillion', 'quadrillion', 'quintillion'] as const;

/** The largest number spoken: just under one sextillion. */
export const maxNumberWordsEn = 10n ** 21n - 1n;

function belowThousandToWords(group: number): string {
  const words: string[] = [];
  const hundreds = Math.floor(group / 100);
  const rest = group % 100;
  if (hundreds > 0) words.push(`${ones[hundreds]} hundred`);
  if (rest >= 20) words.push(rest % 10 === 0 ? tens[Math.floor(rest / 10)]! : `${tens[Math.floor(rest / 10)]}-${ones[rest % 10]}`);
  else if (rest > 0) words.push(ones[rest]!);
  return words.join(' ');
}

export function numberWordsEn(value: bigint | number): string {
  let remaining = toSpokenInteger(value, maxNumberWordsEn);
  if (remaining === 0n) return 'zero';
  const groups: number[] = [];
  while (remaining > 0n) {
    groups.push(Number(remaining % 1000n));
    remaining /= 1000n;
  }
  const parts: string[] = [];
  for (let index = groups.length - 1; index >= 0; index -= 1) {
    const group = groups[index]!;
    if (group === 0) continue;
    parts.push(index === 0 ? belowThousandToWords(group) : `${belowThousandToWords(group)} ${scales[index]}`);
  }
  return parts.join(' ');
}
