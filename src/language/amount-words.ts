// An amount of money as the call says it: number words in the call's language plus the currency's
// unit (3,500,000 KRW → "삼백오십만 원" / "three million five hundred thousand won").
// Amounts arrive as integers of minor units (never floats, docs/call-script.md); the ISO 4217 exponent splits
// them into major and minor parts.
import { numberWordsEn } from './number-words-en.ts';
import { numberWordsKo } from './number-words-ko.ts';
import { requireSpeechLanguage, type SpeechLanguage } from './speech-language.ts';

export interface AmountWordsOptions {
  /** The amount in minor units of `currency` (cents for USD, won for KRW). */
  amountMinor: bigint;
  /** ISO 4217 alphabetic code. */
  currency: string;
  /** The call's locale or language ("ko-KR", "en"). */
  locale: string;
  /** ISO 4217 exponent; looked up when omitted. */
  exponent?: number;
}

interface CurrencyUnits {
  exponent: number;
  /** ko: unit words follow the number after a space ("삼백오십만 원", "십 달러 오십 센트"). */
  ko: { major: string; minor?: string };
  /** en: singular and plural unit names. */
  en: { major: [string, string]; minor?: [string, string] };
}

const currencyUnits: Record<string, CurrencyUnits> = {
  KRW: { exponent: 0, ko: { major: '원' }, en: { major: ['won', 'won'] } },
  JPY: { exponent: 0, ko: { major: '엔' }, en: { major: ['yen', 'yen'] } },
  USD: { exponent: 2, ko: { major: '달러', minor: '센트' }, en: { major: ['dollar', 'dollars'], minor: ['cent', 'cents'] } },
  EUR: { exponent: 2, ko: { major: '유로', minor: '센트' }, en: { major: ['euro', 'euros'], minor: ['cent', 'cents'] } },
};

function numberWords(language: SpeechLanguage, value: bigint): string {
  return language === 'ko' ? numberWordsKo(value) : numberWordsEn(value);
}

function exponentOf(currency: string): number {
  const known = currencyUnits[currency]?.exponent;
  if (known !== undefined) return known;
  // ICU carries the ISO 4217 minor-unit table; an unknown code throws a RangeError here.
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

function withUnits(language: SpeechLanguage, units: CurrencyUnits, major: bigint, minor: bigint): string {
  if (language === 'ko') {
    const majorPhrase = `${numberWordsKo(major)} ${units.ko.major}`;
    if (minor === 0n || !units.ko.minor) return majorPhrase;
    const minorPhrase = `${numberWordsKo(minor)} ${units.ko.minor}`;
    return major === 0n ? minorPhrase : `${majorPhrase} ${minorPhrase}`;
  }
  const [majorOne, majorMany] = units.en.major;
  const majorPhrase = `${numberWordsEn(major)} ${major === 1n ? majorOne : majorMany}`;
  if (minor === 0n || !units.en.minor) return majorPhrase;
  const [minorOne, minorMany] = units.en.minor;
  const minorPhrase = `${numberWordsEn(minor)} ${minor === 1n ? minorOne : minorMany}`;
  return major === 0n ? minorPhrase : `${majorPhrase} and ${minorPhrase}`;
}

/** A currency without spoken units: "twelve point three four G B P" / "십이 점 삼사 G B P". */
function withSpelledCode(language: SpeechLanguage, currency: string, major: bigint, minor: bigint, exponent: number): string {
  const spelledCode = [...currency].join(' ');
  const majorWords = numberWords(language, major);
  if (minor === 0n) return `${majorWords} ${spelledCode}`;
  const fraction = minor.toString().padStart(exponent, '0').replace(/0+$/, '');
  const fractionWords = [...fraction]
    .map((digit) => (language === 'ko' ? (digit === '0' ? '영' : numberWordsKo(BigInt(digit))) : numberWordsEn(BigInt(digit))))
    .join(language === 'ko' ? '' : ' ');
  return language === 'ko' ? `${majorWords} 점 ${fractionWords} ${spelledCode}` : `${majorWords} point ${fractionWords} ${spelledCode}`;
}

export function amountWords({ amountMinor, currency, locale, exponent }: AmountWordsOptions): string {
  const language = requireSpeechLanguage(locale);
  const code = currency;
  if (!/^[A-Z]{3}$/.test(code)) throw new RangeError(`"${currency}" is not an ISO 4217 code`);
  if (amountMinor < 0n) throw new RangeError('a negative amount is never read out');
  const digitsAfterPoint = exponent ?? exponentOf(code);
  if (!Number.isInteger(digitsAfterPoint) || digitsAfterPoint < 0 || digitsAfterPoint > 4) {
    throw new RangeError(`exponent ${digitsAfterPoint} of ${code} is not an ISO 4217 exponent`);
  }
  const scale = 10n ** BigInt(digitsAfterPoint);
  const major = amountMinor / scale;
  const minor = amountMinor % scale;
  const units = currencyUnits[code];
  return units && units.exponent === digitsAfterPoint
    ? withUnits(language, units, major, minor)
    : withSpelledCode(language, code, major, minor, digitsAfterPoint);
}
