import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { generateOcra, ocraTimeStepAt, verifyOcra } from '../../src/channels/otp/ocra.ts';
import { buildOcraDataInput } from '../../src/channels/otp/ocra-data-input.ts';
import { parseOcraSuite, type OcraSuite } from '../../src/channels/otp/ocra-suite.ts';
import { standardKey20, standardKey32, standardKey64 } from './rfc-keys.ts';

function suiteOf(text: string): OcraSuite {
  const result = parseOcraSuite(text);
  assert.ok(result.ok);
  return result.suite;
}

test('DataInput = OCRASuite | 00 | C | Q | P | S | T, field by field (RFC 6287 §5.1)', () => {
  const text = 'OCRA-1:HOTP-SHA1-6:C-QN08-PSHA1-S064-T1M';
  const data = Buffer.from(
    buildOcraDataInput(suiteOf(text), {
      counter: 0x0102030405,
      question: '22222222',
      password: '1234',
      sessionInfo: 'abc',
      timeStep: 0x132d0b6,
    }),
  );
  let at = 0;
  const take = (length: number) => data.subarray(at, (at += length));
  assert.equal(take(text.length).toString('ascii'), text);
  assert.deepEqual(take(1), Buffer.of(0));
  assert.deepEqual(take(8), Buffer.from('0000000102030405', 'hex'));
  // QN: 22222222 = 0x153158e, left-aligned and right-padded with 0 to 128 bytes (reference code).
  assert.deepEqual(take(128), Buffer.concat([Buffer.from('153158e0', 'hex'), Buffer.alloc(124)]));
  assert.deepEqual(take(20), createHash('sha1').update('1234').digest());
  assert.deepEqual(take(64), Buffer.concat([Buffer.alloc(61), Buffer.from('abc')])); // left-padded
  assert.deepEqual(take(8), Buffer.from('000000000132d0b6', 'hex'));
  assert.equal(at, data.length);
});

test('question encodings: QN decimal→hex, QA ASCII, QH hex, all padded to 128 bytes', () => {
  const question = (text: string, q: string | string[]) =>
    Buffer.from(buildOcraDataInput(suiteOf(text), { question: q })).subarray(text.length + 1);
  assert.deepEqual(question('OCRA-1:HOTP-SHA1-6:QN08', '00000000'), Buffer.alloc(128));
  assert.deepEqual(question('OCRA-1:HOTP-SHA1-6:QN08', '12345678').subarray(0, 4), Buffer.from('bc614e00', 'hex'));
  assert.deepEqual(question('OCRA-1:HOTP-SHA1-6:QA08', 'SIG10000'), Buffer.concat([Buffer.from('SIG10000'), Buffer.alloc(120)]));
  assert.deepEqual(question('OCRA-1:HOTP-SHA1-6:QH08', 'aBc').subarray(0, 3), Buffer.from('abc000', 'hex'));
  assert.deepEqual(
    question('OCRA-1:HOTP-SHA1-6:QA08', ['CLI22220', 'SRV11110']).subarray(0, 17),
    Buffer.from('CLI22220SRV11110\0'),
  );
  // QN64: the largest numeric question still fits.
  assert.equal(question('OCRA-1:HOTP-SHA1-6:QN64', '9'.repeat(64)).length, 128);
});

test('inputs that do not fit the suite throw OcraInputError with a code', () => {
  const cases: [Parameters<typeof generateOcra>[0], string][] = [
    [{ suite: 'OCRA-1:HOTP-SHA1-6:QN8', key: standardKey20, question: '1' }, 'invalid_suite'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:QN08', key: standardKey20.subarray(0, 15), question: '1' }, 'invalid_key'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:QN08', key: standardKey20, question: '123456789' }, 'invalid_question'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:QN08', key: standardKey20, question: '1234567A' }, 'invalid_question'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:QN08', key: standardKey20, question: '' }, 'invalid_question'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:QN08', key: standardKey20, question: [] }, 'invalid_question'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:QA08', key: standardKey20, question: 'SIG 1000' }, 'invalid_question'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:QH08', key: standardKey20, question: 'XYZ' }, 'invalid_question'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', key: standardKey20, question: '1' }, 'counter_required'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', key: standardKey20, question: '1', counter: -1 }, 'invalid_counter'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', key: standardKey20, question: '1', counter: 1.5 }, 'invalid_counter'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:QN08-PSHA1', key: standardKey20, question: '1' }, 'password_required'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:QN08-PSHA256', key: standardKey20, question: '1', password: new Uint8Array(20) }, 'invalid_password'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:QN08-S064', key: standardKey20, question: '1' }, 'session_info_required'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:QN08-S064', key: standardKey20, question: '1', sessionInfo: 'x'.repeat(65) }, 'invalid_session_info'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:QN08-T1M', key: standardKey20, question: '1' }, 'time_step_required'],
    [{ suite: 'OCRA-1:HOTP-SHA1-6:QN08-T1M', key: standardKey20, question: '1', timeStep: -1 }, 'invalid_time_step'],
  ];
  for (const [options, code] of cases) {
    assert.throws(() => generateOcra(options), { name: 'OcraInputError', code }, code);
  }
});

