// The pure assertion verifier and the transaction binding (docs/webauthn-channel.md), without a
// server: one guard per case, each named by its reason code.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeAttestationObject, isoBase64URL, parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import { assertionChallenge } from '../../src/channels/webauthn/transaction-binding.ts';
import { verifyAssertion, type ExpectedAssertion } from '../../src/channels/webauthn/verify-assertion.ts';
import type { CredentialRecord } from '../../src/channels/webauthn/credential-store.ts';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';

const origin = 'http://localhost:8080';
const nonce = Buffer.alloc(32, 1).toString('base64url');
const transactionHash = createHash('sha256').update('transaction').digest('base64url');

function enrolled(): { authenticator: SoftAuthenticator; credential: CredentialRecord } {
  const authenticator = new SoftAuthenticator({ origin, rpId: 'localhost' });
  const attestation = authenticator.register({ challenge: 'AAAA', rp: { id: 'localhost' } }) as any;
  const authData = decodeAttestationObject(isoBase64URL.toBuffer(attestation.response.attestationObject)).get('authData');
  const parsed = parseAuthenticatorData(authData);
  const credential: CredentialRecord = {
    tenantId: 'ten_x',
    id: attestation.id,
    customerId: 'cust',
    publicKey: isoBase64URL.fromBuffer(parsed.credentialPublicKey!),
    signCount: 0,
    transports: [],
    deviceType: 'singleDevice',
    backedUp: false,
    payment: false,
    createdAt: new Date(),
    lastUsedAt: null,
  };
  return { authenticator, credential };
}

const expected = (overrides: Partial<ExpectedAssertion> = {}): ExpectedAssertion => ({
  challenge: assertionChallenge(nonce, transactionHash),
  origins: [origin],
  rpId: 'localhost',
  requireUserVerification: true,
  ...overrides,
});

describe('transaction binding', () => {
  test('the challenge is base64url(SHA-256(nonce || transactionHash)) and changes with either', () => {
    const manual = createHash('sha256').update(Buffer.concat([Buffer.from(nonce, 'base64url'), Buffer.from(transactionHash, 'base64url')])).digest('base64url');
    assert.equal(assertionChallenge(nonce, transactionHash), manual);
    const otherHash = createHash('sha256').update('another transaction').digest('base64url');
    assert.notEqual(assertionChallenge(nonce, otherHash), manual);
    assert.notEqual(assertionChallenge(Buffer.alloc(32, 2).toString('base64url'), transactionHash), manual);
  });
});

describe('verifyAssertion', () => {
  test('a valid assertion passes and returns the new counter', async () => {
    const { authenticator, credential } = enrolled();
    const response = authenticator.assert({ challenge: expected().challenge }) as any;
    assert.deepEqual(await verifyAssertion({ response, credential, expected: expected() }), { ok: true, newSignCount: 1, userVerified: true, securePaymentConfirmation: false });
  });

  test('a signature over other data: signature_invalid', async () => {
    const { authenticator, credential } = enrolled();
    const response = authenticator.assert({ challenge: expected().challenge }) as any;
    const other = authenticator.assert({ challenge: expected().challenge }) as any;
    // The second assertion's signature on the first one's authenticator data (counter 1 vs 2).
    const spliced = { ...response, response: { ...response.response, signature: other.response.signature } };
    assert.deepEqual(await verifyAssertion({ response: spliced, credential, expected: expected() }), { ok: false, reason: 'signature_invalid' });
  });

  test('counter: 0 and 0 is fine (authenticators without a counter); equal non-zero or lower is a regression', async () => {
    const { authenticator, credential } = enrolled();
    const zero = authenticator.assert({ challenge: expected().challenge, signCount: 0 }) as any;
    assert.equal((await verifyAssertion({ response: zero, credential, expected: expected() })).ok, true);
    const same = authenticator.assert({ challenge: expected().challenge, signCount: 7 }) as any;
    assert.deepEqual(await verifyAssertion({ response: same, credential: { ...credential, signCount: 7 }, expected: expected() }), { ok: false, reason: 'counter_regression' });
    const fromZero = authenticator.assert({ challenge: expected().challenge, signCount: 0 }) as any;
    assert.deepEqual(await verifyAssertion({ response: fromZero, credential: { ...credential, signCount: 7 }, expected: expected() }), { ok: false, reason: 'counter_regression' });
  });

  test('payment.get is refused when no payment data is expected; user verification only when required', async () => {
    const { authenticator, credential } = enrolled();
    const spc = authenticator.assert({ challenge: expected().challenge, type: 'payment.get', payment: {} }) as any;
    assert.deepEqual(await verifyAssertion({ response: spc, credential, expected: expected() }), { ok: false, reason: 'wrong_type' });
    const noUv = authenticator.assert({ challenge: expected().challenge, userVerified: false }) as any;
    assert.deepEqual(await verifyAssertion({ response: noUv, credential, expected: expected() }), { ok: false, reason: 'user_not_verified' });
    const noUvAgain = authenticator.assert({ challenge: expected().challenge, userVerified: false }) as any;
    assert.equal((await verifyAssertion({ response: noUvAgain, credential: { ...credential, signCount: 2 }, expected: expected({ requireUserVerification: false }) })).ok, true);
  });

  test('payment data: the amount is compared in minor units, currency and payee exactly', async () => {
    const { authenticator, credential } = enrolled();
    const payment = { payeeName: 'Kim', amount: { value: '12.50', currency: 'USD' } };
    const data = (total: { currency: string; value: string }, payeeName = 'Kim') => ({ rpId: 'localhost', topOrigin: origin, payeeName, total });
    let count = 0;
    const check = async (paymentData: Record<string, unknown>) =>
      verifyAssertion({ response: authenticator.assert({ challenge: expected().challenge, type: 'payment.get', payment: paymentData }) as any, credential: { ...credential, signCount: count++ }, expected: expected({ payment }) });
    assert.equal((await check(data({ currency: 'USD', value: '12.5' }))).ok, true, '12.5 is 12.50');
    assert.deepEqual(await check(data({ currency: 'USD', value: '12.51' })), { ok: false, reason: 'payment_data_mismatch' });
    assert.deepEqual(await check(data({ currency: 'EUR', value: '12.50' })), { ok: false, reason: 'payment_data_mismatch' });
    assert.deepEqual(await check(data({ currency: 'USD', value: '12.50' }, 'Mallory')), { ok: false, reason: 'payment_data_mismatch' });
    assert.deepEqual(await check({ ...data({ currency: 'USD', value: '12.50' }), topOrigin: 'https://evil.example' }), { ok: false, reason: 'payment_data_mismatch' });
  });
});
