// Every test vector of RFC 6287 Appendix C, asserted both ways: generateOcra produces the value and
// verifyOcra accepts it (and reports the counter / time step it matched).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { generateOcra, verifyOcra } from '../../src/channels/otp/ocra.ts';
import { standardKey20, standardKey32, standardKey64 } from './rfc-keys.ts';

// RFC 6287 Appendix C: "PIN (1234) SHA1 hash value: 7110eda4d09e062aa5e4a390b0a572ac0d2c0220".
const pinSha1 = Buffer.from('7110eda4d09e062aa5e4a390b0a572ac0d2c0220', 'hex');
// RFC 6287 Appendix C: T = 132d0b6 (minutes since the epoch) for the T1M vectors.
const t132d0b6 = 0x132d0b6;
const atT132d0b6 = new Date(t132d0b6 * 60_000);

test('RFC 6287 Appendix C: the PIN hash is SHA1("1234")', () => {
  assert.deepEqual(createHash('sha1').update('1234').digest(), pinSha1);
});

test('RFC 6287 C.1 OCRA-1:HOTP-SHA1-6:QN08 (standard 20-byte key)', () => {
  const suite = 'OCRA-1:HOTP-SHA1-6:QN08';
  const vectors: [string, string][] = [
    ['00000000', '237653'],
    ['11111111', '243178'],
    ['22222222', '653583'],
    ['33333333', '740991'],
    ['44444444', '608993'],
    ['55555555', '388898'],
    ['66666666', '816933'],
    ['77777777', '224598'],
    ['88888888', '750600'],
    ['99999999', '294470'],
  ];
  for (const [question, expected] of vectors) {
    assert.equal(generateOcra({ suite, key: standardKey20, question }), expected, `Q=${question}`);
    assert.deepEqual(verifyOcra({ suite, key: standardKey20, question, code: expected }), { ok: true });
  }
});

test('RFC 6287 C.1 OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1 (standard 32-byte key, PIN 1234)', () => {
  const suite = 'OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1';
  const expectedByCounter = [
    '65347737', '86775851', '78192410', '71565254', '10104329',
    '65983500', '70069104', '91771096', '75011558', '08522129',
  ];
  expectedByCounter.forEach((expected, counter) => {
    const common = { suite, key: standardKey32, question: '12345678' };
    // The password as its stored SHA-1 digest, and as the PIN itself: both must give the vector.
    assert.equal(generateOcra({ ...common, counter, password: pinSha1 }), expected, `C=${counter}`);
    assert.equal(generateOcra({ ...common, counter, password: '1234' }), expected, `C=${counter} (PIN)`);
    assert.deepEqual(
      verifyOcra({ ...common, password: pinSha1, counter, counterWindow: 0, code: expected }),
      { ok: true, counter },
    );
  });
});

test('RFC 6287 C.1 OCRA-1:HOTP-SHA256-8:QN08-PSHA1 (standard 32-byte key, PIN 1234)', () => {
  const suite = 'OCRA-1:HOTP-SHA256-8:QN08-PSHA1';
  const vectors: [string, string][] = [
    ['00000000', '83238735'],
    ['11111111', '01501458'],
    ['22222222', '17957585'],
    ['33333333', '86776967'],
    ['44444444', '86807031'],
  ];
  for (const [question, expected] of vectors) {
    assert.equal(generateOcra({ suite, key: standardKey32, question, password: pinSha1 }), expected, `Q=${question}`);
    assert.deepEqual(verifyOcra({ suite, key: standardKey32, question, password: '1234', code: expected }), { ok: true });
  }
});

test('RFC 6287 C.1 OCRA-1:HOTP-SHA512-8:C-QN08 (standard 64-byte key)', () => {
  const suite = 'OCRA-1:HOTP-SHA512-8:C-QN08';
  const vectors: [number, string, string][] = [
    [0, '00000000', '07016083'],
    [1, '11111111', '63947962'],
    [2, '22222222', '70123924'],
    [3, '33333333', '25341727'],
    [4, '44444444', '33203315'],
    [5, '55555555', '34205738'],
    [6, '66666666', '44343969'],
    [7, '77777777', '51946085'],
    [8, '88888888', '20403879'],
    [9, '99999999', '31409299'],
  ];
  for (const [counter, question, expected] of vectors) {
    assert.equal(generateOcra({ suite, key: standardKey64, counter, question }), expected, `C=${counter}`);
    // Verified from counter 0 with the default look-ahead: the matched counter is reported.
    assert.deepEqual(verifyOcra({ suite, key: standardKey64, counter: 0, question, code: expected }), { ok: true, counter });
  }
});

test('RFC 6287 C.1 OCRA-1:HOTP-SHA512-8:QN08-T1M (standard 64-byte key, T = 132d0b6)', () => {
  const suite = 'OCRA-1:HOTP-SHA512-8:QN08-T1M';
  const vectors: [string, string][] = [
    ['00000000', '95209754'],
    ['11111111', '55907591'],
    ['22222222', '22048402'],
    ['33333333', '24218844'],
    ['44444444', '36209546'],
  ];
  for (const [question, expected] of vectors) {
    assert.equal(generateOcra({ suite, key: standardKey64, question, timeStep: t132d0b6 }), expected, `Q=${question}`);
    assert.deepEqual(
      verifyOcra({ suite, key: standardKey64, question, code: expected, now: atT132d0b6, lastUsedTimeStep: null }),
      { ok: true, timeStep: t132d0b6 },
    );
  }
});

