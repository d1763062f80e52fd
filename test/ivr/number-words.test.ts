import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { numberWordsEn } from '../../src/language/number-words-en.ts';
import { numberWordsKo } from '../../src/language/number-words-ko.ts';

const koCases: [bigint, string][] = [
  [0n, '영'],
  [1n, '일'],
  [2n, '이'],
  [10n, '십'],
  [11n, '십일'],
  [20n, '이십'],
  [99n, '구십구'],
  [100n, '백'],
  [101n, '백일'],
  [110n, '백십'],
  [111n, '백십일'],
  [1000n, '천'],
  [1001n, '천일'],
  [1111n, '천백십일'],
  [2000n, '이천'],
  [10000n, '만'],
  [10010n, '만 십'],
  [12345n, '만 이천삼백사십오'],
  [15000n, '만 오천'],
  [20000n, '이만'],
  [99999n, '구만 구천구백구십구'],
  [100000n, '십만'],
  [110000n, '십일만'],
  [1000000n, '백만'],
  [3000000n, '삼백만'],
  [3500000n, '삼백오십만'],
  [10000000n, '천만'],
  [11000000n, '천백만'],
  [100000000n, '일억'],
  [100010000n, '일억 일만'],
  [110000000n, '일억 천만'],
  [1000000000n, '십억'],
  [200000000n, '이억'],
  [1000000000000n, '일조'],
  [1234567890123n, '일조 이천삼백사십오억 육천칠백팔십구만 백이십삼'],
  [10n ** 16n, '일경'],
  [10n ** 16n - 1n, '구천구백구십구조 구천구백구십구억 구천구백구십구만 구천구백구십구'],
  [10n ** 20n - 1n, '구천구백구십구경 구천구백구십구조 구천구백구십구억 구천구백구십구만 구천구백구십구'],
];

const enCases: [bigint, string][] = [
  [0n, 'zero'],
  [1n, 'one'],
  [10n, 'ten'],
  [11n, 'eleven'],
  [15n, 'fifteen'],
  [20n, 'twenty'],
  [21n, 'twenty-one'],
  [99n, 'ninety-nine'],
  [100n, 'one hundred'],
  [101n, 'one hundred one'],
  [110n, 'one hundred ten'],
  [1000n, 'one thousand'],
  [1001n, 'one thousand one'],
  [10000n, 'ten thousand'],
  [10010n, 'ten thousand ten'],
  [100000n, 'one hundred thousand'],
  [1000000n, 'one million'],
  [3500000n, 'three million five hundred thousand'],
  [100000000n, 'one hundred million'],
  [110000000n, 'one hundred ten million'],
  [1000000000n, 'one billion'],
  [1000000000000n, 'one trillion'],
  [1000001000000n, 'one trillion one million'],
  [1234567890123n, 'one trillion two hundred thirty-four billion five hundred sixty-seven million eight hundred ninety thousand one hundred twenty-three'],
  [
    10n ** 16n - 1n,
    'nine quadrillion nine hundred ninety-nine trillion nine hundred ninety-nine billion nine hundred ninety-nine million nine hundred ninety-nine thousand nine hundred ninety-nine',
  ],
  [10n ** 18n, 'one quintillion'],
];

describe('numberWordsKo', () => {
  for (const [value, words] of koCases) {
    it(`${value} → ${words}`, () => assert.equal(numberWordsKo(value), words));
  }

  it('accepts safe integers as numbers', () => {
    assert.equal(numberWordsKo(3500000), '삼백오십만');
  });

  it('never says 일천, 일백 or 일십', () => {
    for (const value of [1000n, 1100n, 1110n, 11110000n, 1111_1111_1111n]) {
      assert.doesNotMatch(numberWordsKo(value), /일[천백십]/);
    }
  });

  it('refuses negative, fractional and too large values', () => {
    assert.throws(() => numberWordsKo(-1n), RangeError);
    assert.throws(() => numberWordsKo(1.5), RangeError);
    assert.throws(() => numberWordsKo(2 ** 53), RangeError);
    assert.throws(() => numberWordsKo(10n ** 20n), RangeError);
  });
});

describe('numberWordsEn (US style, no "and")', () => {
  for (const [value, words] of enCases) {
    it(`${value} → ${words}`, () => assert.equal(numberWordsEn(value), words));
  }

  it('never inserts "and"', () => {
    for (const value of [101n, 1001n, 123456789n, 1234567890123n]) assert.doesNotMatch(numberWordsEn(value), /\band\b/);
  });

  it('refuses negative, fractional and too large values', () => {
    assert.throws(() => numberWordsEn(-5), RangeError);
    assert.throws(() => numberWordsEn(0.1), RangeError);
    assert.throws(() => numberWordsEn(10n ** 21n), RangeError);
  });
});
