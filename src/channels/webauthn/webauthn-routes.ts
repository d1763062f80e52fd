// Routes of the WebAuthn channel: the bank's (registration links, credentials) and the customer
// pages' under /c/webauthn/ (public: the unguessable token in the path is the authority).
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { appendAudit } from '../../audit/audit-log.ts';
import { notFound } from '../../errors/problem.ts';
import { problemBodySchema } from '../../http/schemas.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import type { ConfirmationService } from './confirmation-service.ts';
import type { CredentialStore } from './credential-store.ts';
import { confirmationPage, endedPage, pageHeaders, registrationPage } from './pages/render-pages.ts';
import type { RegistrationService } from './registration-service.ts';
import type { WebAuthnHost } from './webauthn-host.ts';
import {
  authenticationResponseSchema,
  createRegistrationLinkSchema,
  credentialParams,
  credentialViewSchema,
  pageTokenParams,
  registrationLinkSchema,
  registrationOptionsRequestSchema,
  registrationResponseSchema,
  webauthnCustomerParams,
} from './webauthn-schemas.ts';

const problem = (description: string) => ({ description, schema: problemBodySchema, contentType: 'application/problem+json' });
const html = (status: number, body: string) => ({ status, body, contentType: 'text/html; charset=utf-8', headers: pageHeaders });
const json = (status: number, body: unknown) => ({ status, body, headers: { 'cache-control': 'no-store' } });