// RFC 6287 C.2: the server's response is over QC|QS, the client's over QS|QC (RFC 6287 §7.2).
// The tables list Q as the 16-character concatenation; with QA08 each question is at most 8
// characters, so the two questions are passed separately and concatenated by the encoder.
const mutualRows = [0, 1, 2, 3, 4].map((i) => ({ client: `CLI2222${i}`, server: `SRV1111${i}` }));

test('RFC 6287 C.2: a single question longer than QA08 allows is refused', () => {
  assert.throws(
    () => generateOcra({ suite: 'OCRA-1:HOTP-SHA256-8:QA08', key: standardKey32, question: 'CLI22220SRV11110' }),
    { name: 'OcraInputError', code: 'invalid_question' },
  );
});

test('RFC 6287 C.2 OCRA-1:HOTP-SHA256-8:QA08 server computation (standard 32-byte key)', () => {
  const suite = 'OCRA-1:HOTP-SHA256-8:QA08';
  const expected = ['28247970', '01984843', '65387857', '03351211', '83412541'];
  mutualRows.forEach(({ client, server }, i) => {
    assert.equal(generateOcra({ suite, key: standardKey32, question: [client, server] }), expected[i]);
    assert.deepEqual(verifyOcra({ suite, key: standardKey32, question: [client, server], code: expected[i]! }), { ok: true });
  });
});

test('RFC 6287 C.2 OCRA-1:HOTP-SHA256-8:QA08 client computation (standard 32-byte key)', () => {
  const suite = 'OCRA-1:HOTP-SHA256-8:QA08';
  const expected = ['15510767', '90175646', '33777207', '95285278', '28934924'];
  mutualRows.forEach(({ client, server }, i) => {
    assert.equal(generateOcra({ suite, key: standardKey32, question: [server, client] }), expected[i]);
    assert.deepEqual(verifyOcra({ suite, key: standardKey32, question: [server, client], code: expected[i]! }), { ok: true });
  });
});

test('RFC 6287 C.2 OCRA-1:HOTP-SHA512-8:QA08 server computation (standard 64-byte key)', () => {
  const suite = 'OCRA-1:HOTP-SHA512-8:QA08';
  const expected = ['79496648', '76831980', '12250499', '90856481', '12761449'];
  mutualRows.forEach(({ client, server }, i) => {
    assert.equal(generateOcra({ suite, key: standardKey64, question: [client, server] }), expected[i]);
    assert.deepEqual(verifyOcra({ suite, key: standardKey64, question: [client, server], code: expected[i]! }), { ok: true });
  });
});

test('RFC 6287 C.2 OCRA-1:HOTP-SHA512-8:QA08-PSHA1 client computation (standard 64-byte key, PIN 1234)', () => {
  const suite = 'OCRA-1:HOTP-SHA512-8:QA08-PSHA1';
  const expected = ['18806276', '70020315', '01600026', '18951020', '32528969'];
  mutualRows.forEach(({ client, server }, i) => {
    assert.equal(generateOcra({ suite, key: standardKey64, question: [server, client], password: pinSha1 }), expected[i]);
    assert.deepEqual(
      verifyOcra({ suite, key: standardKey64, question: [server, client], password: pinSha1, code: expected[i]! }),
      { ok: true },
    );
  });
});

test('RFC 6287 C.3 OCRA-1:HOTP-SHA256-8:QA08 plain signature (standard 32-byte key)', () => {
  const suite = 'OCRA-1:HOTP-SHA256-8:QA08';
  const vectors: [string, string][] = [
    ['SIG10000', '53095496'],
    ['SIG11000', '04110475'],
    ['SIG12000', '31331128'],
    ['SIG13000', '76028668'],
    ['SIG14000', '46554205'],
  ];
  for (const [question, expected] of vectors) {
    assert.equal(generateOcra({ suite, key: standardKey32, question }), expected, `Q=${question}`);
    assert.deepEqual(verifyOcra({ suite, key: standardKey32, question, code: expected }), { ok: true });
  }
});

test('RFC 6287 C.3 OCRA-1:HOTP-SHA512-8:QA10-T1M plain signature (standard 64-byte key, T = 132d0b6)', () => {
  const suite = 'OCRA-1:HOTP-SHA512-8:QA10-T1M';
  const vectors: [string, string][] = [
    ['SIG1000000', '77537423'],
    ['SIG1100000', '31970405'],
    ['SIG1200000', '10235557'],
    ['SIG1300000', '95213541'],
    ['SIG1400000', '65360607'],
  ];
  for (const [question, expected] of vectors) {
    assert.equal(generateOcra({ suite, key: standardKey64, question, timeStep: t132d0b6 }), expected, `Q=${question}`);
    assert.deepEqual(
      verifyOcra({ suite, key: standardKey64, question, code: expected, now: atT132d0b6, lastUsedTimeStep: null }),
      { ok: true, timeStep: t132d0b6 },
    );
  }
});
