// The world the adversarial suites attack: one real server, two tenants with a customer, an OTP
// token, a challenge and a carrier gateway each, admin tokens of every role (global) and a scoped
// superadmin per tenant, and helpers to send a declared route's request as any principal.
import { randomBytes } from 'node:crypto';
import { StepupClient } from '../../../src/client/stepup-client.ts';
import type { RouteDefinition } from '../../../src/http/route.ts';
import type { DbKind } from '../../support/databases.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { otpTransfer } from '../../otp-channel/otp-support.ts';

export const payeeAccount = '110-123-456789';
export const phoneNumber = '+8223123456';
export const knowledgeSecret = '20478153';
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
}

export type AdminTokenName = 'viewer' | 'operator' | 'policy-admin' | 'superadmin' | 'scoped-superadmin';

export interface SecurityWorld {
  server: TestServer;
  a: TenantWorld;
  b: TenantWorld;
  /** Global tokens of each role, and a superadmin scoped to tenant A. */
  tokens: Record<AdminTokenName, string>;
  /** A superadmin scoped to tenant B. */
  scopedB: string;
  close(): Promise<void>;
}

export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method.toUpperCase()} ${route.path}`;

async function tenantWorld(server: TestServer, name: string): Promise<TenantWorld> {
  const tenant = await server.createTenant({ name });
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
  return { ...tenant, customerId, otpTokenId: token.body.id, challengeId: challenge.body.id };
}

export async function startSecurityWorld(db: DbKind): Promise<SecurityWorld> {
  const server = await startTestServer({ db });
  const a = await tenantWorld(server, 'Bank A');
  const b = await tenantWorld(server, 'Bank B');
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
  return { server, a, b, tokens, scopedB: await issue('superadmin', b.tenantId), close: () => server.close() };
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
      credentials: { keyId: principal.tenant.keyId, secret: principal.tenant.secret },
      fetch: async (input, init) => {
        const answered = await fetch(input, init);
        captured = answered.clone();
        return answered;
      },
    });
    await client.request(method, path, request.body, request.headers ?? {}).catch(() => undefined);
    response = captured!;
  } else {
    response = await fetch(world.server.url + path, {
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
