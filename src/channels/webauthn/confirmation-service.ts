// The confirmation page's actions for a pending webauthn challenge (docs/webauthn-channel.md):
//
//   options  a fresh nonce; the WebAuthn challenge is SHA-256(nonce || transactionHash)
//   verify   takes the nonce (once), checks the assertion against this tenant's customer's
//            credential, stores the new counter; approved / authenticator_cloned / a failure
//            counted toward maxFailures (then too_many_failures)
//   reject   "This wasn't me": denied customer_rejected, fraudReported
//
// The challenge only ever moves through ChallengeService.finish.
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { appendAudit } from '../../audit/audit-log.ts';
import type { ChallengeRecord } from '../../challenges/challenge-record.ts';
import { notFound } from '../../errors/problem.ts';
import type { Queryable } from '../../storage/db.ts';
import type { ConfirmationRecord, ConfirmationStore } from './confirmation-store.ts';
import type { CredentialStore } from './credential-store.ts';
import { pageTokenHash } from './page-token.ts';
import { assertionChallenge, newAssertionNonce } from './transaction-binding.ts';
import { verifyAssertion, type AssertionFailure } from './verify-assertion.ts';
import { relyingParty, type WebAuthnHost } from './webauthn-host.ts';
import type { WebAuthnChannelState } from './webauthn-channel.ts';
import { webauthnProblem } from './webauthn-problem-codes.ts';

export type PageState = { kind: 'pending'; confirmation: ConfirmationRecord; challenge: ChallengeRecord } | { kind: 'ended'; challenge: ChallengeRecord } | { kind: 'unknown' };

type Judgement =
  | { kind: 'accepted'; credentialId: string; securePaymentConfirmation: boolean }
  | { kind: 'cloned'; credentialId: string }
  | { kind: 'rejected'; reason: AssertionFailure | 'no_assertion_in_flight' | 'unknown_credential' | 'counter_race'; failures: number };

export class ConfirmationService {
  constructor(private readonly deps: { host: WebAuthnHost; credentials: CredentialStore; confirmations: ConfirmationStore }) {}

  async pageState(token: string): Promise<PageState> {
    const { host, confirmations } = this.deps;
    const confirmation = await confirmations.byTokenHash(host.db, pageTokenHash(token));
    if (!confirmation) return { kind: 'unknown' };
    const challenge = await host.challenges.find(confirmation.tenantId, confirmation.challengeId);
    if (!challenge) return { kind: 'unknown' };
    if (challenge.status !== 'pending' || challenge.expiresAt.getTime() <= host.clock().getTime()) return { kind: 'ended', challenge };
    return { kind: 'pending', confirmation, challenge };
  }

  /** The request options for navigator.credentials.get / Secure Payment Confirmation. */
  async options(token: string): Promise<Record<string, unknown>> {
    const { host, credentials, confirmations } = this.deps;
    const { challenge } = await this.pending(token);
    const rp = relyingParty(host);
    const state = challenge.channelState as unknown as WebAuthnChannelState;
    const nonce = newAssertionNonce();
    await confirmations.issueNonce(host.db, challenge.tenantId, challenge.id, nonce);
    const owned = await credentials.list(host.db, challenge.tenantId, challenge.customerId);
    const { transaction } = challenge;
    const payable = transaction.payee && transaction.amount ? { payeeName: transaction.payee.name, total: { currency: transaction.amount.currency, value: transaction.amount.value } } : null;
    const paymentCredentials = owned.filter((credential) => credential.payment).map((credential) => credential.id);
    return {
      publicKey: {
        challenge: assertionChallenge(nonce, challenge.transactionHash),
        rpId: rp.rpId,
        timeout: 120_000,
        userVerification: state.requireUserVerification ? 'required' : 'preferred',
        allowCredentials: owned.map((credential) => ({ id: credential.id, type: 'public-key', transports: credential.transports })),
      },
      // Secure Payment Confirmation: offered only for a payment and payment-capable credentials.
      payment: payable && paymentCredentials.length > 0 ? { ...payable, credentialIds: paymentCredentials, instrumentName: (await host.tenants.getCached(challenge.tenantId))?.bankName ?? 'Passkey' } : null,
    };
  }

