// Admin API for a tenant's carrier gateway (docs/number-vetting.md, docs/admin-api.md): PUT (policy-admin; the URL SSRF-vetted;
// the secret write-only, or generated and shown once), GET (never the secret), DELETE. Audited.
import { z } from 'zod';
import type { Db, Queryable } from '../../storage/db.ts';
import type { TenantStore } from '../../tenants/tenant-store.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { assertCallbackUrlAllowed } from '../../events/callback-url-guard.ts';
import { ProblemError, notFound } from '../../errors/problem.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { tenantIdParams } from '../../http/routes/tenant-admin-routes.ts';
import { generateGatewaySecret, type CarrierGateway, type CarrierGatewayStore } from './carrier-gateway-store.ts';

export const defaultGatewayTimeoutMs = 2000;

/** Standard Webhooks secret: `whsec_` + base64 of 24–64 bytes. */
const gatewaySecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'whsec_ followed by base64')
  .refine((value) => {
    const bytes = Buffer.from(value.slice('whsec_'.length), 'base64').length;
    return bytes >= 24 && bytes <= 64;
  }, 'the secret must hold 24 to 64 bytes');

const gatewayInput = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).max(2048).describe('https; plain http only to loopback when the server and tenant allow loopback callbacks'),
    timeoutMs: z.number().int().min(100).max(10_000).default(defaultGatewayTimeoutMs).describe('After this the answer is unknown'),
    enabled: z.boolean().default(true),
    secret: gatewaySecret.optional().describe('Write-only signing secret; when absent one is generated on first configuration and returned once'),
    rotateSecret: z.boolean().optional().describe('Generate a new secret (returned once)'),
  })
  .refine((input) => !(input.secret && input.rotateSecret), { message: 'give a secret or ask to rotate, not both', path: ['rotateSecret'] });

const gatewayView = z.object({ url: z.string(), timeoutMs: z.number().int(), enabled: z.boolean(), createdAt: z.string(), updatedAt: z.string() });
const show = (gateway: CarrierGateway) => ({
  url: gateway.url,
  timeoutMs: gateway.timeoutMs,
  enabled: gateway.enabled,
  createdAt: gateway.createdAt.toISOString(),
  updatedAt: gateway.updatedAt.toISOString(),
});

export interface CarrierGatewayRoutesDeps {
  db: Db;
  tenants: TenantStore;
  gateways: CarrierGatewayStore;
  allowLoopbackCallbacks: boolean;
}

export function carrierGatewayRoutes(deps: CarrierGatewayRoutesDeps): RouteDefinition[] {
  const { db, gateways } = deps;
  const requireTenant = async (id: string) => {
    const tenant = await deps.tenants.get(id);
    if (!tenant) throw notFound('tenant');
    return tenant;
  };
  const audit = (tx: Queryable, tenantId: string, actor: string, action: string, data: Record<string, unknown>) =>
    appendAudit(tx, { tenantId, actor, action, subject: tenantId, data });
  const path = '/admin/v1/tenants/:id/carrier-gateway';
  const tags = ['admin: number intelligence'];

  return [
    defineRoute({
      method: 'put',
      path,
      auth: { kind: 'admin', role: 'policy-admin', tenantScope: 'path' },
      summary: "Configure the tenant's carrier gateway for forwarding inquiries (contract: docs/carrier-gateway.md)",
      tags,
      params: tenantIdParams,
      body: gatewayInput,
      responses: {
        200: { description: 'The gateway; `secret` only when stepup generated it (shown once)', schema: gatewayView.extend({ secret: z.string().optional() }) },
      },
      handler: async ({ params, body, admin }) => {
        const tenant = await requireTenant(params.id);
        try {
          assertCallbackUrlAllowed(body.url, { allowLoopback: deps.allowLoopbackCallbacks && tenant.allowLoopbackCallbacks });
        } catch (error) {
          if (error instanceof ProblemError) throw new ProblemError(error.code, error.detail?.replace('callbackUrl', 'url'), undefined, { status: error.status, title: error.title });
          throw error;
        }
        const generated = body.secret === undefined;
        const secret = body.secret ?? generateGatewaySecret();
        const result = await db.tx(async (tx) => {
          const stored = await gateways.put(tx, params.id, {
            url: body.url,
            timeoutMs: body.timeoutMs,
            enabled: body.enabled,
            secret,
            replaceSecret: body.secret !== undefined || body.rotateSecret === true,
          });
          await audit(tx, params.id, admin!.actor, 'carrier_gateway.updated', {
            host: new URL(body.url).host,
            timeoutMs: body.timeoutMs,
            enabled: body.enabled,
            secretChanged: stored.secretStored,
          });
          return stored;
        });
        return { status: 200, body: { ...show(result.gateway), ...(generated && result.secretStored ? { secret } : {}) } };
      },
    }),
    defineRoute({
      method: 'get',
      path,
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: "The tenant's carrier gateway (never its secret)",
      tags,
      params: tenantIdParams,
      responses: { 200: { description: 'The gateway', schema: gatewayView } },
      handler: async ({ params }) => {
        await requireTenant(params.id);
        const gateway = await gateways.get(params.id);
        if (!gateway) throw notFound('carrier gateway');
        return { status: 200, body: show(gateway) };
      },
    }),
    defineRoute({
      method: 'delete',
      path,
      auth: { kind: 'admin', role: 'policy-admin', tenantScope: 'path' },
      summary: "Remove the tenant's carrier gateway (vetting then relies on the other sources)",
      tags,
      params: tenantIdParams,
      responses: { 204: { description: 'Removed' } },
      handler: async ({ params, admin }) => {
        await requireTenant(params.id);
        const deleted = await db.tx(async (tx) => {
          const done = await gateways.delete(tx, params.id);
          if (done) await audit(tx, params.id, admin!.actor, 'carrier_gateway.deleted', {});
          return done;
        });
        if (!deleted) throw notFound('carrier gateway');
        return { status: 204 };
      },
    }),
  ];
}
