// Sino-Korean number words as used for money ("삼백오십만 원").
//
// Rules (standard money reading):
// - Digits are grouped by four (만 = 10^4, 억 = 10^8, 조 = 10^12, 경 = 10^16); within a group
//   천/백/십 take no "일" before them: 1000 → "천", 110 → "백십".
// - A leading 만 group of exactly one is said "만" (10000 → "만", 15000 → "만 오천");
//   억, 조 and 경 keep "일" (10^8 → "일억", 10^12 → "일조"). Elsewhere 1만 is "일만" ("일억 일만"),
//   which is clearer on a phone line.
// - Groups are separated by a space, as Korean spelling writes large numbers by 만 units
//   ("일조 이천삼백사십오억 육천칠백팔십구만 백이십삼"); zero is "영".
import { toSpokenInteger } from './spoken-integer.ts';

const digitWords = ['', '일', '이', '삼', '사', '오', '육', '칠', '팔', '구'] as const;
const placeWords = ['', '십', '백', '천'] as const;
const groupWords = ['', '만', '억', '조', '경'] as const;

/** The largest number spoken: 9999경 9999조 9999억 9999만 9999. */
export const maxNumberWordsKo = 10n ** 20n - 1n;

function groupToWords(group: number): string {
  let words = '';
  for (let place = 3; place >= 0; place -= 1) {
    const digit = Math.floor(group / 10 ** place) % 10;
    if (digit === 0) continue;
    words += place > 0 && digit === 1 ? placeWords[place] : `${digitWords[digit]}${placeWords[place]}`;
  }
  return words;
}

export function numberWordsKo(value: bigint | number): string {
  let remaining = toSpokenInteger(value, maxNumberWordsKo);
  if (remaining === 0n) return '영';
  const groups: number[] = [];
  while (remaining > 0n) {
    groups.push(Number(remaining % 10000n));
    remaining /= 10000n;
  }
  const parts: string[] = [];
  for (let index = groups.length - 1; index >= 0; index -= 1) {
    const group = groups[index]!;
    if (group === 0) continue;
    const leading = parts.length === 0;
    if (index === 1 && group === 1 && leading) parts.push('만');
    else parts.push(`${groupToWords(group)}${groupWords[index]}`);
  }
  return parts.join(' ');
}
