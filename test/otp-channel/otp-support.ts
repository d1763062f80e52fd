// Helpers for OTP channel tests: RFC test keys as hex, and challenges routed to the OTP channel.
import { randomBytes } from 'node:crypto';
import type { StepupClient } from '../../src/client/stepup-client.ts';
import type { TestServer } from '../support/test-server.ts';

export const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** A transfer that needs step-up (above the daily threshold) on the OTP channel, paying `account`. */
export function otpTransfer(customerId: string, account: string, amount = '3500000'): Record<string, unknown> {
  return {
    customerId,
    transaction: {
      reference: `TX-${randomBytes(4).toString('hex')}`,
      type: 'transfer',
      amount: { value: amount, currency: 'KRW' },
      payee: { name: '김철수', bank: '신한은행', account },
    },
    channels: ['otp'],
  };
}

export async function createOtpChallenge(client: StepupClient, customerId: string, account: string, amount?: string): Promise<any> {
  const created = await client.createChallenge<any>(otpTransfer(customerId, account, amount));
  if (created.status !== 201) throw new Error(`challenge: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

export async function importToken(client: StepupClient, customerId: string, body: Record<string, unknown>): Promise<any> {
  const created = await client.createOtpToken<any>(customerId, body);
  if (created.status !== 201) throw new Error(`token: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

/**
 * Lets the tenant import OCRA tokens that bind the payee only (`channels.otp.allowPayeeOnlyTokens`,
 * off by default): the QN08 suites and the payee_account derivation these suites exercise.
 */
export async function allowPayeeOnlyTokens(server: TestServer, tenantId: string): Promise<void> {
  const current = await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`);
  const document = { ...current.body.document, channels: { ...current.body.document.channels, otp: { ...current.body.document.channels.otp, allowPayeeOnlyTokens: true } } };
  const written = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/policy`, document, { 'if-match': `"v${current.body.version}"` });
  if (written.status !== 200) throw new Error(`policy: ${written.status} ${JSON.stringify(written.body)}`);
}

/** A tenant (server.createTenant) whose policy allows payee-only tokens. */
export async function payeeOnlyTenant(server: TestServer, input: Record<string, unknown> = {}): ReturnType<TestServer['createTenant']> {
  const tenant = await server.createTenant(input);
  await allowPayeeOnlyTokens(server, tenant.tenantId);
  return tenant;
}
