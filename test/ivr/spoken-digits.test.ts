import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spokenDigits } from '../../src/telephony/ivr/spoken-digits.ts';

describe('spokenDigits', () => {
  it('reads a Korean account digit by digit, 0 as 공, groups as pauses', () => {
    assert.equal(spokenDigits('110-123-456789', 'ko-KR'), '일, 일, 공. 일, 이, 삼. 사, 오, 육, 칠, 팔, 구');
  });

  it('reads it in English', () => {
    assert.equal(spokenDigits('110-123-456789', 'en-US'), 'one, one, zero. one, two, three. four, five, six, seven, eight, nine');
  });

  it('accepts a bare language and any separator', () => {
    assert.equal(spokenDigits('1002 345', 'ko'), '일, 공, 공, 이. 삼, 사, 오');
    assert.equal(spokenDigits('+82 2-312-3456', 'en'), 'eight, two. two. three, one, two. three, four, five, six');
    assert.equal(spokenDigits('9870', 'en-GB'), 'nine, eight, seven, zero');
  });

  it('refuses text without digits and unsupported languages', () => {
    assert.throws(() => spokenDigits('--', 'ko-KR'), RangeError);
    assert.throws(() => spokenDigits('123', 'ja-JP'), RangeError);
  });
});
