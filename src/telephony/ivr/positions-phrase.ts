// Names the positions of the security number the customer is asked for, as ordinal numerals in
// ascending order (docs/call-script.md step 3): [8, 2, 5, 6] → "두 번째, 다섯 번째, 여섯 번째, 여덟 번째" /
// "second, fifth, sixth and eighth". Positions are 1-based; security numbers have 6–12 digits.
import { requireSpeechLanguage } from '../../language/speech-language.ts';

const ordinals = {
  ko: ['첫 번째', '두 번째', '세 번째', '네 번째', '다섯 번째', '여섯 번째', '일곱 번째', '여덟 번째', '아홉 번째', '열 번째', '열한 번째', '열두 번째'],
  en: ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth'],
} as const;

/** The highest position that can be named. */
export const maxNamedPosition = 12;

export function positionsPhrase(positions: readonly number[], locale: string): string {
  const language = requireSpeechLanguage(locale);
  if (positions.length === 0) throw new RangeError('at least one position is needed');
  const sorted = [...positions].sort((a, b) => a - b);
  sorted.forEach((position, index) => {
    if (!Number.isInteger(position) || position < 1 || position > maxNamedPosition) {
      throw new RangeError(`position ${position} is outside 1..${maxNamedPosition}`);
    }
    if (index > 0 && sorted[index - 1] === position) throw new RangeError(`position ${position} is repeated`);
  });
  const names = sorted.map((position) => ordinals[language][position - 1]!);
  if (language === 'ko' || names.length === 1) return names.join(', ');
  // US list style without a serial comma, as in "second, fifth, sixth and eighth".
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
