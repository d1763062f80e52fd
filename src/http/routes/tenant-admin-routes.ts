import { z } from 'zod';
import type { Db } from '../../storage/db.ts';
import type { TenantStore, Tenant, ApiKeyRecord, KeyProtections } from '../../tenants/tenant-store.ts';
import { canonicalNetwork } from '../../auth/key-networks.ts';
import type { DeliveryStore } from '../../events/delivery-store.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { assertCallbackUrlAllowed } from '../../events/callback-url-guard.ts';
import { notFound, ProblemError } from '../../errors/problem.ts';
import type { Clock } from '../../time/clock.ts';
import { loosensPolicyApproval, policyApprovalSchema } from '../../policy-approval/policy-approval-setting.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';
import type { BankNameLocale } from '../../tenants/bank-name.ts';

export const tenantIdParams = z.strictObject({ id: z.string().regex(/^ten_[A-Za-z0-9_-]{8,32}$/) });
const bankNameText = z.string().min(1).max(100);
const bankNames = z
  .strictObject({ 'ko-KR': bankNameText.optional(), 'en-US': bankNameText.optional() } satisfies Record<BankNameLocale, unknown>)
  .describe('The bank\'s name per call locale, e.g. {"ko-KR": "스텝업은행", "en-US": "Stepup Bank"}; a locale without one is greeted with bankName. On change, replaces the whole map ({} clears it)');
const tenantView = z.object({ id: z.string(), name: z.string(), bankName: z.string(), bankNames: z.record(z.string(), z.string()), defaultCallbackUrl: z.string().nullable(), securityCallbackUrl: z.string().nullable(), allowLoopbackCallbacks: z.boolean(), policyApproval: policyApprovalSchema, createdAt: z.string() });
const showTenant = (tenant: Tenant) => ({ ...tenant, createdAt: tenant.createdAt.toISOString() });
const callbackUrl = z.url({ protocol: /^https?$/ }).max(2048);

const tenantInput = z.strictObject({
  name: z.string().min(1).max(100),
  bankName: bankNameText.optional().describe('Spoken in the call greeting when bankNames has no name for the call\'s locale; defaults to name'),
  bankNames: bankNames.optional(),
  defaultCallbackUrl: callbackUrl.nullable().optional(),
  securityCallbackUrl: callbackUrl
    .nullable()
    .optional()
    .describe('Where security.key_anomaly events go (docs/events.md), e.g. the bank\'s security operations; null or absent: defaultCallbackUrl'),
  allowLoopbackCallbacks: z.boolean().optional().describe('Allow http://127.0.0.1 callbacks (development only; the server must also set ALLOW_LOOPBACK_CALLBACKS)'),
  policyApproval: policyApprovalSchema
    .optional()
    .describe('Maker-checker for policy changes (docs/admin-api.md); on for new tenants: {"required": true, "approvals": 1, "expiresAfterSeconds": 86400}. Loosening it takes a global superadmin'),
});

const allowedNetworks = z
  .array(z.string().max(64).refine((text) => canonicalNetwork(text) !== null, 'not an IPv4 or IPv6 address or CIDR network'))
  .min(1)
  .max(100)
  .describe('IPv4 and IPv6 networks (CIDR, or a bare address) the key may be used from; with TRUST_PROXY, the client address the proxy names. Null or absent: anywhere');
