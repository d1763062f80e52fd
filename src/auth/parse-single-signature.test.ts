import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSingleSignature } from './parse-single-signature.ts';

const input = (keyId: string) => `("@method" "@target-uri");created=1763800000;nonce="b3k2pp5kq";keyid="${keyId}";alg="hmac-sha256"`;
const sig = ':dGVzdA==:';

test('one label in both headers parses, whatever its name', () => {
  const parsed = parseSingleSignature(`bank=${input('key_a')}`, `bank=${sig}`);
  assert.deepEqual(parsed, { ok: true, signature: { label: 'bank', keyId: 'key_a', alg: 'hmac-sha256', created: 1763800000, nonce: 'b3k2pp5kq' } });
});

test('anything but exactly one matching label is refused (RFC 9421 §4.3 pairs labels)', () => {
  const cases: [string, string, string][] = [
    [`sig1=${input('key_a')}, sig2=${input('key_b')}`, `sig1=${sig}, sig2=${sig}`, 'not exactly one signature label'],
    [`sig1=${input('key_a')}`, `sig1=${sig}, sig2=${sig}`, 'not exactly one signature label'],
    [`sig1=${input('key_a')}`, `sig2=${sig}`, 'Signature and Signature-Input labels differ'],
    [`sig1=${input('key_a')}`, 'sig1=(1 2)', 'malformed signature'],
    [`sig1="not a list"`, `sig1=${sig}`, 'malformed signature input'],
    ['sig1=(', `sig1=${sig}`, 'malformed signature headers'],
    [`sig1=("@method");created=1;nonce="n1234567";alg="hmac-sha256"`, `sig1=${sig}`, 'no keyid'],
    [`sig1=("@method");created=1;nonce="short";keyid="k";alg="hmac-sha256"`, `sig1=${sig}`, 'bad nonce'],
    [`sig1=("@method");created="1";nonce="n1234567";keyid="k";alg="hmac-sha256"`, `sig1=${sig}`, 'no created'],
    [`sig1=("@method");created=1;nonce="n1234567";keyid="k"`, `sig1=${sig}`, 'no alg'],
  ];
  for (const [signatureInput, signature, reason] of cases) {
    assert.deepEqual(parseSingleSignature(signatureInput, signature), { ok: false, reason }, `${signatureInput} / ${signature}`);
  }
});
