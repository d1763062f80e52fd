// The WebAuthn channel strategy (src/channels/channel.ts): a customer with at least one passkey is
// eligible; a challenge gets a confirmation page (customerUrl) whose token only the page knows.
import type { ChallengeRecord } from '../../challenges/challenge-record.ts';
import type { Channel, Eligibility, EligibilityInput, PreparedChannel } from '../channel.ts';
import type { ConfirmationStore } from './confirmation-store.ts';
import type { CredentialStore } from './credential-store.ts';
import { newPageToken, pageTokenHash } from './page-token.ts';
import type { WebAuthnHost } from './webauthn-host.ts';
import { sectionOf } from '../../policy/policy-fields.ts';
import { webauthnPolicy } from './webauthn-policy.ts';

/** What the channel keeps in the challenge's private state (policy values when it was created). */
export interface WebAuthnChannelState {
  requireUserVerification: boolean;
  maxFailures: number;
}

export class WebAuthnChannel implements Channel {
  readonly name = 'webauthn' as const;

  constructor(private readonly deps: { host: WebAuthnHost; credentials: CredentialStore; confirmations: ConfirmationStore }) {}

  async eligibility(input: EligibilityInput): Promise<Eligibility> {
    if ('unavailable' in this.deps.host.webauthn) return { eligible: false, reason: 'channel_not_available' };
    const count = await this.deps.credentials.count(this.deps.host.db, input.tenantId, input.customerId);
    return count > 0 ? { eligible: true } : { eligible: false, reason: 'not_enrolled' };
  }

  async prepare(input: EligibilityInput & { challengeId: string }): Promise<PreparedChannel> {
    const { host, confirmations } = this.deps;
    const token = newPageToken();
    // Stored before the challenge: a page whose challenge never got stored answers 404.
    await confirmations.insert(host.db, { tenantId: input.tenantId, challengeId: input.challengeId, customerId: input.customerId, tokenHash: pageTokenHash(token) });
    const webauthn = sectionOf(input.policy, webauthnPolicy);
    const state: WebAuthnChannelState = { requireUserVerification: webauthn.userVerification === 'required', maxFailures: webauthn.maxFailures };
    return { state: { ...state }, customerUrl: `${host.publicBaseUrl}/c/webauthn/confirm/${token}` };
  }

  async start(_challenge: ChallengeRecord): Promise<void> {
    // Nothing to queue: the bank sends the customer to customerUrl.
  }
}
