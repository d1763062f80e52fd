import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  generateTotp,
  generateTotpSecret,
  verifyTotp,
  type TotpAlgorithm,
} from '../../src/channels/otp/totp.ts';
import { standardKey20, standardKey32, standardKey64 } from './rfc-keys.ts';

const keys: Record<TotpAlgorithm, Uint8Array> = { sha1: standardKey20, sha256: standardKey32, sha512: standardKey64 };

// RFC 6238 Appendix B: 8 digits, X = 30 s, T0 = 0; [Unix time, T (hex), SHA1, SHA256, SHA512].
const appendixB: [number, number, string, string, string][] = [
  [59, 0x1, '94287082', '46119246', '90693936'],
  [1111111109, 0x23523ec, '07081804', '68084774', '25091201'],
  [1111111111, 0x23523ed, '14050471', '67062674', '99943326'],
  [1234567890, 0x273ef07, '89005924', '91819424', '93441116'],
  [2000000000, 0x3f940aa, '69279037', '90698825', '38618901'],
  [20000000000, 0x27bc86aa, '65353130', '77737706', '47863826'],
];

test('RFC 6238 Appendix B: every time and algorithm (generate and verify)', () => {
  for (const [seconds, timeStep, ...codes] of appendixB) {
    const now = new Date(seconds * 1000);
    (['sha1', 'sha256', 'sha512'] as const).forEach((algorithm, i) => {
      const code = codes[i]!;
      const settings = { secret: keys[algorithm], algorithm, digits: 8, period: 30, now };
      assert.equal(generateTotp(settings), code, `${algorithm} at ${seconds}`);
      assert.deepEqual(verifyTotp({ ...settings, code, lastUsedTimeStep: null }), { ok: true, timeStep, delta: 0 });
    });
  }
});

const now = new Date(Date.UTC(2026, 10, 22, 9, 30, 15));
const period = 30;
const currentStep = Math.floor(now.getTime() / 1000 / period);
const secret = standardKey20;
const codeAtStep = (step: number, digits = 6) => generateTotp({ secret, digits, now: new Date(step * period * 1000) });

test('accepts ±1 step and reports the matched step; refuses ±2', () => {
  const verify = (code: string) => verifyTotp({ secret, code, now, lastUsedTimeStep: null });
  assert.deepEqual(verify(codeAtStep(currentStep)), { ok: true, timeStep: currentStep, delta: 0 });
  assert.deepEqual(verify(codeAtStep(currentStep - 1)), { ok: true, timeStep: currentStep - 1, delta: -1 });
  assert.deepEqual(verify(codeAtStep(currentStep + 1)), { ok: true, timeStep: currentStep + 1, delta: 1 });
  assert.deepEqual(verify(codeAtStep(currentStep - 2)), { ok: false, reason: 'invalid_code' });
  assert.deepEqual(verify(codeAtStep(currentStep + 2)), { ok: false, reason: 'invalid_code' });
  assert.deepEqual(
    verifyTotp({ secret, code: codeAtStep(currentStep - 1), now, lastUsedTimeStep: null, windowSteps: 0 }),
    { ok: false, reason: 'invalid_code' },
  );
});

test('refuses a replayed code: steps ≤ lastUsedTimeStep', () => {
  const code = codeAtStep(currentStep);
  const first = verifyTotp({ secret, code, now, lastUsedTimeStep: currentStep - 3 });
  assert.deepEqual(first, { ok: true, timeStep: currentStep, delta: 0 });
  // The caller stored the matched step; the same code is refused for the rest of its window.
  assert.deepEqual(verifyTotp({ secret, code, now, lastUsedTimeStep: currentStep }), { ok: false, reason: 'replayed' });
  const later = new Date(now.getTime() + 30_000);
  assert.deepEqual(verifyTotp({ secret, code, now: later, lastUsedTimeStep: currentStep }), { ok: false, reason: 'replayed' });
  // An older code that was never used is refused as well once a newer step was accepted.
  assert.deepEqual(
    verifyTotp({ secret, code: codeAtStep(currentStep - 1), now, lastUsedTimeStep: currentStep }),
    { ok: false, reason: 'replayed' },
  );
  // The next step's code is fine.
  assert.deepEqual(
    verifyTotp({ secret, code: codeAtStep(currentStep + 1), now, lastUsedTimeStep: currentStep }),
    { ok: true, timeStep: currentStep + 1, delta: 1 },
  );
  // A stored step beyond the window (e.g. the clock went back) refuses without throwing.
  assert.deepEqual(verifyTotp({ secret, code, now, lastUsedTimeStep: currentStep + 5 }), { ok: false, reason: 'replayed' });
  assert.deepEqual(
    verifyTotp({ secret, code: '000000' === code ? '111111' : '000000', now, lastUsedTimeStep: currentStep + 5 }),
    { ok: false, reason: 'invalid_code' },
  );
});

test('malformed codes are returned failures; bad settings throw', () => {
  for (const code of ['12345', '1234567', 'abcdef', '', '12345 ']) {
    assert.deepEqual(verifyTotp({ secret, code, now, lastUsedTimeStep: null }), { ok: false, reason: 'malformed_code' });
  }
  for (const digits of [6, 7, 8]) {
    const code = codeAtStep(currentStep, digits);
    assert.equal(code.length, digits);
    assert.deepEqual(verifyTotp({ secret, code, digits, now, lastUsedTimeStep: null }), { ok: true, timeStep: currentStep, delta: 0 });
  }
  assert.throws(() => generateTotp({ secret, digits: 5 }), { name: 'TotpInputError', code: 'invalid_digits' });
  assert.throws(() => generateTotp({ secret, digits: 9 }), { name: 'TotpInputError', code: 'invalid_digits' });
  assert.throws(() => generateTotp({ secret, period: 0 }), { code: 'invalid_period' });
  assert.throws(() => generateTotp({ secret: new Uint8Array(10) }), { code: 'invalid_secret' });
  assert.throws(() => verifyTotp({ secret, code: '123456', lastUsedTimeStep: -1 }), { code: 'invalid_time' });
  assert.throws(() => verifyTotp({ secret, code: '123456', lastUsedTimeStep: null, windowSteps: 11 }), { code: 'invalid_window' });
});

test('a 60-second period changes the step size', () => {
  const code = generateTotp({ secret, period: 60, now });
  const step = Math.floor(now.getTime() / 60_000);
  assert.deepEqual(verifyTotp({ secret, period: 60, code, now, lastUsedTimeStep: null }), { ok: true, timeStep: step, delta: 0 });
});

test('generateTotpSecret: CSPRNG, 160 bits by default', () => {
  const a = generateTotpSecret();
  const b = generateTotpSecret();
  assert.ok(a instanceof Uint8Array);
  assert.equal(a.length, 20);
  assert.notDeepEqual(a, b);
  assert.equal(generateTotpSecret({ bytes: 64 }).length, 64);
  assert.throws(() => generateTotpSecret({ bytes: 16 }), { code: 'invalid_secret' });
  assert.throws(() => generateTotpSecret({ bytes: 65 }), { code: 'invalid_secret' });
});
