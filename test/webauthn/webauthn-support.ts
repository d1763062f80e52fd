// Helpers for WebAuthn tests: a server on 127.0.0.1 known as http://localhost:<port> (an IP address
// is never an RP ID), bank clients signed for that URL, and the customer pages' JSON calls.
import { randomBytes } from 'node:crypto';
import { StepupClient } from '../../src/client/stepup-client.ts';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { loopbackFetch } from '../support/loopback-fetch.ts';
import { startTestServer, type TestServer, type TestServerOptions } from '../support/test-server.ts';
import { freePort } from '../support/free-port.ts';

export interface WebAuthnTestServer extends TestServer {
  publicBaseUrl: string;
  /** A tenant with a bank client signed for PUBLIC_BASE_URL. */
  bank(input?: Record<string, unknown>): Promise<{ tenantId: string; webhookSecret: string; client: StepupClient }>;
}

export async function startWebAuthnServer(options: TestServerOptions = {}): Promise<WebAuthnTestServer> {
  const port = await freePort();
  const publicBaseUrl = `http://localhost:${port}`;
  const server = await startTestServer({ ...options, env: { PORT: String(port), PUBLIC_BASE_URL: publicBaseUrl, ...options.env } });
  return {
    ...server,
    publicBaseUrl,
    async bank(input = {}) {
      const tenant = await server.createTenant(input);
      return { tenantId: tenant.tenantId, webhookSecret: tenant.webhookSecret, client: new StepupClient({ baseUrl: server.url, publicBaseUrl, fetch: loopbackFetch, credentials: { keyId: tenant.keyId, secret: tenant.secret } }) };
    },
  };
}

/** The page's path on the test server (customer URLs name PUBLIC_BASE_URL; requests go to 127.0.0.1). */
export const pagePath = (url: string) => new URL(url).pathname;

export async function postPage<T = any>(server: { url: string }, url: string, action: string, body: unknown = {}): Promise<{ status: number; body: T }> {
  const response = await loopbackFetch(server.url + pagePath(url) + action, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export async function getPage(server: { url: string }, url: string): Promise<{ status: number; html: string; headers: Headers }> {
  const response = await loopbackFetch(server.url + pagePath(url));
  return { status: response.status, html: await response.text(), headers: response.headers };
}

export async function registrationLink(client: StepupClient, customerId: string, body: Record<string, unknown> = { locale: 'en-US' }): Promise<{ url: string; expiresAt: string }> {
  const created = await client.request<any>('POST', `/v1/customers/${customerId}/webauthn/registration-links`, body);
  if (created.status !== 201) throw new Error(`registration link: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

/** Registers a passkey on `authenticator` through a fresh link; returns the credential id. */
export async function registerPasskey(server: WebAuthnTestServer, client: StepupClient, customerId: string, authenticator: SoftAuthenticator, options: { payment?: boolean } = {}): Promise<string> {
  const link = await registrationLink(client, customerId);
  const creation = await postPage(server, link.url, '/options', { payment: options.payment ?? false });
  if (creation.status !== 200) throw new Error(`options: ${creation.status} ${JSON.stringify(creation.body)}`);
  const verified = await postPage(server, link.url, '/verify', { response: authenticator.register(creation.body) });
  if (verified.status !== 201) throw new Error(`verify: ${verified.status} ${JSON.stringify(verified.body)}`);
  return verified.body.credentialId;
}

export function newAuthenticator(server: WebAuthnTestServer, options: { userVerification?: boolean } = {}): SoftAuthenticator {
  return new SoftAuthenticator({ origin: server.publicBaseUrl, rpId: 'localhost', ...options });
}

/** A transfer above the daily threshold, on the WebAuthn channel. */
export function passkeyTransfer(customerId: string, overrides: { account?: string; amount?: string; payeeName?: string; locale?: string } = {}): Record<string, unknown> {
  return {
    customerId,
    transaction: {
      reference: `TX-${randomBytes(4).toString('hex')}`,
      type: 'transfer',
      amount: { value: overrides.amount ?? '3500000', currency: 'KRW' },
      payee: { name: overrides.payeeName ?? '김철수', bank: '신한은행', account: overrides.account ?? '110-123-456789' },
    },
    channels: ['webauthn'],
    locale: overrides.locale ?? 'ko-KR',
  };
}

export async function createPasskeyChallenge(client: StepupClient, customerId: string, overrides: Parameters<typeof passkeyTransfer>[1] = {}): Promise<any> {
  const created = await client.createChallenge<any>(passkeyTransfer(customerId, overrides));
  if (created.status !== 201) throw new Error(`challenge: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}
