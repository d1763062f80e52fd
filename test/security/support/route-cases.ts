// A valid request for every declared route, on a given tenant's resources. The suites walk the
// declared route table and look each route up here: a new route without a case fails them.
// Cases that destroy or consume something create a fresh one first, so they can be sent many times.
import { randomBytes } from 'node:crypto';
import { otpTransfer } from '../../otp-channel/otp-support.ts';
import { transferBody } from '../../support/test-server.ts';
import { payeeAccount, phoneNumber, knowledgeSecret, otpSeedHex, type RouteRequest, type SecurityWorld, type TenantWorld } from './security-world.ts';

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
  'POST /v1/challenges/:id/otp': async (_, t) => ({ params: { id: await freshChallenge(t) }, body: { code: '000000' } }),

  // bank: customers
  'GET /v1/customers/:customerId': async (_, t) => ({ params: { customerId: t.customerId } }),
  'DELETE /v1/customers/:customerId': async (_, t) => ({ params: { customerId: (await freshCustomerWithToken(t)).customerId } }),
  'PUT /v1/customers/:customerId/phone': async (_, t) => ({ params: { customerId: t.customerId }, body: { number: phoneNumber } }),
  'PUT /v1/customers/:customerId/knowledge-secret': async (_, t) => ({ params: { customerId: t.customerId }, body: { secret: knowledgeSecret } }),
  'POST /v1/customers/:customerId/otp-tokens': async (_, t) => ({ params: { customerId: t.customerId }, body: { type: 'totp', secretHex: otpSeedHex } }),
  'GET /v1/customers/:customerId/otp-tokens': async (_, t) => ({ params: { customerId: t.customerId } }),
  'DELETE /v1/customers/:customerId/otp-tokens/:tokenId': async (_, t) => {
    const { customerId, tokenId } = await freshCustomerWithToken(t);
    return { params: { customerId, tokenId } };
  },

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
  'GET /admin/v1/tenants/:id/deliveries': async (_, t) => ({ params: { id: t.tenantId }, query: { limit: '10' } }),

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

  // admin: customers, carrier gateway
  'POST /admin/v1/tenants/:id/customers/:customerId/unlock': async (_, t) => ({ params: { id: t.tenantId, customerId: t.customerId } }),
  'PUT /admin/v1/tenants/:id/carrier-gateway': async (_, t) => ({ params: { id: t.tenantId }, body: { url: 'http://127.0.0.1:9/carrier' } }),
  'GET /admin/v1/tenants/:id/carrier-gateway': tenantOnly,
  'DELETE /admin/v1/tenants/:id/carrier-gateway': async (w, t) => {
    must(await w.server.admin('PUT', `/admin/v1/tenants/${t.tenantId}/carrier-gateway`, { url: 'http://127.0.0.1:9/carrier' }), 200, 'gateway');
    return { params: { id: t.tenantId } };
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
};
