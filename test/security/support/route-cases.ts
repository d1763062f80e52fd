// A valid request for every declared route, on a given tenant's resources. The suites walk the
// declared route table and look each route up here: a new route without a case fails them.
// Cases that destroy or consume something create a fresh one first, so they can be sent many times.
import { randomBytes } from 'node:crypto';
import { otpTransfer } from '../../otp-channel/otp-support.ts';
import { transferBody } from '../../support/test-server.ts';
import { eventually } from '../../support/test-server.ts';
import { createPasskeyChallenge, newAuthenticator, postPage, registerPasskey, registrationLink } from '../../webauthn/webauthn-support.ts';
import { pageToken, payeeAccount, phoneNumber, knowledgeSecret, otpSeedHex, type RouteRequest, type SecurityWorld, type TenantWorld } from './security-world.ts';

export type RouteCase = (world: SecurityWorld, tenant: TenantWorld) => Promise<RouteRequest>;

const must = <T>(response: { status: number; body: T }, expected: number, what: string): T => {
  if (response.status !== expected) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
};
const fresh = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const tenantOnly = async (_: SecurityWorld, t: TenantWorld): Promise<RouteRequest> => ({ params: { id: t.tenantId } });
const none = async (): Promise<RouteRequest> => ({ params: {} });

async function freshChallenge(t: TenantWorld): Promise<string> {
  return must(await t.client.createChallenge<any>(otpTransfer(t.customerId, payeeAccount)), 201, 'challenge').id;
}

async function freshCustomerWithToken(t: TenantWorld): Promise<{ customerId: string; tokenId: string }> {
  const customerId = fresh('cust');
  const token = must(await t.client.createOtpToken<any>(customerId, { type: 'totp', secretHex: otpSeedHex }), 201, 'otp token');
  return { customerId, tokenId: token.id };
}

/** A customer of `t` (a fresh one) with a passkey, to delete. */
async function freshCustomerWithPasskey(w: SecurityWorld, t: TenantWorld): Promise<{ customerId: string; credentialId: string }> {
  const customerId = fresh('cust');
  return { customerId, credentialId: await registerPasskey(w.server, t.client, customerId, newAuthenticator(w.server)) };
}

/** The page token of a fresh, unused registration link for a fresh customer of `t`. */
async function freshRegistrationToken(t: TenantWorld): Promise<{ url: string; token: string }> {
  const link = await registrationLink(t.client, fresh('cust'));
  return { url: link.url, token: pageToken(link.url) };
}

/** A fresh pending webauthn challenge of `t`'s customer (who has a passkey); its page URL and token. */
async function freshConfirmation(t: TenantWorld): Promise<{ url: string; token: string }> {
  const challenge = await createPasskeyChallenge(t.client, t.customerId);
  return { url: challenge.customerUrl, token: pageToken(challenge.customerUrl) };
}

/**
 * A fresh open policy proposal of `t` by the bootstrap admin, whom no caller of the suites is: maker-checker
 * is switched on for the one PUT and off again, so the other cases keep changing the policy directly.
 */
async function freshProposal(w: SecurityWorld, t: TenantWorld): Promise<string> {
  const tenantPath = `/admin/v1/tenants/${t.tenantId}`;
  must(await w.server.admin('PUT', tenantPath, { policyApproval: { required: true } }), 200, 'maker-checker on');
  const current = must(await w.server.admin('GET', `${tenantPath}/policy`), 200, 'policy') as any;
  const document = structuredClone(current.document);
  document.stepUp.riskScoreThreshold = document.stepUp.riskScoreThreshold === 0.69 ? 0.68 : 0.69;
  const proposal = must(await w.server.admin('PUT', `${tenantPath}/policy`, document, { 'if-match': `"v${current.version}"` }), 202, 'proposal') as any;
  must(await w.server.admin('PUT', tenantPath, { policyApproval: { required: false } }), 200, 'maker-checker off');
  return proposal.id;
}

/**
 * A fresh held transfer of `t` (docs/holds.md): the tenant's policy gains a `held` grade that holds
 * transfers from 1,000,000 (once), and a fresh customer's 1,000,000 KRW transfer is held at once.
 * Returns the challenge as GET reads it (with hold.stopUrl) and its stop page's id and token.
 */
