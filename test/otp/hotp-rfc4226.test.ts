// RFC 4226 Appendix D: HMAC-SHA-1 values, truncated values and HOTP values for counts 0–9.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { generateSync } from 'otplib';
import { dynamicTruncate, hotpTruncate } from '../../src/channels/otp/hotp-truncate.ts';
import { standardKey20 } from './rfc-keys.ts';

// [count, HMAC-SHA-1(secret, count) (Table 1), truncated hex, truncated decimal, HOTP (Table 2)]
const appendixD: [number, string, string, number, string][] = [
  [0, 'cc93cf18508d94934c64b65d8ba7667fb7cde4b0', '4c93cf18', 1284755224, '755224'],
  [1, '75a48a19d4cbe100644e8ac1397eea747a2d33ab', '41397eea', 1094287082, '287082'],
  [2, '0bacb7fa082fef30782211938bc1c5e70416ff44', '82fef30', 137359152, '359152'],
  [3, '66c28227d03a2d5529262ff016a1e6ef76557ece', '66ef7655', 1726969429, '969429'],
  [4, 'a904c900a64b35909874b33e61c5938a8e15ed1c', '61c5938a', 1640338314, '338314'],
  [5, 'a37e783d7b7233c083d4f62926c7a25f238d0316', '33c083d4', 868254676, '254676'],
  [6, 'bc9cd28561042c83f219324d3c607256c03272ae', '7256c032', 1918287922, '287922'],
  [7, 'a4fb960c0bc06e1eabb804e5b397cdc4b45596fa', '4e5b397', 82162583, '162583'],
  [8, '1b3c89f65e6c9e883012052823443f048b4332db', '2823443f', 673399871, '399871'],
  [9, '1637409809a679dc698207310c8c7fc07290d9e5', '2679dc69', 645520489, '520489'],
];

test('RFC 4226 Appendix D: HMAC, dynamic truncation and HOTP value for every count', () => {
  for (const [count, hmacHex, truncatedHex, truncatedDecimal, hotp] of appendixD) {
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(count));
    const hmac = createHmac('sha1', standardKey20).update(counter).digest();
    assert.equal(hmac.toString('hex'), hmacHex, `count ${count}: HMAC`);
    assert.equal(dynamicTruncate(hmac), truncatedDecimal, `count ${count}: truncated decimal`);
    assert.equal(dynamicTruncate(hmac).toString(16), truncatedHex, `count ${count}: truncated hex`);
    assert.equal(hotpTruncate(hmac, 6), hotp, `count ${count}: HOTP`);
  }
});

test('RFC 4226 Appendix D: otplib HOTP agrees (the TOTP path relies on it)', () => {
  for (const [count, , , , hotp] of appendixD) {
    assert.equal(generateSync({ strategy: 'hotp', secret: standardKey20, counter: count, digits: 6 }), hotp);
  }
});
