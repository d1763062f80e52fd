import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpretDigits } from '../../src/channels/ars/interpret-digits.ts';

describe('interpretDigits', () => {
  it('takes exactly N digits as the answer, a leading 0 included', () => {
    assert.deepEqual(interpretDigits('2568', 4), { kind: 'answer', digits: '2568' });
    assert.deepEqual(interpretDigits('0813', 4), { kind: 'answer', digits: '0813' });
    assert.deepEqual(interpretDigits('000000', 6), { kind: 'answer', digits: '000000' });
  });

  it('treats any star as a rejection', () => {
    assert.deepEqual(interpretDigits('*', 4), { kind: 'reject' });
    assert.deepEqual(interpretDigits('12*', 4), { kind: 'reject' });
    assert.deepEqual(interpretDigits('**', 4), { kind: 'reject' });
  });

  it('treats a lone 0 as "repeat the details"', () => {
    assert.deepEqual(interpretDigits('0', 4), { kind: 'repeat' });
  });

  it('reports no input and incomplete entries', () => {
    assert.deepEqual(interpretDigits('', 4), { kind: 'no_input' });
    assert.deepEqual(interpretDigits(undefined, 4), { kind: 'no_input' });
    assert.deepEqual(interpretDigits(null, 4), { kind: 'no_input' });
    assert.deepEqual(interpretDigits('25', 4), { kind: 'incomplete' });
    assert.deepEqual(interpretDigits('00', 4), { kind: 'incomplete' });
    assert.deepEqual(interpretDigits('12345', 4), { kind: 'incomplete' });
    assert.deepEqual(interpretDigits('12a4', 4), { kind: 'incomplete' });
  });

  it('never hands back the digits of an incomplete entry', () => {
    assert.equal(JSON.stringify(interpretDigits('256', 4)).includes('256'), false);
  });

  it('needs at least two positions, so a lone 0 is never an answer', () => {
    assert.throws(() => interpretDigits('0', 1), RangeError);
  });
});