  async verify(token: string, response: AuthenticationResponseJSON): Promise<ChallengeRecord> {
    const { host } = this.deps;
    const { challenge } = await this.pending(token);
    const state = challenge.channelState as unknown as WebAuthnChannelState;
    const judgement = await host.db.tx((tx) => this.judge(tx, challenge, state, response));
    const actor = 'channel:webauthn';
    switch (judgement.kind) {
      case 'accepted': {
        const finished = await host.challenges.finish(challenge.tenantId, challenge.id, { status: 'approved', reason: 'passkey_verified', actor, auditData: { credentialId: judgement.credentialId, securePaymentConfirmation: judgement.securePaymentConfirmation } }, challenge);
        if (finished.challenge.status !== 'approved') throw challengeGone();
        return finished.challenge;
      }
      case 'cloned': {
        const finished = await host.challenges.finish(challenge.tenantId, challenge.id, { status: 'denied', reason: 'authenticator_cloned', actor, auditData: { credentialId: judgement.credentialId } }, challenge);
        return finished.challenge;
      }
      case 'rejected': {
        host.logger.info({ challengeId: challenge.id, reason: judgement.reason, failures: judgement.failures }, 'passkey assertion refused');
        const attemptsRemaining = Math.max(0, state.maxFailures - judgement.failures);
        if (attemptsRemaining > 0) throw webauthnProblem('passkey_rejected', 'The passkey could not be verified', { attemptsRemaining });
        const finished = await host.challenges.finish(challenge.tenantId, challenge.id, { status: 'denied', reason: 'too_many_failures', actor }, challenge);
        throw webauthnProblem('passkey_rejected', 'The passkey could not be verified', { attemptsRemaining: 0, challengeStatus: finished.challenge.status });
      }
    }
  }

  /** "This wasn't me": the customer reports the transaction as fraud. */
  async reject(token: string): Promise<ChallengeRecord> {
    const { challenge } = await this.pending(token);
    const finished = await this.deps.host.challenges.finish(challenge.tenantId, challenge.id, { status: 'denied', reason: 'customer_rejected', fraudReported: true, actor: 'channel:webauthn' }, challenge);
    return finished.challenge;
  }

  private async judge(tx: Queryable, challenge: ChallengeRecord, state: WebAuthnChannelState, response: AuthenticationResponseJSON): Promise<Judgement> {
    const { credentials, confirmations, host } = this.deps;
    const { tenantId, customerId, id: challengeId } = challenge;
    const audit = (action: string, data: Record<string, unknown>) => appendAudit(tx, { tenantId, actor: 'channel:webauthn', action, subject: challengeId, data: { customerId, ...data } });
    const refuse = async (reason: Extract<Judgement, { kind: 'rejected' }>['reason'], credentialId: string | null): Promise<Judgement> => {
      const failures = await confirmations.recordFailure(tx, tenantId, challengeId);
      await audit('webauthn.assertion_refused', { reason, credentialId, failures });
      return { kind: 'rejected', reason, failures };
    };
    // The nonce is spent by this attempt whatever its outcome: an assertion is checked once.
    const nonce = await confirmations.takeNonce(tx, tenantId, challengeId);
    if (!nonce) return refuse('no_assertion_in_flight', null);
    // Ownership: only a credential of this tenant's customer can answer.
    const credential = typeof response.id === 'string' ? await credentials.getOwned(tx, tenantId, customerId, response.id) : null;
    if (!credential) return refuse('unknown_credential', null);
    const rp = relyingParty(host);
    const { transaction } = challenge;
    const verdict = await verifyAssertion({
      response,
      credential,
      expected: {
        challenge: assertionChallenge(nonce, challenge.transactionHash),
        origins: rp.origins,
        rpId: rp.rpId,
        requireUserVerification: state.requireUserVerification,
        ...(transaction.payee && transaction.amount ? { payment: { payeeName: transaction.payee.name, amount: transaction.amount } } : {}),
      },
    });
    if (!verdict.ok) {
      if (verdict.reason === 'counter_regression') {
        await audit('webauthn.authenticator_cloned', { credentialId: credential.id, storedSignCount: credential.signCount });
        return { kind: 'cloned', credentialId: credential.id };
      }
      return refuse(verdict.reason, credential.id);
    }
    if (!(await credentials.recordUse(tx, credential, verdict.newSignCount))) return refuse('counter_race', credential.id);
    await audit('webauthn.assertion_accepted', { credentialId: credential.id, signCount: verdict.newSignCount, userVerified: verdict.userVerified, securePaymentConfirmation: verdict.securePaymentConfirmation });
    return { kind: 'accepted', credentialId: credential.id, securePaymentConfirmation: verdict.securePaymentConfirmation };
  }

  private async pending(token: string): Promise<{ confirmation: ConfirmationRecord; challenge: ChallengeRecord }> {
    const state = await this.pageState(token);
    if (state.kind === 'unknown') throw notFound('confirmation');
    if (state.kind === 'ended') throw challengeGone();
    return state;
  }
}

const challengeGone = () => webauthnProblem('challenge_gone', 'This request has ended');