export function webauthnRoutes(deps: { host: WebAuthnHost; credentials: CredentialStore; registrations: RegistrationService; confirmations: ConfirmationService }): RouteDefinition[] {
  const { host, credentials, registrations, confirmations } = deps;
  const bankName = async (tenantId: string) => (await host.tenants.getCached(tenantId))?.bankName ?? '';
  return [
    defineRoute({
      method: 'post',
      path: '/v1/customers/:customerId/webauthn/registration-links',
      auth: { kind: 'bank' },
      summary: 'A one-time link (15 minutes) where the customer registers a passkey on stepup’s page',
      tags: ['webauthn'],
      params: webauthnCustomerParams,
      body: createRegistrationLinkSchema,
      responses: { 201: { description: 'The link', schema: registrationLinkSchema }, 503: problem('Passkeys are not configured (WEBAUTHN_RP_ID)') },
      handler: async ({ params, body, bank }) => {
        const link = await registrations.createLink(bank!.tenantId, params.customerId, body, `bank:${bank!.keyId}`);
        return json(201, { url: link.url, expiresAt: link.expiresAt.toISOString() });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/customers/:customerId/webauthn/credentials',
      auth: { kind: 'bank' },
      summary: "The customer's passkeys (never a key)",
      tags: ['webauthn'],
      params: webauthnCustomerParams,
      responses: { 200: { description: 'Oldest first', schema: z.array(credentialViewSchema) } },
      handler: async ({ params, bank }) => {
        const list = await credentials.list(host.db, bank!.tenantId, params.customerId);
        return json(
          200,
          list.map((credential) => ({
            id: credential.id,
            createdAt: credential.createdAt.toISOString(),
            lastUsedAt: credential.lastUsedAt?.toISOString() ?? null,
            backedUp: credential.backedUp,
            transports: credential.transports,
          })),
        );
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/customers/:customerId/webauthn/credentials/:credentialId',
      auth: { kind: 'bank' },
      summary: 'Delete a passkey',
      tags: ['webauthn'],
      params: credentialParams,
      responses: { 204: { description: 'Deleted' }, 404: problem('No such passkey for this customer') },
      handler: async ({ params, bank }) => {
        const tenantId = bank!.tenantId;
        await host.db.tx(async (tx) => {
          if (!(await credentials.remove(tx, tenantId, params.customerId, params.credentialId))) throw notFound('passkey');
          await appendAudit(tx, { tenantId, actor: `bank:${bank!.keyId}`, action: 'webauthn.passkey_deleted', subject: params.customerId, data: { credentialId: params.credentialId } });
        });
        return { status: 204 };
      },
    }),

    // Customer pages: registration.
    defineRoute({
      method: 'get',
      path: '/c/webauthn/register/:token',
      auth: { kind: 'public' },
      summary: 'Passkey registration page (customer)',
      tags: ['customer pages'],
      params: pageTokenParams,
      responses: { 200: { description: 'HTML', contentType: 'text/html' }, 410: { description: 'Expired or used', contentType: 'text/html' } },
      handler: async ({ params }) => {
        const state = await registrations.linkState(params.token);
        if (state.kind === 'unknown') throw notFound('page');
        if (state.kind === 'gone') return html(410, endedPage(state.locale, 'linkGone'));
        return html(200, registrationPage(state.link.locale, await bankName(state.link.tenantId)));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/c/webauthn/register/:token/options',
      auth: { kind: 'public' },
      summary: 'Creation options for the registration page',
      tags: ['customer pages'],
      params: pageTokenParams,
      body: registrationOptionsRequestSchema,
      responses: { 200: { description: 'PublicKeyCredentialCreationOptionsJSON' }, 410: problem('link_gone') },
      handler: async ({ params, body }) => json(200, await registrations.options(params.token, body)),
    }),
    defineRoute({
      method: 'post',
      path: '/c/webauthn/register/:token/verify',
      auth: { kind: 'public' },
      summary: 'The attestation of the registration page',
      tags: ['customer pages'],
      params: pageTokenParams,
      body: registrationResponseSchema,
      responses: { 201: { description: 'Registered' }, 409: problem('passkey_limit_reached'), 410: problem('link_gone'), 422: problem('passkey_rejected') },
      handler: async ({ params, body }) => {
        const registered = await registrations.verify(params.token, body.response as unknown as RegistrationResponseJSON);
        return json(201, { registered: true, credentialId: registered.credentialId });
      },
    }),

    // Customer pages: confirmation of a webauthn challenge.
    defineRoute({
      method: 'get',
      path: '/c/webauthn/confirm/:token',
      auth: { kind: 'public' },
      summary: 'Confirmation page of a webauthn challenge (customer)',
      tags: ['customer pages'],
      params: pageTokenParams,
      responses: { 200: { description: 'HTML', contentType: 'text/html' }, 410: { description: 'The challenge has ended', contentType: 'text/html' } },
      handler: async ({ params }) => {
        const state = await confirmations.pageState(params.token);
        if (state.kind === 'unknown') throw notFound('page');
        if (state.kind === 'ended') return html(410, endedPage(state.challenge.locale, 'ended'));
        return html(200, confirmationPage(state.challenge, await bankName(state.challenge.tenantId)));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/c/webauthn/confirm/:token/options',
      auth: { kind: 'public' },
      summary: 'Request options bound to the transaction (a fresh nonce each time)',
      tags: ['customer pages'],
      params: pageTokenParams,
      responses: { 200: { description: 'publicKey (PublicKeyCredentialRequestOptionsJSON) and payment (SPC) or null' }, 410: problem('challenge_gone') },
      handler: async ({ params }) => json(200, await confirmations.options(params.token)),
    }),
    defineRoute({
      method: 'post',
      path: '/c/webauthn/confirm/:token/verify',
      auth: { kind: 'public' },
      summary: 'The assertion of the confirmation page',
      tags: ['customer pages'],
      params: pageTokenParams,
      body: authenticationResponseSchema,
      responses: {
        200: {
          description: 'The outcome; for a held transfer that can still be stopped, its stop page (docs/holds.md) and when it will be sent',
          schema: z.object({ status: z.string(), stopUrl: z.string().optional(), releaseAt: z.string().optional() }),
        },
        410: problem('challenge_gone'),
        422: problem('passkey_rejected with attemptsRemaining'),
      },
      handler: async ({ params, body }) => {
        const challenge = await confirmations.verify(params.token, body.response as unknown as AuthenticationResponseJSON);
        const stopUrl = host.holdStopUrl(challenge);
        return json(200, { status: challenge.status, ...(stopUrl && challenge.hold ? { stopUrl, releaseAt: challenge.hold.releaseAt.toISOString() } : {}) });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/c/webauthn/confirm/:token/reject',
      auth: { kind: 'public' },
      summary: "“This wasn't me”: denied, customer_rejected, fraudReported",
      tags: ['customer pages'],
      params: pageTokenParams,
      responses: { 200: { description: 'The outcome', schema: z.object({ status: z.string() }) }, 410: problem('challenge_gone') },
      handler: async ({ params }) => json(200, { status: (await confirmations.reject(params.token)).status }),
    }),
  ];
}
