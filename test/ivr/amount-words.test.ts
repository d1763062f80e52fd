import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { amountWords } from '../../src/language/amount-words.ts';

const say = (amountMinor: bigint, currency: string, locale: string, exponent?: number): string =>
  amountWords({ amountMinor, currency, locale, ...(exponent !== undefined ? { exponent } : {}) });

describe('amountWords', () => {
  it('reads 3,500,000 KRW in both languages (docs/call-script.md)', () => {
    assert.equal(say(3500000n, 'KRW', 'ko-KR'), '삼백오십만 원');
    assert.equal(say(3500000n, 'KRW', 'en-US'), 'three million five hundred thousand won');
  });

  it('reads KRW edge amounts', () => {
    assert.equal(say(0n, 'KRW', 'ko-KR'), '영 원');
    assert.equal(say(1n, 'KRW', 'ko-KR'), '일 원');
    assert.equal(say(10000n, 'KRW', 'ko-KR'), '만 원');
    assert.equal(say(100000000n, 'KRW', 'ko-KR'), '일억 원');
    assert.equal(say(1n, 'KRW', 'en-US'), 'one won');
    assert.equal(say(0n, 'KRW', 'en-US'), 'zero won');
  });

  it('reads dollars and cents', () => {
    assert.equal(say(1050n, 'USD', 'en-US'), 'ten dollars and fifty cents');
    assert.equal(say(101n, 'USD', 'en-US'), 'one dollar and one cent');
    assert.equal(say(100n, 'USD', 'en-US'), 'one dollar');
    assert.equal(say(50n, 'USD', 'en-US'), 'fifty cents');
    assert.equal(say(0n, 'USD', 'en-US'), 'zero dollars');
    assert.equal(say(350000000n, 'USD', 'en-US'), 'three million five hundred thousand dollars');
    assert.equal(say(1050n, 'USD', 'ko-KR'), '십 달러 오십 센트');
    assert.equal(say(100n, 'USD', 'ko-KR'), '일 달러');
    assert.equal(say(5n, 'USD', 'ko-KR'), '오 센트');
  });

  it('reads yen and euros', () => {
    assert.equal(say(1000n, 'JPY', 'ko-KR'), '천 엔');
    assert.equal(say(1000n, 'JPY', 'en-US'), 'one thousand yen');
    assert.equal(say(200n, 'EUR', 'en-US'), 'two euros');
    assert.equal(say(199n, 'EUR', 'en-US'), 'one euro and ninety-nine cents');
    assert.equal(say(1234n, 'EUR', 'ko-KR'), '십이 유로 삼십사 센트');
  });

  it('falls back to number words and the spelled ISO code', () => {
    assert.equal(say(1234n, 'GBP', 'en-US'), 'twelve point three four G B P');
    assert.equal(say(1200n, 'GBP', 'en-US'), 'twelve G B P');
    assert.equal(say(1205n, 'GBP', 'en-US'), 'twelve point zero five G B P');
    assert.equal(say(1234n, 'GBP', 'ko-KR'), '십이 점 삼사 G B P');
    assert.equal(say(1205n, 'GBP', 'ko-KR'), '십이 점 영오 G B P');
    // KWD has three decimals (ISO 4217), known to ICU.
    assert.equal(say(1500n, 'KWD', 'en-US'), 'one point five K W D');
  });

  it('uses the exponent it is given', () => {
    assert.equal(say(1050n, 'USD', 'en-US', 2), 'ten dollars and fifty cents');
    assert.equal(say(7n, 'XTS', 'en-US', 0), 'seven X T S');
  });

  it('refuses what it cannot read', () => {
    assert.throws(() => say(-1n, 'KRW', 'ko-KR'), RangeError);
    assert.throws(() => say(1n, 'won', 'ko-KR'), RangeError);
    assert.throws(() => say(1n, 'KRW', 'ja-JP'), RangeError);
    assert.throws(() => say(1n, 'KRW', 'ko-KR', 7), RangeError);
  });
});
