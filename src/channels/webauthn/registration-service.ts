// Passkey enrollment (docs/webauthn-channel.md): the bank creates a one-time link, the customer's
// browser runs the WebAuthn registration ceremony on stepup's page, and the credential is stored —
// at most maxCredentialsPerCustomer, counted under the customer row lock. Every step is audited.
import { generateRegistrationOptions, verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { createHash } from 'node:crypto';
import { appendAudit } from '../../audit/audit-log.ts';
import { newId } from '../../crypto/hashing.ts';
import { notFound } from '../../errors/problem.ts';
import { recordEvent } from '../../events/event-outbox.ts';
import { effectivePolicy } from '../../policy/policy-schema.ts';
import { upsertCustomer } from '../../customers/customer-store.ts';
import { maxCredentialsPerCustomer, type CredentialStore } from './credential-store.ts';
import { newPageToken, pageTokenHash } from './page-token.ts';
import type { RegistrationLinkRecord, RegistrationLinkStore } from './registration-link-store.ts';
import { relyingParty, type WebAuthnHost } from './webauthn-host.ts';
import { webauthnProblem } from './webauthn-problem-codes.ts';
import { sectionOf } from '../../policy/policy-fields.ts';
import { webauthnPolicy } from './webauthn-policy.ts';

export const registrationLinkTtlMs = 15 * 60 * 1000;
export const pageLocales = ['ko-KR', 'en-US'] as const;
export type PageLocale = (typeof pageLocales)[number];

/** A stable, opaque WebAuthn user handle: the bank's customer id never reaches the authenticator's user.id. */
const userHandle = (tenantId: string, customerId: string) => createHash('sha256').update(`stepup-webauthn-user|${tenantId}|${customerId}`).digest();

export type LinkState = { kind: 'live'; link: RegistrationLinkRecord } | { kind: 'gone'; locale: string } | { kind: 'unknown' };

export class RegistrationService {
  constructor(private readonly deps: { host: WebAuthnHost; credentials: CredentialStore; links: RegistrationLinkStore }) {}

  async createLink(tenantId: string, customerId: string, input: { locale: PageLocale; displayName?: string | undefined }, actor: string): Promise<{ url: string; expiresAt: Date }> {
    const { host, links } = this.deps;
    relyingParty(host);
    const token = newPageToken();
    const id = newId('wrl');
    const expiresAt = new Date(host.clock().getTime() + registrationLinkTtlMs);
    await host.db.tx(async (tx) => {
      await links.insert(tx, { id, tenantId, customerId, tokenHash: pageTokenHash(token), locale: input.locale, displayName: input.displayName ?? null, expiresAt });
      await appendAudit(tx, { tenantId, actor, action: 'webauthn.registration_link_created', subject: customerId, data: { linkId: id, expiresAt: expiresAt.toISOString() } });
    });
    return { url: `${host.publicBaseUrl}/c/webauthn/register/${token}`, expiresAt };
  }

  async linkState(token: string): Promise<LinkState> {
    const link = await this.deps.links.byTokenHash(this.deps.host.db, pageTokenHash(token));
    if (!link) return { kind: 'unknown' };
    if (link.usedAt || link.expiresAt.getTime() <= this.deps.host.clock().getTime()) return { kind: 'gone', locale: link.locale };
    return { kind: 'live', link };
  }

  /** The creation options for navigator.credentials.create (WebAuthn L3 §5.4). */
  async options(token: string, input: { payment: boolean }): Promise<Record<string, unknown>> {
    const { host, credentials, links } = this.deps;
    const link = await this.liveLink(token);
    const rp = relyingParty(host);
    const tenant = await host.tenants.getCached(link.tenantId);
    if (!tenant) throw notFound('link');
    const policy = effectivePolicy((await host.policies.currentCached(link.tenantId)).document);
    const existing = await credentials.list(host.db, link.tenantId, link.customerId);
    // Told before the ceremony; verify() enforces it under the customer row lock.
    if (existing.length >= maxCredentialsPerCustomer) throw limitReached();
    const options = await generateRegistrationOptions({
      rpName: tenant.bankName,
      rpID: rp.rpId,
      userName: link.displayName ?? link.customerId,
      userDisplayName: link.displayName ?? link.customerId,
      userID: userHandle(link.tenantId, link.customerId),
      attestationType: 'none',
      excludeCredentials: existing.map((credential) => ({ id: credential.id, transports: credential.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: sectionOf(policy, webauthnPolicy).userVerification },
      ...(input.payment ? { extensions: { payment: { isPayment: true } } as never } : {}),
    });
    if (!(await links.setCeremonyChallenge(host.db, link.id, options.challenge, input.payment, host.clock()))) throw linkGone();
    return options as unknown as Record<string, unknown>;
  }

  async verify(token: string, response: RegistrationResponseJSON): Promise<{ credentialId: string }> {
    const { host, credentials, links } = this.deps;
    const link = await this.liveLink(token);
    const rp = relyingParty(host);
    if (!link.ceremonyChallenge) throw webauthnProblem('passkey_rejected', 'Start the registration again');
    const policy = effectivePolicy((await host.policies.currentCached(link.tenantId)).document);
    const audit = { tenantId: link.tenantId, actor: 'customer', subject: link.customerId };
    let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verification = await verifyRegistrationResponse({
        response,
        expectedChallenge: link.ceremonyChallenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.rpId,
        requireUserVerification: sectionOf(policy, webauthnPolicy).userVerification === 'required',
      });
    } catch (error) {
      host.logger.info({ linkId: link.id, err: (error as Error).message }, 'passkey registration refused');
      await appendAudit(host.db, { ...audit, action: 'webauthn.registration_refused', data: { linkId: link.id } });
      throw webauthnProblem('passkey_rejected', 'The passkey could not be registered');
    }
    if (!verification.verified) throw webauthnProblem('passkey_rejected', 'The passkey could not be registered');
    const info = verification.registrationInfo;
    const credentialId = info.credential.id;
    const tenant = await host.tenants.getCached(link.tenantId);
    const registered = await host.db.tx(async (tx) => {
      if (!(await links.consume(tx, link.id, link.ceremonyChallenge!, host.clock()))) throw linkGone();
      await upsertCustomer(tx, link.tenantId, link.customerId);
      // The customer row lock serialises registrations: the count below cannot be stale.
      await tx.query('SELECT 1 FROM customers WHERE tenant_id = $1 AND customer_id = $2 FOR UPDATE', [link.tenantId, link.customerId]);
      const inserted = await credentials.insertBelowLimit(tx, {
        tenantId: link.tenantId,
        id: credentialId,
        customerId: link.customerId,
        publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
        signCount: info.credential.counter,
        transports: info.credential.transports ?? [],
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        payment: link.ceremonyPayment,
      });
      if (inserted === 'limit_reached') throw limitReached();
      if (inserted === 'exists') throw webauthnProblem('passkey_rejected', 'This passkey is already registered');
      await appendAudit(tx, { ...audit, action: 'webauthn.passkey_registered', data: { linkId: link.id, credentialId, backedUp: info.credentialBackedUp, userVerified: info.userVerified, payment: link.ceremonyPayment } });
      const url = tenant?.defaultCallbackUrl;
      // The event reports the enrollment to the bank (docs/webauthn-channel.md); its subject is the link.
      const deliveryId = url
        ? await recordEvent(tx, {
            tenantId: link.tenantId,
            challengeId: link.id,
            type: 'customer.passkey_registered',
            url,
            payload: { customerId: link.customerId, credentialId, backedUp: info.credentialBackedUp, registeredAt: host.clock().toISOString() },
          })
        : null;
      return { deliveryId };
    });
    if (registered.deliveryId) {
      await host.events.dispatch({ tenantId: link.tenantId, deliveryId: registered.deliveryId }).catch((error: unknown) => host.logger.warn({ err: error }, 'event dispatch deferred to the sweeper'));
    }
    return { credentialId };
  }

  private async liveLink(token: string): Promise<RegistrationLinkRecord> {
    const state = await this.linkState(token);
    if (state.kind === 'unknown') throw notFound('link');
    if (state.kind === 'gone') throw linkGone();
    return state.link;
  }
}

const limitReached = () => webauthnProblem('passkey_limit_reached', `This customer already has ${maxCredentialsPerCustomer} passkeys; the bank must delete one first`);
const linkGone = () => webauthnProblem('link_gone', 'This registration link has expired or was already used; ask your bank for a new one');
