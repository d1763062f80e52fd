import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateOcra, verifyOcra } from '../../src/channels/otp/ocra.ts';
import { deriveOcraQuestion } from '../../src/channels/otp/ocra-question.ts';
import { standardKey20, standardKey32 } from './rfc-keys.ts';

const question = (result: ReturnType<typeof deriveOcraQuestion>) => {
  assert.ok(result.ok, JSON.stringify(result));
  return result.question;
};

test('payee_account (docs/otp-channel.md): last xx account digits, non-digits removed, left-padded with 0', () => {
  const derive = (suite: string, payeeAccount: string) =>
    question(deriveOcraQuestion({ suite, derivation: 'payee_account', payeeAccount }));
  assert.equal(derive('OCRA-1:HOTP-SHA1-6:QN08', '110-123-456789'), '23456789');
  assert.equal(derive('OCRA-1:HOTP-SHA1-6:QN10', '110-123-456789'), '0123456789');
  assert.equal(derive('OCRA-1:HOTP-SHA1-6:QN16', '110-123-456789'), '0000110123456789');
  assert.equal(derive('OCRA-1:HOTP-SHA1-6:QN04', '110-123-456789'), '6789');
  assert.equal(derive('OCRA-1:HOTP-SHA1-6:QN08', 'DE44 5001 0517 5407 3249 31'), '07324931');
  assert.equal(derive('OCRA-1:HOTP-SHA1-6:QN08', '12-34'), '00001234');
  assert.equal(derive('OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', '(110)123-456789'), '23456789');
});

test('QA and QH suites get the same digit string; their encodings differ, so leading zeros count', () => {
  for (const suite of ['OCRA-1:HOTP-SHA256-8:QA08', 'OCRA-1:HOTP-SHA256-8:QH08']) {
    const derived = question(deriveOcraQuestion({ suite, derivation: 'payee_account', payeeAccount: '12-34' }));
    assert.equal(derived, '00001234');
    // Unlike QN (a number), QA (ASCII) and QH (hex nibbles) keep the zeros: '1234' is another question.
    assert.notEqual(generateOcra({ suite, key: standardKey32, question: derived }), generateOcra({ suite, key: standardKey32, question: '1234' }));
  }
  assert.deepEqual(
    deriveOcraQuestion({ suite: 'OCRA-1:HOTP-SHA256-8:QA16', derivation: 'payee_account_amount', payeeAccount: '110-123-456789', amountMinorUnits: 3_500_000n }),
    { ok: true, question: '350000023456789' },
  );
});

test('payee_account refuses what it cannot derive', () => {
  const derive = (suite: string, payeeAccount: string) => deriveOcraQuestion({ suite, derivation: 'payee_account', payeeAccount });
  assert.deepEqual(derive('OCRA-1:HOTP-SHA1-6:QN08', 'no digits here'), { ok: false, error: 'no_account_digits' });
  // Only ASCII digits count: full-width digits are not what a token keypad has.
  assert.deepEqual(derive('OCRA-1:HOTP-SHA1-6:QN08', '１２３'), { ok: false, error: 'no_account_digits' });
  assert.deepEqual(derive('OCRA-1:HOTP-SHA1-6:QN3', '110-123-456789'), { ok: false, error: 'invalid_suite' });
});

test('a code for the intended payee fails when the payee is swapped', () => {
  const suite = 'OCRA-1:HOTP-SHA1-6:QN08';
  const intended = question(deriveOcraQuestion({ suite, derivation: 'payee_account', payeeAccount: '110-123-456789' }));
  const swapped = question(deriveOcraQuestion({ suite, derivation: 'payee_account', payeeAccount: '110-987-654321' }));
  assert.notEqual(swapped, intended);
  // The customer's token signs the intended payee...
  const code = generateOcra({ suite, key: standardKey20, question: intended });
  assert.deepEqual(verifyOcra({ suite, key: standardKey20, question: intended, code }), { ok: true });
  // ...and that code does not approve a transaction whose payee was swapped.
  assert.deepEqual(verifyOcra({ suite, key: standardKey20, question: swapped, code }), { ok: false, reason: 'invalid_code' });
});

