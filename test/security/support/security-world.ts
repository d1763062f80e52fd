// The world the adversarial suites attack: one real server, two tenants with a customer, an OTP
// token, a registered passkey, a challenge, a pending passkey challenge (with its confirmation page
// token), a delivered webhook and a carrier gateway each, admin tokens of every role (global) and a
// scoped superadmin per tenant, and helpers to send a declared route's request as any principal.
// The server listens on 127.0.0.1 but is known as http://localhost:<port> (PUBLIC_BASE_URL): an IP
// address is never a WebAuthn RP ID, so passkeys only work under a name (docs/webauthn-channel.md).
// Bank requests are signed for that public URL and sent to the listening one.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StepupClient } from '../../../src/client/stepup-client.ts';
import type { RouteDefinition } from '../../../src/http/route.ts';
import type { DbKind } from '../../support/databases.ts';
import { eventually } from '../../support/test-server.ts';
import type { SoftAuthenticator } from '../../support/soft-authenticator.ts';
import { loopbackFetch } from '../../support/loopback-fetch.ts';
import { otpTransfer } from '../../otp-channel/otp-support.ts';
import { createPasskeyChallenge, newAuthenticator, pagePath, passkeyTransfer, postPage, registerPasskey, startWebAuthnServer, type WebAuthnTestServer } from '../../webauthn/webauthn-support.ts';

// Distinct from every example in the OpenAPI document and the docs: a hit in a response is a leak, not an example.
export const payeeAccount = '356-0418-7729-03';
export const phoneNumber = '+8223123456';
export const knowledgeSecret = '61938274';
export const otpSeedHex = '3132333435363738393031323334353637383930';

export interface TenantWorld {
  tenantId: string;
  keyId: string;
  secret: string;
  webhookSecret: string;
  client: StepupClient;
  customerId: string;
  otpTokenId: string;
  challengeId: string;
  /** The customer's passkey, held by `authenticator`. */
  credentialId: string;
  authenticator: SoftAuthenticator;
  /** A pending webauthn challenge of the customer, and the token of its confirmation page (/c/webauthn/confirm/:token). */
  passkeyChallengeId: string;
  confirmToken: string;
  /** A webhook delivery of this tenant that has been delivered (to `sink`). */
  deliveryId: string;
}

export type AdminTokenName = 'viewer' | 'operator' | 'policy-admin' | 'superadmin' | 'scoped-superadmin';

export interface SecurityWorld {
  server: WebAuthnTestServer;
  a: TenantWorld;
  b: TenantWorld;
  /** Global tokens of each role, and a superadmin scoped to tenant A. */
  tokens: Record<AdminTokenName, string>;
  /** A superadmin scoped to tenant B. */
  scopedB: string;
  close(): Promise<void>;
}

