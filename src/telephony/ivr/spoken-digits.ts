// A number read digit by digit, for <Say>: account numbers and phone numbers are never read as
// amounts. Digits are separated by commas (a short pause in text-to-speech) and the groups the
// number is written in ("110-123-456789") by a full stop (a longer pause), so the customer can
// follow along with the account number they typed. Korean banks read 0 as "공".
import { requireSpeechLanguage } from '../../language/speech-language.ts';

const digitWords = {
  ko: ['공', '일', '이', '삼', '사', '오', '육', '칠', '팔', '구'],
  en: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
} as const;

/** spokenDigits("110-123", "ko-KR") → "일, 일, 공. 일, 이, 삼"; characters other than digits split groups. */
export function spokenDigits(written: string, locale: string): string {
  const words = digitWords[requireSpeechLanguage(locale)];
  const groups = written.split(/\D+/).filter((group) => group.length > 0);
  if (groups.length === 0) throw new RangeError('there are no digits to read');
  return groups.map((group) => [...group].map((digit) => words[Number(digit)]).join(', ')).join('. ');
}