test('session information (Snnn) round-trips and changes the response', () => {
  const suite = 'OCRA-1:HOTP-SHA256-8:QN08-S064';
  const base = { suite, key: standardKey32, question: '12345678' };
  const code = generateOcra({ ...base, sessionInfo: 'session-1' });
  assert.match(code, /^\d{8}$/);
  assert.notEqual(generateOcra({ ...base, sessionInfo: 'session-2' }), code);
  assert.deepEqual(verifyOcra({ ...base, sessionInfo: 'session-1', code }), { ok: true });
  assert.deepEqual(verifyOcra({ ...base, sessionInfo: 'session-2', code }), { ok: false, reason: 'invalid_code' });
});

test('truncation 0 returns the whole HMAC as hex and verifies case-insensitively', () => {
  const suite = 'OCRA-1:HOTP-SHA256-0:QN08';
  const full = generateOcra({ suite, key: standardKey32, question: '12345678' });
  assert.match(full, /^[0-9a-f]{64}$/);
  assert.deepEqual(verifyOcra({ suite, key: standardKey32, question: '12345678', code: full.toUpperCase() }), { ok: true });
  assert.deepEqual(verifyOcra({ suite, key: standardKey32, question: '12345678', code: '237653' }), {
    ok: false,
    reason: 'malformed_code',
  });
});

test('10-digit truncation pads the 31-bit value to 10 digits', () => {
  const code = generateOcra({ suite: 'OCRA-1:HOTP-SHA1-10:QN08', key: standardKey20, question: '1' });
  assert.match(code, /^\d{10}$/);
  assert.ok(Number(code) < 2 ** 31);
});

test('malformed and wrong codes are returned failures, not exceptions', () => {
  const base = { suite: 'OCRA-1:HOTP-SHA1-6:QN08', key: standardKey20, question: '00000000' };
  assert.deepEqual(verifyOcra({ ...base, code: '237653' }), { ok: true }); // RFC 6287 C.1
  assert.deepEqual(verifyOcra({ ...base, code: '237654' }), { ok: false, reason: 'invalid_code' });
  for (const code of ['23765', '2376533', '23765a', ' 237653', '']) {
    assert.deepEqual(verifyOcra({ ...base, code }), { ok: false, reason: 'malformed_code' }, JSON.stringify(code));
  }
  // The same code for another question fails.
  assert.deepEqual(verifyOcra({ ...base, question: '11111111', code: '237653' }), { ok: false, reason: 'invalid_code' });
});

test('counter suites: look-ahead from the stored counter, never behind it', () => {
  const suite = 'OCRA-1:HOTP-SHA512-8:C-QN08';
  const base = { suite, key: standardKey64, question: '12345678' };
  const codeAt = (counter: number) => generateOcra({ ...base, counter });

  assert.deepEqual(verifyOcra({ ...base, counter: 3, code: codeAt(3) }), { ok: true, counter: 3 });
  // Hit inside the default window of 10: the caller then stores 8.
  assert.deepEqual(verifyOcra({ ...base, counter: 3, code: codeAt(7) }), { ok: true, counter: 7 });
  assert.deepEqual(verifyOcra({ ...base, counter: 3, code: codeAt(13) }), { ok: true, counter: 13 });
  // Just outside the window.
  assert.deepEqual(verifyOcra({ ...base, counter: 3, code: codeAt(14) }), { ok: false, reason: 'invalid_code' });
  assert.deepEqual(verifyOcra({ ...base, counter: 3, counterWindow: 2, code: codeAt(6) }), { ok: false, reason: 'invalid_code' });
  assert.deepEqual(verifyOcra({ ...base, counter: 3, counterWindow: 0, code: codeAt(4) }), { ok: false, reason: 'invalid_code' });
  // A code for a counter already consumed (below the stored counter) is refused.
  assert.deepEqual(verifyOcra({ ...base, counter: 8, code: codeAt(7) }), { ok: false, reason: 'invalid_code' });

  assert.throws(() => verifyOcra({ ...base, code: codeAt(0) }), { code: 'counter_required' });
  assert.throws(() => verifyOcra({ ...base, counter: 0, counterWindow: -1, code: codeAt(0) }), { code: 'invalid_window' });
  assert.throws(() => verifyOcra({ ...base, counter: 0, counterWindow: 101, code: codeAt(0) }), { code: 'invalid_window' });
});

