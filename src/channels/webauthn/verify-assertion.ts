// Verifies one assertion of a webauthn challenge — pure: the expected values and the stored
// credential come in, a verdict with a reason code comes out; the caller stores the new counter.
// @simplewebauthn/server does the WebAuthn L3 §7.2 ceremony (signature over authData || hash of
// clientDataJSON); the guards before it name the failure, and the ones after it are ours:
// the signature counter policy and the Secure Payment Confirmation payment data.
import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { decodeClientDataJSON, isoBase64URL, parseAuthenticatorData, toHash } from '@simplewebauthn/server/helpers';
import { timingSafeEqual } from 'node:crypto';
import { parseAmount } from '../../money/money.ts';
import type { CredentialRecord } from './credential-store.ts';

export type AssertionFailure =
  | 'malformed'
  | 'wrong_type'
  | 'challenge_mismatch'
  | 'origin_mismatch'
  | 'rp_id_mismatch'
  | 'user_not_present'
  | 'user_not_verified'
  | 'payment_data_mismatch'
  | 'signature_invalid'
  | 'counter_regression';

export type AssertionVerdict =
  | { ok: true; newSignCount: number; userVerified: boolean; securePaymentConfirmation: boolean }
  | { ok: false; reason: AssertionFailure };

export interface ExpectedAssertion {
  /** assertionChallenge(nonce, transactionHash), base64url. */
  challenge: string;
  origins: string[];
  rpId: string;
  requireUserVerification: boolean;
  /** The payment data a `payment.get` assertion must carry; absent: SPC is not accepted. */
  payment?: { payeeName: string; amount: { value: string; currency: string } };
}

/** What Secure Payment Confirmation puts into clientDataJSON (SPC §4.1 CollectedClientPaymentData). */
interface CollectedPaymentData {
  rpId?: unknown;
  topOrigin?: unknown;
  payeeName?: unknown;
  payeeOrigin?: unknown;
  total?: { currency?: unknown; value?: unknown };
}

export async function verifyAssertion(options: { response: AuthenticationResponseJSON; expected: ExpectedAssertion; credential: CredentialRecord }): Promise<AssertionVerdict> {
  const { response, expected, credential } = options;
  let clientData: ReturnType<typeof decodeClientDataJSON> & { payment?: CollectedPaymentData };
  let authData: ReturnType<typeof parseAuthenticatorData>;
  try {
    clientData = decodeClientDataJSON(response.response.clientDataJSON);
    authData = parseAuthenticatorData(isoBase64URL.toBuffer(response.response.authenticatorData));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const isPayment = clientData.type === 'payment.get';
  // WebAuthn L3 §7.2 step 11 (and SPC §4.2: `payment.get` only where payment data is expected).
  if (clientData.type !== 'webauthn.get' && !(isPayment && expected.payment)) return { ok: false, reason: 'wrong_type' };
  // Step 12: the challenge is SHA-256(nonce || transactionHash) of this challenge, nothing else.
  if (!equalStrings(clientData.challenge, expected.challenge)) return { ok: false, reason: 'challenge_mismatch' };
  // Step 13: the page ran on one of our origins.
  if (!expected.origins.includes(clientData.origin)) return { ok: false, reason: 'origin_mismatch' };
  // Step 15: the authenticator scoped the credential to our RP ID.
  const rpIdHash = await toHash(new TextEncoder().encode(expected.rpId));
  if (!timingSafeEqualBytes(authData.rpIdHash, rpIdHash)) return { ok: false, reason: 'rp_id_mismatch' };
  // Steps 16-17: user presence always; user verification when the policy requires it.
  if (!authData.flags.up) return { ok: false, reason: 'user_not_present' };
  if (expected.requireUserVerification && !authData.flags.uv) return { ok: false, reason: 'user_not_verified' };
  // SPC §4.2: the payment data the browser showed is the transaction's.
  if (isPayment && !paymentMatches(clientData.payment, expected)) return { ok: false, reason: 'payment_data_mismatch' };

  let verified: boolean;
  let newSignCount: number;
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: expected.challenge,
      expectedOrigin: expected.origins,
      expectedRPID: expected.rpId,
      expectedType: isPayment ? 'payment.get' : 'webauthn.get',
      requireUserVerification: expected.requireUserVerification,
      // The counter is checked below, after the signature, so a regression is told apart.
      credential: { id: credential.id, publicKey: isoBase64URL.toBuffer(credential.publicKey), counter: 0, transports: [] },
    });
    verified = result.verified;
    newSignCount = result.authenticationInfo.newCounter;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  // Step 20: the signature over authenticatorData || SHA-256(clientDataJSON).
  if (!verified) return { ok: false, reason: 'signature_invalid' };
  // Step 21: a counter that does not move forward means two authenticators share the key.
  if ((newSignCount !== 0 || credential.signCount !== 0) && newSignCount <= credential.signCount) return { ok: false, reason: 'counter_regression' };
  return { ok: true, newSignCount, userVerified: authData.flags.uv, securePaymentConfirmation: isPayment };
}

function paymentMatches(payment: CollectedPaymentData | undefined, expected: ExpectedAssertion): boolean {
  const wanted = expected.payment;
  if (!payment || !wanted || typeof payment !== 'object') return false;
  if (payment.rpId !== expected.rpId) return false;
  if (typeof payment.topOrigin !== 'string' || !expected.origins.includes(payment.topOrigin)) return false;
  if (payment.payeeName !== wanted.payeeName) return false;
  const total = payment.total;
  if (!total || typeof total.currency !== 'string' || typeof total.value !== 'string') return false;
  if (total.currency !== wanted.amount.currency) return false;
  // Money is compared as integers of minor units, never as strings or floats.
  const shown = parseAmount({ value: total.value, currency: total.currency });
  const meant = parseAmount(wanted.amount);
  return shown.ok && meant.ok && shown.minor === meant.minor;
}

function equalStrings(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function timingSafeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
