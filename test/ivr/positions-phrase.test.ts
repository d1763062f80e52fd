import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { positionsPhrase } from '../../src/telephony/ivr/positions-phrase.ts';

describe('positionsPhrase', () => {
  it('names positions as Korean ordinals in ascending order', () => {
    assert.equal(positionsPhrase([2, 5, 6, 8], 'ko-KR'), '두 번째, 다섯 번째, 여섯 번째, 여덟 번째');
    assert.equal(positionsPhrase([8, 2, 6, 5], 'ko-KR'), '두 번째, 다섯 번째, 여섯 번째, 여덟 번째');
  });

  it('names positions as English ordinals', () => {
    assert.equal(positionsPhrase([2, 5, 6, 8], 'en-US'), 'second, fifth, sixth and eighth');
    assert.equal(positionsPhrase([3, 1], 'en-US'), 'first and third');
  });

  it('names every position up to 12', () => {
    assert.equal(
      positionsPhrase([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 'ko-KR'),
      '첫 번째, 두 번째, 세 번째, 네 번째, 다섯 번째, 여섯 번째, 일곱 번째, 여덟 번째, 아홉 번째, 열 번째, 열한 번째, 열두 번째',
    );
    assert.equal(positionsPhrase([1, 10, 11, 12], 'en-US'), 'first, tenth, eleventh and twelfth');
    assert.equal(positionsPhrase([4, 7, 9, 3], 'en'), 'third, fourth, seventh and ninth');
  });

  it('does not reorder the caller array', () => {
    const positions = [8, 2, 6, 5];
    positionsPhrase(positions, 'ko-KR');
    assert.deepEqual(positions, [8, 2, 6, 5]);
  });

  it('refuses positions it cannot name', () => {
    assert.throws(() => positionsPhrase([], 'ko-KR'), RangeError);
    assert.throws(() => positionsPhrase([0, 2], 'ko-KR'), RangeError);
    assert.throws(() => positionsPhrase([2, 13], 'en-US'), RangeError);
    assert.throws(() => positionsPhrase([2.5, 3], 'en-US'), RangeError);
    assert.throws(() => positionsPhrase([2, 2, 3], 'en-US'), RangeError);
  });
});
