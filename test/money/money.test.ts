import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAmount, parseAmount } from '../../src/money/money.ts';

test('parses decimal strings into minor units by ISO 4217 exponent', () => {
  const cases: [string, string, bigint][] = [
    ['3500000', 'KRW', 3_500_000n],
    ['12.5', 'USD', 1250n],
    ['12.50', 'USD', 1250n],
    ['0.001', 'BHD', 1n],
    ['1000', 'JPY', 1000n],
    ['1.2345', 'CLF', 12345n],
    ['999999999999999999', 'KRW', 999_999_999_999_999_999n],
  ];
  for (const [value, currency, minor] of cases) {
    const parsed = parseAmount({ value, currency });
    assert.ok(parsed.ok, `${value} ${currency}`);
    assert.equal(parsed.minor, minor);
  }
});

test('refuses what is not an amount of that currency', () => {
  const cases: [string, string, string][] = [
    ['1.234', 'USD', 'too_many_decimals'],
    ['1.5', 'KRW', 'too_many_decimals'],
    ['1e5', 'KRW', 'invalid_amount'],
    ['-1', 'KRW', 'invalid_amount'],
    [' 1', 'KRW', 'invalid_amount'],
    ['0x10', 'KRW', 'invalid_amount'],
    ['', 'KRW', 'invalid_amount'],
    ['01', 'KRW', 'invalid_amount'],
    ['0', 'KRW', 'amount_not_positive'],
    ['1', 'XYZ', 'unknown_currency'],
    ['1000000000000000001', 'KRW', 'amount_too_large'],
  ];
  for (const [value, currency, code] of cases) {
    const parsed = parseAmount({ value, currency });
    assert.deepEqual(parsed, { ok: false, code }, `${JSON.stringify(value)} ${currency}`);
  }
});

test('formats canonically and round-trips', () => {
  assert.equal(formatAmount(1250n, 'USD'), '12.50');
  assert.equal(formatAmount(5n, 'USD'), '0.05');
  assert.equal(formatAmount(3_500_000n, 'KRW'), '3500000');
  assert.equal(formatAmount(1n, 'BHD'), '0.001');
  for (const [value, currency] of [['12.34', 'EUR'], ['7', 'JPY'], ['0.125', 'KWD']] as const) {
    const parsed = parseAmount({ value, currency });
    assert.ok(parsed.ok);
    assert.equal(formatAmount(parsed.minor, currency), value);
  }
});