test('payee_account_amount: amount minor units followed by the last 8 account digits', () => {
  const derive = (suite: string, payeeAccount: string, amountMinorUnits: bigint | string) =>
    deriveOcraQuestion({ suite, derivation: 'payee_account_amount', payeeAccount, amountMinorUnits });
  // KRW 3,500,000 (exponent 0) to 110-123-456789.
  assert.deepEqual(derive('OCRA-1:HOTP-SHA256-8:QN16', '110-123-456789', 3_500_000n), { ok: true, question: '350000023456789' });
  assert.deepEqual(derive('OCRA-1:HOTP-SHA256-8:QN16', '110-123-456789', '3500000'), { ok: true, question: '350000023456789' });
  // Leading zeros of the amount are dropped; the account field keeps its 8 digits.
  assert.deepEqual(derive('OCRA-1:HOTP-SHA256-8:QN16', '00-001234', '0012'), { ok: true, question: '1200001234' });
  assert.deepEqual(derive('OCRA-1:HOTP-SHA256-8:QN16', '12345678', 0n), { ok: true, question: '012345678' });
  // The largest amount that fits QN16 is 8 digits; QN20 takes 12.
  assert.deepEqual(derive('OCRA-1:HOTP-SHA256-8:QN16', '110-123-456789', 99_999_999n), { ok: true, question: '9999999923456789' });
  assert.deepEqual(derive('OCRA-1:HOTP-SHA256-8:QN16', '110-123-456789', 100_000_000n), { ok: false, error: 'amount_too_long' });
  assert.deepEqual(derive('OCRA-1:HOTP-SHA256-8:QN20', '110-123-456789', 100_000_000n), { ok: true, question: '10000000023456789' });
});

test('payee_account_amount refuses short suites and bad amounts', () => {
  const derive = (suite: string, amountMinorUnits?: bigint | string) =>
    deriveOcraQuestion({
      suite,
      derivation: 'payee_account_amount',
      payeeAccount: '110-123-456789',
      ...(amountMinorUnits !== undefined ? { amountMinorUnits } : {}),
    });
  assert.deepEqual(derive('OCRA-1:HOTP-SHA1-6:QN08', 1n), { ok: false, error: 'question_too_short_for_amount' });
  assert.deepEqual(derive('OCRA-1:HOTP-SHA1-6:QN15', 1n), { ok: false, error: 'question_too_short_for_amount' });
  assert.deepEqual(derive('OCRA-1:HOTP-SHA1-6:QN16'), { ok: false, error: 'amount_required' });
  assert.deepEqual(derive('OCRA-1:HOTP-SHA1-6:QN16', -1n), { ok: false, error: 'invalid_amount' });
  for (const amount of ['', '-5', '35.00', '1e6', ' 1']) {
    assert.deepEqual(derive('OCRA-1:HOTP-SHA1-6:QN16', amount), { ok: false, error: 'invalid_amount' }, amount);
  }
});

test('payee_account_amount: a changed amount or payee gives another question, and the code fails', () => {
  const suite = 'OCRA-1:HOTP-SHA256-8:QN16';
  const derive = (payeeAccount: string, amountMinorUnits: bigint) =>
    question(deriveOcraQuestion({ suite, derivation: 'payee_account_amount', payeeAccount, amountMinorUnits }));
  const intended = derive('110-123-456789', 3_500_000n);
  const code = generateOcra({ suite, key: standardKey32, question: intended });
  for (const other of [derive('110-123-456789', 35_000_000n), derive('110-123-456788', 3_500_000n)]) {
    assert.notEqual(other, intended);
    assert.deepEqual(verifyOcra({ suite, key: standardKey32, question: other, code }), { ok: false, reason: 'invalid_code' });
  }
  // Moving digits between amount and account cannot collide: the account field is fixed-width.
  assert.notEqual(derive('00000001', 23n), derive('00000000', 123n));
});

test('docs/otp-question-derivation.md worked examples (pinned outputs of this implementation, not RFC vectors)', () => {
  const examples: [string, Uint8Array, number, Parameters<typeof deriveOcraQuestion>[0], string, string][] = [
    ['OCRA-1:HOTP-SHA1-6:C-QN08', standardKey20, 0, { suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', derivation: 'payee_account', payeeAccount: '110-123-456789' }, '23456789', '048396'],
    ['OCRA-1:HOTP-SHA1-6:C-QN08', standardKey20, 1, { suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', derivation: 'payee_account', payeeAccount: '110-123-456789' }, '23456789', '432125'],
    ['OCRA-1:HOTP-SHA256-8:C-QN16', standardKey32, 0, { suite: 'OCRA-1:HOTP-SHA256-8:C-QN16', derivation: 'payee_account_amount', payeeAccount: '110-123-456789', amountMinorUnits: 3_500_000n }, '350000023456789', '21739763'],
    ['OCRA-1:HOTP-SHA256-8:C-QN16', standardKey32, 0, { suite: 'OCRA-1:HOTP-SHA256-8:C-QN16', derivation: 'payee_account_amount', payeeAccount: '00012345', amountMinorUnits: 123_456n }, '12345600012345', '99543293'],
    ['OCRA-1:HOTP-SHA1-6:C-QN08', standardKey20, 0, { suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', derivation: 'payee_account', payeeAccount: '1234-5678' }, '12345678', '897640'],
  ];
  for (const [suite, key, counter, options, expectedQuestion, expectedCode] of examples) {
    const derived = question(deriveOcraQuestion(options));
    assert.equal(derived, expectedQuestion);
    assert.equal(generateOcra({ suite, key, question: derived, counter }), expectedCode);
  }
});
