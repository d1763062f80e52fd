import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Envelope } from '../../src/crypto/envelope.ts';

const key = (id: string) => ({ id, key: randomBytes(32) });

test('encrypts with a fresh data key, binds the context, and rotates the master key', () => {
  const k1 = key('k1');
  const old = new Envelope({ current: k1, previous: [] });
  const sealed = old.encrypt('20478153', 'customer:t1:c1:secret');
  assert.doesNotMatch(sealed, /20478153/);
  assert.notEqual(old.encrypt('20478153', 'customer:t1:c1:secret'), sealed, 'randomised');
  assert.equal(old.decryptText(sealed, 'customer:t1:c1:secret'), '20478153');
  assert.throws(() => old.decryptText(sealed, 'customer:t1:c2:secret'), 'another row cannot open it');

  const rotated = new Envelope({ current: key('k2'), previous: [k1] });
  assert.equal(rotated.needsRewrap(sealed), true);
  const rewrapped = rotated.rewrap(sealed, 'customer:t1:c1:secret');
  assert.equal(rotated.needsRewrap(rewrapped), false);
  assert.equal(rotated.decryptText(rewrapped, 'customer:t1:c1:secret'), '20478153');
  assert.throws(() => new Envelope({ current: key('k3'), previous: [] }).decrypt(sealed, 'customer:t1:c1:secret'), /unknown master key/);
});