const keyExpiresAt = z.iso.datetime({ offset: true }).describe('The key is refused from this time on (RFC 3339)');
const keyProtections = { allowedNetworks: allowedNetworks.nullable().optional(), expiresAt: keyExpiresAt.nullable().optional() };
const keyInput = z.union([
  z.strictObject({ alg: z.literal('hmac-sha256').optional(), ...keyProtections }),
  z.strictObject({ alg: z.literal('ed25519'), publicKeyPem: z.string().min(40).max(1000), ...keyProtections }),
]);
const keyView = z.object({
  keyId: z.string(),
  alg: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  allowedNetworks: z.array(z.string()).nullable(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable().describe('To the minute'),
  lastUsedFrom: z.string().nullable().describe('The client address of that use'),
  suspendedAt: z.string().nullable().describe('Refused like a revoked key since then, until an admin restores it'),
  suspendedBy: z.string().nullable().describe('The signal that suspended it (rate_spike, customer_enumeration) or admin'),
});
const showKey = (key: ApiKeyRecord) => ({
  keyId: key.keyId,
  alg: key.alg,
  createdAt: key.createdAt.toISOString(),
  revokedAt: key.revokedAt?.toISOString() ?? null,
  allowedNetworks: key.allowedNetworks,
  expiresAt: key.expiresAt?.toISOString() ?? null,
  lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  lastUsedFrom: key.lastUsedFrom,
  suspendedAt: key.suspendedAt?.toISOString() ?? null,
  suspendedBy: key.suspendedBy,
});
/** Canonical networks and a Date from validated input; undefined stays undefined (unchanged). */
const protectionsOf = (input: { allowedNetworks?: string[] | null | undefined; expiresAt?: string | null | undefined; suspended?: boolean | undefined }): KeyProtections => ({
  ...(input.suspended !== undefined ? { suspended: input.suspended } : {}),
  ...(input.allowedNetworks !== undefined ? { allowedNetworks: input.allowedNetworks === null ? null : [...new Set(input.allowedNetworks.map((text) => canonicalNetwork(text)!))] } : {}),
  ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt === null ? null : new Date(input.expiresAt) } : {}),
});
const keyParams = z.strictObject({ id: tenantIdParams.shape.id, keyId: z.string().regex(/^key_[A-Za-z0-9_-]{8,32}$/) });