async function freshHeld(w: SecurityWorld, t: TenantWorld): Promise<{ id: string; token: string }> {
  const path = `/admin/v1/tenants/${t.tenantId}/policy`;
  const current = must(await w.server.admin('GET', path), 200, 'policy') as any;
  if (!current.document.grades?.held) {
    const document = { ...current.document, grades: { ...current.document.grades, held: { hold: { enabled: true } } } };
    must(await w.server.admin('PUT', path, document, { 'if-match': `"v${current.version}"` }), 200, 'policy with a held grade');
  }
  const created = must(await t.client.createChallenge<any>(transferBody({ customerId: fresh('cust-held'), context: { grade: 'held' } }, '1000000')), 201, 'held transfer');
  const read = must(await t.client.getChallenge<any>(created.id), 200, 'held transfer');
  if (read.hold?.state !== 'held') throw new Error(`not held: ${JSON.stringify(read)}`);
  return { id: read.id, token: pageToken(read.hold.stopUrl) };
}

export const routeCases: Record<string, RouteCase> = {
  // operations (public)
  'GET /': none,
  'GET /healthz': none,
  'GET /readyz': none,
  'GET /metrics': none,
  'GET /openapi.json': none,
  'GET /docs': none,
  'GET /docs/init.js': none,
  'GET /.well-known/jwks.json': none,

  // bank: challenges
  'POST /v1/challenges': async (_, t) => ({ params: {}, body: otpTransfer(t.customerId, payeeAccount) }),
  'GET /v1/challenges/:id': async (_, t) => ({ params: { id: t.challengeId } }),
  'POST /v1/challenges/:id/cancel': async (_, t) => ({ params: { id: await freshChallenge(t) } }),
  'POST /v1/challenges/:id/stop': async (w, t) => ({ params: { id: (await freshHeld(w, t)).id }, body: { reason: 'the customer called the fraud line' } }),
  'GET /c/hold/:id/:token': async (w, t) => ({ params: await freshHeld(w, t) }),
  'POST /c/hold/:id/:token/stop': async (w, t) => ({ params: await freshHeld(w, t) }),
  'POST /v1/challenges/:id/otp': async (_, t) => ({ params: { id: await freshChallenge(t) }, body: { code: '000000' } }),

  // bank: customers
  'GET /v1/customers/:customerId': async (_, t) => ({ params: { customerId: t.customerId } }),
  'DELETE /v1/customers/:customerId': async (_, t) => ({ params: { customerId: (await freshCustomerWithToken(t)).customerId } }),
  'PUT /v1/customers/:customerId/phone': async (_, t) => ({ params: { customerId: t.customerId }, body: { number: phoneNumber } }),
  'PUT /v1/customers/:customerId/notification-phone': async (_, t) => ({ params: { customerId: t.customerId }, body: { number: phoneNumber } }),
  'PUT /v1/customers/:customerId/knowledge-secret': async (_, t) => ({ params: { customerId: t.customerId }, body: { secret: knowledgeSecret } }),
  'POST /v1/customers/:customerId/otp-tokens': async (_, t) => ({ params: { customerId: t.customerId }, body: { type: 'totp', secretHex: otpSeedHex } }),
  'GET /v1/customers/:customerId/otp-tokens': async (_, t) => ({ params: { customerId: t.customerId } }),
  'DELETE /v1/customers/:customerId/otp-tokens/:tokenId': async (_, t) => {
    const { customerId, tokenId } = await freshCustomerWithToken(t);
    return { params: { customerId, tokenId } };
  },

  // bank: passkeys (registration links, credentials)
  'POST /v1/customers/:customerId/webauthn/registration-links': async (_, t) => ({ params: { customerId: t.customerId }, body: { locale: 'en-US' } }),
  'GET /v1/customers/:customerId/webauthn/credentials': async (_, t) => ({ params: { customerId: t.customerId } }),
  'DELETE /v1/customers/:customerId/webauthn/credentials/:credentialId': async (w, t) => ({ params: await freshCustomerWithPasskey(w, t) }),

  // customer pages (public: the page token in the path is the authority); each case a fresh, unused token
  'GET /c/webauthn/register/:token': async (_, t) => ({ params: { token: (await freshRegistrationToken(t)).token } }),
  'POST /c/webauthn/register/:token/options': async (_, t) => ({ params: { token: (await freshRegistrationToken(t)).token }, body: { payment: false } }),
  'POST /c/webauthn/register/:token/verify': async (w, t) => {
    const link = await freshRegistrationToken(t);
    const creation = must(await postPage(w.server, link.url, '/options', { payment: false }), 200, 'registration options');
    return { params: { token: link.token }, body: { response: newAuthenticator(w.server).register(creation) } };
  },
  'GET /c/webauthn/confirm/:token': async (_, t) => ({ params: { token: t.confirmToken } }),
  'POST /c/webauthn/confirm/:token/options': async (_, t) => ({ params: { token: t.confirmToken } }),
  'POST /c/webauthn/confirm/:token/verify': async (w, t) => {
    const page = await freshConfirmation(t);
    const options = must(await postPage(w.server, page.url, '/options'), 200, 'confirmation options');
    return { params: { token: page.token }, body: { response: t.authenticator.assert({ challenge: options.publicKey.challenge, credentialId: t.credentialId }) } };
  },
  'POST /c/webauthn/confirm/:token/reject': async (_, t) => ({ params: { token: (await freshConfirmation(t)).token } }),

  // admin: tenants and keys
  'POST /admin/v1/tenants': async () => ({ params: {}, body: { name: fresh('Bank') } }),
  'GET /admin/v1/tenants': none,
  'GET /admin/v1/tenants/:id': tenantOnly,
  'PUT /admin/v1/tenants/:id': async (_, t) => ({ params: { id: t.tenantId }, body: { bankName: 'Renamed Bank' } }),
  'POST /admin/v1/tenants/:id/webhook-secret': tenantOnly,
  'POST /admin/v1/tenants/:id/keys': async (_, t) => ({ params: { id: t.tenantId }, body: {} }),
  'GET /admin/v1/tenants/:id/keys': tenantOnly,
  'DELETE /admin/v1/tenants/:id/keys/:keyId': async (w, t) => {
    const key = must(await w.server.admin('POST', `/admin/v1/tenants/${t.tenantId}/keys`, {}), 201, 'key');
    return { params: { id: t.tenantId, keyId: key.keyId } };
  },
  'PUT /admin/v1/tenants/:id/keys/:keyId': async (w, t) => {
    const key = must(await w.server.admin('POST', `/admin/v1/tenants/${t.tenantId}/keys`, {}), 201, 'key');
    return { params: { id: t.tenantId, keyId: key.keyId }, body: { allowedNetworks: ['127.0.0.0/8', '::1'] } };
  },
  'GET /admin/v1/tenants/:id/deliveries': async (_, t) => ({ params: { id: t.tenantId }, query: { limit: '10' } }),
  'GET /admin/v1/tenants/:id/dashboard': async (_, t) => ({ params: { id: t.tenantId }, query: { days: '7' } }),

  // admin: policy
  'GET /admin/v1/tenants/:id/policy': tenantOnly,
  'PUT /admin/v1/tenants/:id/policy': async (w, t) => {
    const current = await w.server.admin('GET', `/admin/v1/tenants/${t.tenantId}/policy`);
    must(current, 200, 'policy');
    return { params: { id: t.tenantId }, body: current.body.document, headers: { 'if-match': current.headers.get('etag')! } };
  },
  'GET /admin/v1/tenants/:id/policy/versions': tenantOnly,
  'GET /admin/v1/tenants/:id/policy/versions/:version': async (_, t) => ({ params: { id: t.tenantId, version: '0' } }),
  'POST /admin/v1/tenants/:id/policy/dry-run': async (_, t) => ({ params: { id: t.tenantId }, body: { transaction: transferBody().transaction } }),
  'POST /admin/v1/tenants/:id/policy/backtest': async (w, t) => ({
    params: { id: t.tenantId },
    body: { document: (await w.server.admin('GET', `/admin/v1/tenants/${t.tenantId}/policy`)).body.document, days: 7 },
  }),
  'GET /admin/v1/tenants/:id/policy/proposals': tenantOnly,
  'GET /admin/v1/tenants/:id/policy/proposals/:proposalId': async (w, t) => ({ params: { id: t.tenantId, proposalId: await freshProposal(w, t) } }),
  'POST /admin/v1/tenants/:id/policy/proposals/:proposalId/approve': async (w, t) => ({ params: { id: t.tenantId, proposalId: await freshProposal(w, t) }, body: {} }),
  'POST /admin/v1/tenants/:id/policy/proposals/:proposalId/reject': async (w, t) => ({ params: { id: t.tenantId, proposalId: await freshProposal(w, t) }, body: { reason: 'not now' } }),
  'POST /admin/v1/tenants/:id/policy/proposals/:proposalId/withdraw': async (w, t) => ({ params: { id: t.tenantId, proposalId: await freshProposal(w, t) }, body: {} }),

  // admin: customers, carrier gateway
  'POST /admin/v1/tenants/:id/customers/:customerId/unlock': async (_, t) => ({ params: { id: t.tenantId, customerId: t.customerId }, body: { reason: 'customer called the bank' } }),
  'PUT /admin/v1/tenants/:id/carrier-gateway': async (_, t) => ({ params: { id: t.tenantId }, body: { url: 'http://127.0.0.1:9/carrier' } }),
  'GET /admin/v1/tenants/:id/carrier-gateway': tenantOnly,
  'DELETE /admin/v1/tenants/:id/carrier-gateway': async (w, t) => {
    must(await w.server.admin('PUT', `/admin/v1/tenants/${t.tenantId}/carrier-gateway`, { url: 'http://127.0.0.1:9/carrier' }), 200, 'gateway');
    return { params: { id: t.tenantId } };
  },

  // admin: console views of customers and challenges, redelivery
  'GET /admin/v1/tenants/:id/customers/:customerId': async (_, t) => ({ params: { id: t.tenantId, customerId: t.customerId } }),
  'DELETE /admin/v1/tenants/:id/customers/:customerId': async (_, t) => ({ params: { id: t.tenantId, customerId: (await freshCustomerWithToken(t)).customerId } }),
  'GET /admin/v1/tenants/:id/challenges': async (_, t) => ({ params: { id: t.tenantId }, query: { customerId: t.customerId, limit: '10' } }),
  'GET /admin/v1/tenants/:id/challenges/:challengeId': async (_, t) => ({ params: { id: t.tenantId, challengeId: t.passkeyChallengeId } }),
  'GET /admin/v1/tenants/:id/holds': async (_, t) => ({ params: { id: t.tenantId }, query: { state: 'held' } }),
  'POST /admin/v1/tenants/:id/challenges/:challengeId/stop': async (w, t) => ({ params: { id: t.tenantId, challengeId: (await freshHeld(w, t)).id }, body: { reason: 'the customer called the branch' } }),
  'POST /admin/v1/tenants/:id/deliveries/:deliveryId/redeliver': async (w, t) => {
    // A pending delivery is refused (409): wait until the last redelivery has been delivered again.
    await eventually(async () => {
      const read = await w.server.admin('GET', `/admin/v1/tenants/${t.tenantId}/deliveries?status=delivered`);
      return (read.body.deliveries as { id: string }[]).some((d) => d.id === t.deliveryId) || undefined;
    }, 10_000, 'the delivery delivered again');
    return { params: { id: t.tenantId, deliveryId: t.deliveryId } };
  },

  // admin: audit, receipts, tokens
  'GET /admin/v1/audit': async (_, t) => ({ params: {}, query: { tenantId: t.tenantId, limit: '20' } }),
  'GET /admin/v1/audit/verify': none,
  'POST /admin/v1/receipt-keys/rotate': none,
  'POST /admin/v1/tokens': async () => ({ params: {}, body: { name: fresh('ops'), role: 'viewer' } }),
  'GET /admin/v1/tokens': none,
  'DELETE /admin/v1/tokens/:tokenId': async (w) => {
    const token = must(await w.server.admin('POST', '/admin/v1/tokens', { name: fresh('doomed'), role: 'viewer' }), 201, 'token');
    return { params: { tokenId: token.id } };
  },
  'GET /admin/v1/console-sessions': none,
  'GET /admin/v1/security-signals': async (_, t) => ({ params: {}, query: { tenantId: t.tenantId, signal: 'new_network', limit: '20' } }),
  // A fresh console session of a token scoped to `t` (so `t`'s own superadmin may end it too).
  'DELETE /admin/v1/console-sessions/:sessionId': async (w, t) => {
    const token = must(await w.server.admin('POST', '/admin/v1/tokens', { name: fresh('signed-in'), role: 'viewer', tenantId: t.tenantId }), 201, 'token') as { token: string };
    const response = await fetch(`${w.server.url}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: w.server.publicBaseUrl }, body: JSON.stringify({ token: token.token }) });
    const session = must({ status: response.status, body: (await response.json()) as { id: string } }, 201, 'console session');
    return { params: { sessionId: session.id } };
  },
};
