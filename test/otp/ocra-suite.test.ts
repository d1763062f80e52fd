import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOcraSuite, type OcraSuite } from '../../src/channels/otp/ocra-suite.ts';

function parsed(text: string): OcraSuite {
  const result = parseOcraSuite(text);
  assert.ok(result.ok, `${text} should parse, got ${JSON.stringify(result)}`);
  return result.suite;
}

test('parses every suite used by RFC 6287 Appendix C', () => {
  assert.deepEqual(parsed('OCRA-1:HOTP-SHA1-6:QN08'), {
    text: 'OCRA-1:HOTP-SHA1-6:QN08',
    hash: 'sha1',
    digits: 6,
    counter: false,
    question: { format: 'N', maxLength: 8 },
  });
  assert.deepEqual(parsed('OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1'), {
    text: 'OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1',
    hash: 'sha256',
    digits: 8,
    counter: true,
    question: { format: 'N', maxLength: 8 },
    passwordHash: 'sha1',
  });
  assert.deepEqual(parsed('OCRA-1:HOTP-SHA512-8:QA10-T1M'), {
    text: 'OCRA-1:HOTP-SHA512-8:QA10-T1M',
    hash: 'sha512',
    digits: 8,
    counter: false,
    question: { format: 'A', maxLength: 10 },
    timeStep: { label: '1M', seconds: 60 },
  });
  for (const text of [
    'OCRA-1:HOTP-SHA256-8:QN08-PSHA1',
    'OCRA-1:HOTP-SHA512-8:C-QN08',
    'OCRA-1:HOTP-SHA512-8:QN08-T1M',
    'OCRA-1:HOTP-SHA256-8:QA08',
    'OCRA-1:HOTP-SHA512-8:QA08',
    'OCRA-1:HOTP-SHA512-8:QA08-PSHA1',
  ]) {
    assert.equal(parsed(text).text, text);
  }
});

test('parses every element the RFC 6287 §6 grammar allows, in order', () => {
  const full = parsed('OCRA-1:HOTP-SHA512-10:C-QH64-PSHA512-S512-T48H');
  assert.deepEqual(full, {
    text: 'OCRA-1:HOTP-SHA512-10:C-QH64-PSHA512-S512-T48H',
    hash: 'sha512',
    digits: 10,
    counter: true,
    question: { format: 'H', maxLength: 64 },
    passwordHash: 'sha512',
    sessionInfoLength: 512,
    timeStep: { label: '48H', seconds: 48 * 3600 },
  });
  assert.equal(parsed('OCRA-1:HOTP-SHA1-0:QN04').digits, 0); // t = 0: no truncation
  for (const digits of [4, 5, 6, 7, 8, 9, 10]) assert.equal(parsed(`OCRA-1:HOTP-SHA1-${digits}:QN08`).digits, digits);
  for (const length of ['04', '10', '33', '64']) {
    for (const format of ['A', 'N', 'H']) {
      assert.deepEqual(parsed(`OCRA-1:HOTP-SHA1-6:Q${format}${length}`).question, { format, maxLength: Number(length) });
    }
  }
  assert.equal(parsed('OCRA-1:HOTP-SHA1-6:QN08-PSHA256').passwordHash, 'sha256');
  for (const session of ['064', '128', '256', '512', '001', '999']) {
    assert.equal(parsed(`OCRA-1:HOTP-SHA1-6:QN08-S${session}`).sessionInfoLength, Number(session));
  }
  assert.deepEqual(parsed('OCRA-1:HOTP-SHA1-6:QN08-T1S').timeStep, { label: '1S', seconds: 1 });
  assert.deepEqual(parsed('OCRA-1:HOTP-SHA1-6:QN08-T59S').timeStep, { label: '59S', seconds: 59 });
  assert.deepEqual(parsed('OCRA-1:HOTP-SHA1-6:QN08-T20S').timeStep, { label: '20S', seconds: 20 });
  assert.deepEqual(parsed('OCRA-1:HOTP-SHA1-6:QN08-T59M').timeStep, { label: '59M', seconds: 59 * 60 });
  assert.deepEqual(parsed('OCRA-1:HOTP-SHA1-6:QN08-T1H').timeStep, { label: '1H', seconds: 3600 });
  assert.deepEqual(parsed('OCRA-1:HOTP-SHA1-6:QN08-T24H').timeStep, { label: '24H', seconds: 86400 });
  // Plain signature form ([C] | QFxx | [PH | TG]) and the session element alone.
  assert.ok(parseOcraSuite('OCRA-1:HOTP-SHA256-8:C-QA08-PSHA1-T5M').ok);
  assert.ok(parseOcraSuite('OCRA-1:HOTP-SHA256-8:QA08-S064').ok);
  assert.ok(parseOcraSuite('OCRA-1:HOTP-SHA256-8:C-QN08-S128-T30S').ok);
});

