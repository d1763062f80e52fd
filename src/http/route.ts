// A route is declared once — method, path, who may call it, schemas, handler — and both the
// express router and the OpenAPI document are built from the same declarations.
import type { Request } from 'express';
import type { z } from 'zod';
import { refuseHostileStrings } from './hostile-strings.ts';
import { enforceTenantScope, type AdminTenantScope } from './admin-tenant-scope.ts';

export type AdminRole = 'viewer' | 'operator' | 'policy-admin' | 'superadmin';

export type RouteAuth =
  | { kind: 'public' }
  | { kind: 'bank' }
  | { kind: 'admin'; role: AdminRole; tenantScope: AdminTenantScope };

export interface BankPrincipal {
  tenantId: string;
  keyId: string;
}

export interface AdminPrincipal {
  tokenId: string;
  role: AdminRole;
  actor: string;
  /** The one tenant this token may see and change; null for a global token (docs/admin-api.md). */
  tenantId: string | null;
}

export interface HandlerInput<Body, Query, Params> {
  body: Body;
  query: Query;
  params: Params;
  headers: Request['headers'];
  bank: BankPrincipal | undefined;
  admin: AdminPrincipal | undefined;
  requestId: string;
}

export interface HandlerOutput {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
  /**
   * A customer the bank's request named that stepup knows nothing to verify with (never enrolled):
   * counted for the key's enumeration signal (docs/security.md "Key protections"), never sent.
   */
  unknownCustomer?: string | undefined;
}

export interface RouteDefinition<
  B extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express-style path (`/v1/challenges/:id`). */
  path: string;
  auth: RouteAuth;
  summary: string;
  tags: string[];
  body?: B;
  query?: Q;
  params?: P;
  /** Extra request headers documented in OpenAPI (e.g. Idempotency-Key, If-Match). */
  headers?: { name: string; required: boolean; description: string }[];
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  handler: (input: HandlerInput<z.output<B>, z.output<Q>, z.output<P>>) => Promise<HandlerOutput>;
}

/**
 * Every route goes through here, so no route can forget what all of them need: its body, query and
 * path schemas refuse strings no column can hold (NUL, lone surrogates; docs/admin-api.md), and
 * admin routes hold tenant-scoped tokens to their tenant.
 */
export const defineRoute = <B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  route: RouteDefinition<B, Q, P>,
): RouteDefinition => {
  const declared = enforceTenantScope(route as unknown as RouteDefinition);
  return {
    ...declared,
    ...(declared.body ? { body: refuseHostileStrings(declared.body) } : {}),
    ...(declared.query ? { query: refuseHostileStrings(declared.query) } : {}),
    ...(declared.params ? { params: refuseHostileStrings(declared.params) } : {}),
  };
};