test('time suites: ±1 step accepted, ±2 refused, matched step returned', () => {
  const suiteText = 'OCRA-1:HOTP-SHA512-8:QN08-T1M';
  const suite = suiteOf(suiteText);
  const now = new Date(Date.UTC(2026, 10, 22, 9, 30, 15));
  const current = ocraTimeStepAt(suite, now);
  assert.equal(current, Math.floor(now.getTime() / 60_000));
  const base = { suite: suiteText, key: standardKey64, question: '23456789', now, lastUsedTimeStep: null };
  const codeAt = (timeStep: number) => generateOcra({ ...base, timeStep });

  assert.deepEqual(verifyOcra({ ...base, code: codeAt(current) }), { ok: true, timeStep: current });
  assert.deepEqual(verifyOcra({ ...base, code: codeAt(current - 1) }), { ok: true, timeStep: current - 1 });
  assert.deepEqual(verifyOcra({ ...base, code: codeAt(current + 1) }), { ok: true, timeStep: current + 1 });
  assert.deepEqual(verifyOcra({ ...base, code: codeAt(current - 2) }), { ok: false, reason: 'invalid_code' });
  assert.deepEqual(verifyOcra({ ...base, code: codeAt(current + 2) }), { ok: false, reason: 'invalid_code' });
  // Widening is explicit.
  assert.deepEqual(verifyOcra({ ...base, timeWindowSteps: 2, code: codeAt(current - 2) }), { ok: true, timeStep: current - 2 });
  assert.deepEqual(verifyOcra({ ...base, timeWindowSteps: 0, code: codeAt(current - 1) }), { ok: false, reason: 'invalid_code' });
});

test('time suites: a code is accepted once (steps ≤ lastUsedTimeStep are refused)', () => {
  const suite = 'OCRA-1:HOTP-SHA512-8:QN08-T1M';
  const now = new Date(Date.UTC(2026, 10, 22, 9, 30, 15));
  const current = Math.floor(now.getTime() / 60_000);
  const base = { suite, key: standardKey64, question: '23456789', now };
  const code = generateOcra({ ...base, timeStep: current });

  const first = verifyOcra({ ...base, code, lastUsedTimeStep: current - 5 });
  assert.deepEqual(first, { ok: true, timeStep: current });
  // The caller stored the matched step; the same code again is a replay.
  assert.deepEqual(verifyOcra({ ...base, code, lastUsedTimeStep: current }), { ok: false, reason: 'replayed' });
  // A code of a later step is still accepted.
  const next = generateOcra({ ...base, timeStep: current + 1 });
  assert.deepEqual(verifyOcra({ ...base, code: next, lastUsedTimeStep: current }), { ok: true, timeStep: current + 1 });
  // An earlier, never-used step at or before the last accepted one is refused as well.
  const earlier = generateOcra({ ...base, timeStep: current - 1 });
  assert.deepEqual(verifyOcra({ ...base, code: earlier, lastUsedTimeStep: current }), { ok: false, reason: 'replayed' });
  // The state is required for time suites, so replay protection cannot be forgotten.
  assert.throws(() => verifyOcra({ ...base, code }), { name: 'OcraInputError', code: 'last_used_time_step_required' });
});

test('counter and time together: both matched values are returned', () => {
  const suite = 'OCRA-1:HOTP-SHA256-8:C-QN08-T30S';
  const now = new Date(Date.UTC(2026, 0, 1, 0, 0, 10));
  const current = Math.floor(now.getTime() / 30_000);
  const base = { suite, key: standardKey32, question: '1234', now, lastUsedTimeStep: null };
  const code = generateOcra({ ...base, counter: 5, timeStep: current - 1 });
  assert.deepEqual(verifyOcra({ ...base, counter: 2, code }), { ok: true, counter: 5, timeStep: current - 1 });
});
