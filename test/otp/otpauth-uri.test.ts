import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ocraUri, totpUri } from '../../src/channels/otp/totp.ts';
import { standardKey20 } from './rfc-keys.ts';

// Base32 of "12345678901234567890" (RFC 4648 §6, no padding).
const base32Key = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

test('totpUri: otpauth://totp with issuer prefix and non-default parameters', () => {
  assert.equal(
    totpUri({ secret: standardKey20, issuer: 'Example Bank', accountName: 'cust-1001' }),
    `otpauth://totp/Example%20Bank:cust-1001?secret=${base32Key}&issuer=Example%20Bank`,
  );
  const uri = new URL(
    totpUri({ secret: standardKey20, issuer: 'Bank', accountName: 'cust-1001', algorithm: 'sha256', digits: 8, period: 60 }),
  );
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.host, 'totp');
  assert.equal(uri.searchParams.get('secret'), base32Key);
  assert.equal(uri.searchParams.get('algorithm'), 'SHA256');
  assert.equal(uri.searchParams.get('digits'), '8');
  assert.equal(uri.searchParams.get('period'), '60');
  assert.throws(() => totpUri({ secret: standardKey20, issuer: 'a:b', accountName: 'c' }), TypeError);
});

test('ocraUri: otpauth://ocra with the suite in ocrasuite= (non-standard convention)', () => {
  assert.equal(
    ocraUri({ secret: standardKey20, suite: 'OCRA-1:HOTP-SHA1-6:QN08', issuer: 'Example Bank', accountName: 'cust-1001' }),
    `otpauth://ocra/Example%20Bank:cust-1001?secret=${base32Key}&issuer=Example%20Bank&ocrasuite=OCRA-1%3AHOTP-SHA1-6%3AQN08`,
  );
  const counterUri = new URL(
    ocraUri({ secret: standardKey20, suite: 'OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', issuer: 'Bank', accountName: 'c', counter: 7 }),
  );
  assert.equal(counterUri.searchParams.get('ocrasuite'), 'OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1');
  assert.equal(counterUri.searchParams.get('counter'), '7');
  assert.throws(() => ocraUri({ secret: standardKey20, suite: 'OCRA-1:HOTP-SHA1-6:QN3', issuer: 'Bank', accountName: 'c' }), TypeError);
});