export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method.toUpperCase()} ${route.path}`;

/** A local webhook receiver that answers 204 to everything. */
async function webhookSink(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, server };
}

/** The token in a customer page URL (…/c/webauthn/confirm/<token>). */
export const pageToken = (url: string) => pagePath(url).split('/').pop()!;

async function tenantWorld(server: WebAuthnTestServer, name: string, sinkUrl: string): Promise<TenantWorld> {
  const created = await server.createTenant({ name });
  // createTenant's client signs for the listening URL; the server checks signatures against PUBLIC_BASE_URL.
  const client = new StepupClient({ baseUrl: server.url, publicBaseUrl: server.publicBaseUrl, fetch: loopbackFetch, credentials: { keyId: created.keyId, secret: created.secret } });
  const tenant = { ...created, client };
  const customerId = `cust-${name.toLowerCase().replace(/\W/g, '')}`;
  const token = await tenant.client.createOtpToken<any>(customerId, { type: 'totp', secretHex: otpSeedHex });
  if (token.status !== 201) throw new Error(`otp token: ${token.status} ${JSON.stringify(token.body)}`);
  const phone = await tenant.client.request<any>('PUT', `/v1/customers/${customerId}/phone`, { number: phoneNumber });
  if (phone.status !== 200) throw new Error(`phone: ${phone.status} ${JSON.stringify(phone.body)}`);
  const secret = await tenant.client.request<any>('PUT', `/v1/customers/${customerId}/knowledge-secret`, { secret: knowledgeSecret });
  if (secret.status !== 204) throw new Error(`secret: ${secret.status} ${JSON.stringify(secret.body)}`);
  const challenge = await tenant.client.createChallenge<any>(otpTransfer(customerId, payeeAccount));
  if (challenge.status !== 201) throw new Error(`challenge: ${challenge.status} ${JSON.stringify(challenge.body)}`);
  const gateway = await server.admin('PUT', `/admin/v1/tenants/${tenant.tenantId}/carrier-gateway`, { url: 'http://127.0.0.1:9/carrier' });
  if (gateway.status !== 200) throw new Error(`gateway: ${gateway.status} ${JSON.stringify(gateway.body)}`);
  const authenticator = newAuthenticator(server);
  const credentialId = await registerPasskey(server, client, customerId, authenticator);
  // A passkey challenge approved on its page, so that a webhook is delivered (the redeliver route needs one)...
  const toApprove = await client.createChallenge<any>({ ...passkeyTransfer(customerId), callbackUrl: sinkUrl });
  if (toApprove.status !== 201) throw new Error(`passkey challenge: ${toApprove.status} ${JSON.stringify(toApprove.body)}`);
  const approved = toApprove.body;
  const options = await postPage(server, approved.customerUrl, '/options');
  const verified = await postPage(server, approved.customerUrl, '/verify', { response: authenticator.assert({ challenge: options.body.publicKey.challenge, credentialId }) });
  if (verified.status !== 200) throw new Error(`passkey verify: ${verified.status} ${JSON.stringify(verified.body)}`);
  const deliveryId = await eventually(async () => {
    const deliveries = await server.admin('GET', `/admin/v1/tenants/${tenant.tenantId}/deliveries`);
    return (deliveries.body.deliveries as { id: string; status: string }[]).find((d) => d.status === 'delivered')?.id;
  }, 10_000, 'a delivered webhook');
  // ...and one left pending, whose page token the confirmation page routes take.
  const pending = await createPasskeyChallenge(client, customerId);
  return { ...tenant, customerId, otpTokenId: token.body.id, challengeId: challenge.body.id, credentialId, authenticator, passkeyChallengeId: pending.id, confirmToken: pageToken(pending.customerUrl), deliveryId };
}

export async function startSecurityWorld(db: DbKind): Promise<SecurityWorld> {
  const server = await startWebAuthnServer({ db });
  const sink = await webhookSink();
  const a = await tenantWorld(server, 'Bank A', sink.url);
  const b = await tenantWorld(server, 'Bank B', sink.url);
  const issue = async (role: string, tenantId?: string) => {
    const issued = await server.admin('POST', '/admin/v1/tokens', { name: `${role}-${randomBytes(3).toString('hex')}`, role, ...(tenantId ? { tenantId } : {}) });
    if (issued.status !== 201) throw new Error(`token: ${issued.status} ${JSON.stringify(issued.body)}`);
    return issued.body.token as string;
  };
  const tokens: Record<AdminTokenName, string> = {
    viewer: await issue('viewer'),
    operator: await issue('operator'),
    'policy-admin': await issue('policy-admin'),
    superadmin: await issue('superadmin'),
    'scoped-superadmin': await issue('superadmin', a.tenantId),
  };
  const close = async () => {
    await server.close();
    await new Promise((resolve) => sink.server.close(resolve));
  };
  return { server, a, b, tokens, scopedB: await issue('superadmin', b.tenantId), close };
}

export interface RouteRequest {
  params: Record<string, string>;
  body?: unknown;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Put the params into the path as they are (already percent-encoded, or deliberately malformed). */
  rawParams?: boolean;
}

export const concretePath = (route: Pick<RouteDefinition, 'path'>, request: RouteRequest) => {
  const path = route.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const value = request.params[name];
    if (value === undefined) throw new Error(`${route.path}: no value for :${name}`);
    return request.rawParams ? value : encodeURIComponent(value);
  });
  const query = new URLSearchParams(request.query ?? {}).toString();
  return query ? `${path}?${query}` : path;
};

export type Principal = { kind: 'anonymous' } | { kind: 'bank'; tenant: TenantWorld } | { kind: 'admin'; token: string };

export interface SentResponse {
  status: number;
  contentType: string;
  text: string;
  body: any;
}

/** Sends `route` with `request` as `principal`: signed for a bank, a bearer token for an admin, nothing for anonymous. */
export async function send(world: SecurityWorld, principal: Principal, route: Pick<RouteDefinition, 'method' | 'path'>, request: RouteRequest): Promise<SentResponse> {
  const method = route.method.toUpperCase();
  const path = concretePath(route, request);
  let response: Response;
  if (principal.kind === 'bank') {
    let captured: Response | undefined;
    const client = new StepupClient({
      baseUrl: world.server.url,
      publicBaseUrl: world.server.publicBaseUrl,
      credentials: { keyId: principal.tenant.keyId, secret: principal.tenant.secret },
      fetch: async (input, init) => {
        const answered = await loopbackFetch(input, init);
        captured = answered.clone();
        return answered;
      },
    });
    await client.request(method, path, request.body, request.headers ?? {}).catch(() => undefined);
    response = captured!;
  } else {
    response = await loopbackFetch(world.server.url + path, {
      method,
      headers: {
        ...(principal.kind === 'admin' ? { authorization: `Bearer ${principal.token}` } : {}),
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...request.headers,
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
  }
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  let body: any = text;
  if (/json/.test(contentType) && text) body = JSON.parse(text);
  return { status: response.status, contentType, text, body };
}

/** Every row stored for a tenant (audit tables aside: workers chain them in the background), to show nothing changed. */
export async function tenantSnapshot(world: SecurityWorld, tenantId: string): Promise<Record<string, string[]>> {
  const db = world.server.running.context.db;
  const tables = await db.query<{ table_name: string }>(
    `SELECT DISTINCT table_name FROM information_schema.columns
      WHERE column_name = 'tenant_id' AND table_schema = current_schema() AND table_name NOT IN ('audit_log', 'audit_inbox')
      ORDER BY table_name`,
  );
  const snapshot: Record<string, string[]> = {};
  for (const { table_name: table } of tables.rows) {
    const rows = await db.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table} t WHERE tenant_id = $1`, [tenantId]);
    snapshot[table] = rows.rows.map((r) => r.row).sort();
  }
  const tenant = await db.query<{ row: string }>('SELECT row_to_json(t)::text AS row FROM tenants t WHERE id = $1', [tenantId]);
  snapshot.tenants = tenant.rows.map((r) => r.row);
  return snapshot;
}