export function tenantAdminRoutes(deps: {
  db: Db;
  tenants: TenantStore;
  deliveries: DeliveryStore;
  allowLoopbackCallbacks: boolean;
  clock: Clock;
  /** A suspended key was restored: its strong signals start afresh (KeyUsage.forgetStrongSignals). */
  onKeyRestored?: (keyId: string) => Promise<void>;
}): RouteDefinition[] {
  const { db, tenants, clock } = deps;
  const audit = (tx: Parameters<typeof appendAudit>[0], tenantId: string, actor: string, action: string, data: Record<string, unknown> = {}) =>
    appendAudit(tx, { tenantId, actor, action, subject: tenantId, data });
  const requireTenant = async (id: string) => {
    const tenant = await tenants.get(id);
    if (!tenant) throw notFound('tenant');
    return tenant;
  };
  const checkCallback = (url: string | null | undefined, allowLoopback: boolean | undefined) => {
    if (url) assertCallbackUrlAllowed(url, { allowLoopback: deps.allowLoopbackCallbacks && (allowLoopback ?? false) });
  };

  return [
    defineRoute({
      method: 'post',
      path: '/admin/v1/tenants',
      auth: { kind: 'admin', role: 'superadmin', tenantScope: 'global' },
      summary: 'Create a tenant (one bank or bank environment); the webhook secret is shown once',
      tags: ['admin: tenants'],
      body: tenantInput,
      responses: { 201: { description: 'The tenant and its Standard Webhooks secret', schema: tenantView.extend({ webhookSecret: z.string() }) } },
      handler: async ({ body, admin }) => {
        checkCallback(body.defaultCallbackUrl, body.allowLoopbackCallbacks);
        checkCallback(body.securityCallbackUrl, body.allowLoopbackCallbacks);
        const created = await db.tx(async (tx) => {
          const result = await tenants.create(tx, body);
          await audit(tx, result.tenant.id, admin!.actor, 'tenant.created', { name: body.name });
          return result;
        });
        return { status: 201, body: { ...showTenant(created.tenant), webhookSecret: created.webhookSecret } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'global' },
      summary: 'List tenants',
      tags: ['admin: tenants'],
      responses: { 200: { description: 'Tenants', schema: z.object({ tenants: z.array(tenantView) }) } },
      handler: async () => ({ status: 200, body: { tenants: (await tenants.list()).map(showTenant) } }),
    }),
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants/:id',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: 'Read a tenant',
      tags: ['admin: tenants'],
      params: tenantIdParams,
      responses: { 200: { description: 'The tenant', schema: tenantView } },
      handler: async ({ params }) => ({ status: 200, body: showTenant(await requireTenant(params.id)) }),
    }),
    defineRoute({
      method: 'put',
      path: '/admin/v1/tenants/:id',
      auth: { kind: 'admin', role: 'superadmin', tenantScope: 'path' },
      summary: 'Change a tenant',
      tags: ['admin: tenants'],
      params: tenantIdParams,
      body: tenantInput.partial(),
      responses: { 200: { description: 'The tenant', schema: tenantView } },
      handler: async ({ params, body, admin }) => {
        const current = await requireTenant(params.id);
        checkCallback(body.defaultCallbackUrl, body.allowLoopbackCallbacks ?? current.allowLoopbackCallbacks);
        checkCallback(body.securityCallbackUrl, body.allowLoopbackCallbacks ?? current.allowLoopbackCallbacks);
        // A tenant's own superadmin cannot lift the dual control that holds its own admins.
        const loosens = body.policyApproval !== undefined && loosensPolicyApproval(current.policyApproval, body.policyApproval);
        if (loosens && admin!.tenantId !== null) throw new ProblemError('forbidden', 'Only a global superadmin can loosen maker-checker for policy');
        const updated = await db.tx(async (tx) => {
          const tenant = await tenants.update(tx, params.id, body);
          const approvalChange = body.policyApproval === undefined ? {} : { policyApproval: { before: current.policyApproval, after: body.policyApproval, loosens } };
          await audit(tx, params.id, admin!.actor, 'tenant.updated', { fields: Object.keys(body), ...approvalChange });
          return tenant;
        });
        return { status: 200, body: showTenant(updated!) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/v1/tenants/:id/webhook-secret',
      auth: { kind: 'admin', role: 'superadmin', tenantScope: 'path' },
      summary: 'Rotate the tenant webhook secret (shown once)',
      tags: ['admin: tenants'],
      params: tenantIdParams,
      responses: { 201: { description: 'The new secret', schema: z.object({ webhookSecret: z.string() }) } },
      handler: async ({ params, admin }) => {
        await requireTenant(params.id);
        const webhookSecret = await db.tx(async (tx) => {
          const secret = await tenants.rotateWebhookSecret(tx, params.id);
          await audit(tx, params.id, admin!.actor, 'tenant.webhook_secret_rotated');
          return secret;
        });
        return { status: 201, body: { webhookSecret } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/v1/tenants/:id/keys',
      auth: { kind: 'admin', role: 'superadmin', tenantScope: 'path' },
      summary: 'Issue an API key: HMAC (the secret is shown once) or register an Ed25519 public key; optionally limited to networks and a lifetime',
      tags: ['admin: keys'],
      params: tenantIdParams,
      body: keyInput,
      responses: {
        201: {
          description: 'The key',
          schema: keyView.extend({ secret: z.string().optional(), publicKeyPem: z.string().optional() }),
        },
      },
      handler: async ({ params, body, admin }) => {
        await requireTenant(params.id);
        const protections = protectionsOf(body);
        if (protections.expiresAt && protections.expiresAt.getTime() <= clock().getTime()) throw new ProblemError('validation_failed', 'expiresAt: must be in the future');
        const created = await db.tx(async (tx) => {
          const result = await tenants.createKey(tx, params.id, { ...(body.alg === 'ed25519' ? { alg: 'ed25519', publicKeyPem: body.publicKeyPem } : { alg: 'hmac-sha256' }), ...protections });
          await audit(tx, params.id, admin!.actor, 'key.created', { keyId: result.key.keyId, alg: result.key.alg, allowedNetworks: result.key.allowedNetworks, expiresAt: result.key.expiresAt });
          return result;
        });
        const { key, secret } = created;
        return { status: 201, body: { ...showKey(key), ...(secret ? { secret } : {}), ...(key.publicKeyPem ? { publicKeyPem: key.publicKeyPem } : {}) } };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/admin/v1/tenants/:id/keys/:keyId',
      auth: { kind: 'admin', role: 'superadmin', tenantScope: 'path' },
      summary: 'Change where a live key may be used from and until when (null clears a limit), suspend or restore it; in force on every API process from the next request',
      tags: ['admin: keys'],
      params: keyParams,
      body: z.strictObject({
        ...keyProtections,
        suspended: z.boolean().optional().describe('false restores a key suspended on a strong signal (docs/security.md "Key protections"); true suspends it by hand'),
      }),
      responses: { 200: { description: 'The key', schema: keyView } },
      handler: async ({ params, body, admin }) => {
        const protections = protectionsOf(body);
        const changed = await db.tx(async (tx) => {
          const result = await tenants.protectKey(tx, params.id, params.keyId, protections);
          if (!result) throw notFound('key');
          const view = (key: ApiKeyRecord) => ({ allowedNetworks: key.allowedNetworks, expiresAt: key.expiresAt });
          if (body.allowedNetworks !== undefined || body.expiresAt !== undefined) {
            await audit(tx, params.id, admin!.actor, 'key.protections_changed', { keyId: params.keyId, before: view(result.before), after: view(result.after) });
          }
          // A suspension or a restore is its own entry: what the admin decided about a security signal.
          const wasSuspended = result.before.suspendedAt !== null;
          if (body.suspended === true && !wasSuspended) await audit(tx, params.id, admin!.actor, 'key.suspended', { keyId: params.keyId, signal: 'admin' });
          if (body.suspended === false && wasSuspended) await audit(tx, params.id, admin!.actor, 'key.restored', { keyId: params.keyId, suspendedBy: result.before.suspendedBy, suspendedAt: result.before.suspendedAt });
          return result;
        });
        // Best effort: without it the key's strong signals stay quiet until their hour has passed.
        if (body.suspended === false && changed.before.suspendedAt !== null) await deps.onKeyRestored?.(params.keyId).catch(() => undefined);
        await tenants.announceKeyRevoked(params.keyId);
        return { status: 200, body: showKey(changed.after) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants/:id/keys',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: 'List API keys (never their secrets)',
      tags: ['admin: keys'],
      params: tenantIdParams,
      responses: { 200: { description: 'Keys, with where and when each was last used', schema: z.object({ keys: z.array(keyView) }) } },
      handler: async ({ params }) => {
        await requireTenant(params.id);
        const keys = await tenants.listKeys(params.id);
        return { status: 200, body: { keys: keys.map(showKey) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/admin/v1/tenants/:id/keys/:keyId',
      auth: { kind: 'admin', role: 'superadmin', tenantScope: 'path' },
      summary: 'Revoke an API key (refused by every API process from the next request)',
      tags: ['admin: keys'],
      params: keyParams,
      responses: { 204: { description: 'Revoked' } },
      handler: async ({ params, admin }) => {
        const revoked = await db.tx(async (tx) => {
          const done = await tenants.revokeKey(tx, params.id, params.keyId);
          if (done) await audit(tx, params.id, admin!.actor, 'key.revoked', { keyId: params.keyId });
          return done;
        });
        if (!revoked) throw notFound('key');
        await tenants.announceKeyRevoked(params.keyId);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants/:id/deliveries',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: 'Event deliveries to the bank, newest first, with their attempts',
      tags: ['admin: events'],
      params: tenantIdParams,
      query: z.strictObject({
        challengeId: z.string().max(64).optional(),
        status: z.enum(['pending', 'delivered', 'failed']).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      responses: { 200: { description: 'Deliveries', schema: z.object({ deliveries: z.array(z.record(z.string(), z.unknown())) }) } },
      handler: async ({ params, query }) => {
        await requireTenant(params.id);
        const rows = await deps.deliveries.listForTenant(params.id, query);
        const deliveries = await Promise.all(
          rows.map(async (row) => ({
            id: row.id,
            challengeId: row.challenge_id,
            type: row.event_type,
            url: row.url,
            status: row.status,
            attempts: await deps.deliveries.attempts(params.id, row.id),
            createdAt: row.created_at.toISOString(),
            deliveredAt: row.delivered_at?.toISOString() ?? null,
          })),
        );
        return { status: 200, body: { deliveries } };
      },
    }),
  ];
}