test('refuses invalid suites with a typed error code', () => {
  const cases: [string, string][] = [
    ['', 'invalid_structure'],
    ['OCRA-1:HOTP-SHA1-6', 'invalid_structure'],
    ['OCRA-1:HOTP-SHA1-6:QN08:extra', 'invalid_structure'],
    ['OCRA-2:HOTP-SHA1-6:QN08', 'unsupported_version'],
    ['ocra-1:HOTP-SHA1-6:QN08', 'unsupported_version'],
    ['OCRA-1:TOTP-SHA1-6:QN08', 'invalid_crypto_function'],
    ['OCRA-1:HOTP-MD5-6:QN08', 'invalid_crypto_function'],
    ['OCRA-1:HOTP-SHA384-6:QN08', 'invalid_crypto_function'],
    ['OCRA-1:hotp-sha1-6:QN08', 'invalid_crypto_function'],
    ['OCRA-1:HOTP-SHA1:QN08', 'invalid_crypto_function'],
    ['OCRA-1:HOTP-SHA1-3:QN08', 'invalid_truncation'],
    ['OCRA-1:HOTP-SHA1-1:QN08', 'invalid_truncation'],
    ['OCRA-1:HOTP-SHA1-11:QN08', 'invalid_truncation'],
    ['OCRA-1:HOTP-SHA1-06:QN08', 'invalid_truncation'],
    ['OCRA-1:HOTP-SHA1-6:', 'missing_question'],
    ['OCRA-1:HOTP-SHA1-6:C', 'missing_question'],
    ['OCRA-1:HOTP-SHA1-6:C-PSHA1', 'missing_question'],
    ['OCRA-1:HOTP-SHA1-6:PSHA1-QN08', 'missing_question'],
    ['OCRA-1:HOTP-SHA1-6:QN03', 'invalid_question'],
    ['OCRA-1:HOTP-SHA1-6:QN65', 'invalid_question'],
    ['OCRA-1:HOTP-SHA1-6:QN8', 'invalid_question'],
    ['OCRA-1:HOTP-SHA1-6:QX08', 'invalid_question'],
    ['OCRA-1:HOTP-SHA1-6:qn08', 'missing_question'],
    ['OCRA-1:HOTP-SHA1-6:QN08-PMD5', 'invalid_password_hash'],
    ['OCRA-1:HOTP-SHA1-6:QN08-P', 'invalid_password_hash'],
    ['OCRA-1:HOTP-SHA1-6:QN08-S64', 'invalid_session_length'],
    ['OCRA-1:HOTP-SHA1-6:QN08-S000', 'invalid_session_length'],
    ['OCRA-1:HOTP-SHA1-6:QN08-S1024', 'invalid_session_length'],
    ['OCRA-1:HOTP-SHA1-6:QN08-T0S', 'invalid_time_step'],
    ['OCRA-1:HOTP-SHA1-6:QN08-T60S', 'invalid_time_step'],
    ['OCRA-1:HOTP-SHA1-6:QN08-T60M', 'invalid_time_step'],
    ['OCRA-1:HOTP-SHA1-6:QN08-T49H', 'invalid_time_step'],
    ['OCRA-1:HOTP-SHA1-6:QN08-T0H', 'invalid_time_step'], // zero-length step: see parseOcraSuite
    ['OCRA-1:HOTP-SHA1-6:QN08-T01M', 'invalid_time_step'],
    ['OCRA-1:HOTP-SHA1-6:QN08-T1D', 'invalid_time_step'],
    ['OCRA-1:HOTP-SHA1-6:QN08-T', 'invalid_time_step'],
    ['OCRA-1:HOTP-SHA1-6:QN08-T1M-PSHA1', 'invalid_data_input'], // out of order
    ['OCRA-1:HOTP-SHA1-6:QN08-S064-PSHA1', 'invalid_data_input'],
    ['OCRA-1:HOTP-SHA1-6:QN08-T1M-S064', 'invalid_data_input'],
    ['OCRA-1:HOTP-SHA1-6:QN08-PSHA1-PSHA1', 'invalid_data_input'], // repeated
    ['OCRA-1:HOTP-SHA1-6:QN08-QN08', 'invalid_data_input'],
    ['OCRA-1:HOTP-SHA1-6:QN08-C', 'invalid_data_input'],
    ['OCRA-1:HOTP-SHA1-6:C-C-QN08', 'missing_question'],
    ['OCRA-1:HOTP-SHA1-6:QN08-', 'invalid_data_input'],
    ['OCRA-1:HOTP-SHA1-6:QN08-X', 'invalid_data_input'],
  ];
  for (const [text, error] of cases) {
    assert.deepEqual(parseOcraSuite(text), { ok: false, error }, text);
  }
});
