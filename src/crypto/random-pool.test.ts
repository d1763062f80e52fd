import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pooledRandomBytes } from './random-pool.ts';

test('pooled random bytes: the size asked for, never the same bytes twice, across refills and past the pool', () => {
  const seen = new Set<string>();
  // 12 bytes × 5,000 draws crosses the 8 KiB pool several times.
  for (let i = 0; i < 5000; i += 1) {
    const bytes = pooledRandomBytes(12);
    assert.equal(bytes.length, 12);
    const hex = bytes.toString('hex');
    assert.ok(!seen.has(hex), 'a value came out twice');
    seen.add(hex);
  }
  assert.equal(pooledRandomBytes(1000).length, 1000);
  assert.equal(pooledRandomBytes(0).length, 0);
});

test('pooled random bytes: a handed-out buffer is a copy (wiping it leaves the next draws random)', () => {
  const key = pooledRandomBytes(32);
  key.fill(0);
  const next = pooledRandomBytes(32);
  assert.notDeepEqual(next, Buffer.alloc(32));
});

test('pooled random bytes: roughly uniform (each bit set about half the time)', () => {
  const bytes = Buffer.concat(Array.from({ length: 2000 }, () => pooledRandomBytes(16)));
  let ones = 0;
  for (const byte of bytes) for (let bit = 0; bit < 8; bit += 1) ones += (byte >> bit) & 1;
  const share = ones / (bytes.length * 8);
  assert.ok(share > 0.48 && share < 0.52, `share of one bits ${share}`);
});
