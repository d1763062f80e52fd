import { z } from 'zod';
import type { Db } from '../../storage/db.ts';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { ReceiptSigner } from '../../receipts/receipt-signer.ts';
import { ProblemError } from '../../errors/problem.ts';
import { constantTimeEqual } from '../../crypto/hashing.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stepup API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`;

/** What GET / points to: the places a newcomer (or an API client) looks for first. */
const serviceLinks = {
  docs: { href: '/docs', title: 'API documentation' },
  openapi: { href: '/openapi.json', title: 'OpenAPI 3.1 document' },
  health: { href: '/healthz', title: 'Liveness' },
  ready: { href: '/readyz', title: 'Readiness (database and Redis)' },
  jwks: { href: '/.well-known/jwks.json', title: 'Keys that verify challenge receipts' },
  console: { href: '/admin', title: 'Admin console' },
};

const indexPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>stepup</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>stepup</h1>
<p>Step-up authentication for banks: a bank's backend asks whether a risky transaction needs an extra
verification, and stepup verifies the customer by ARS voice call, passkey or transaction-linked OTP.</p>
<ul>
${Object.values(serviceLinks).map((link) => `<li><a href="${link.href}">${link.title}</a> <code>${link.href}</code></li>`).join('\n')}
</ul>
</body></html>`;

const docsInit = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });`;

export function opsRoutes(deps: { db: Db; dbStuckAfterMs: number; redis: Redis; registry: Registry; metricsToken: string | undefined; receipts: ReceiptSigner; openApi: () => Record<string, unknown> }): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/',
      auth: { kind: 'public' },
      summary: 'What this service is, and links to its documentation (HTML, or JSON for Accept: application/json)',
      tags: ['operations'],
      responses: {
        200: {
          description: 'A small page, or JSON for API clients',
          schema: z.object({ service: z.literal('stepup'), links: z.record(z.string(), z.object({ href: z.string(), title: z.string() })) }),
        },
      },
      handler: async ({ headers }) => {
        const accept = headers.accept ?? '';
        const wantsJson = /application\/(.+\+)?json/.test(accept) && !/text\/html/.test(accept);
        return wantsJson ? { status: 200, body: { service: 'stepup', links: serviceLinks } } : { status: 200, body: indexPage, contentType: 'text/html' };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/healthz',
      auth: { kind: 'public' },
      summary: 'The process is up',
      tags: ['operations'],
      responses: { 200: { description: 'Up', schema: z.object({ status: z.literal('ok') }) } },
      handler: async () => ({ status: 200, body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      auth: { kind: 'public' },
      summary: 'The database and Redis are reachable',
      tags: ['operations'],
      responses: { 200: { description: 'Ready', schema: z.object({ status: z.literal('ready'), database: z.string(), redis: z.string() }) } },
      handler: async () => {
        const withTimeout = <T>(promise: Promise<T>) =>
          Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
        const [database, redis] = await Promise.allSettled([withTimeout(deps.db.ping()), withTimeout(deps.redis.ping())]);
        // Reachable is not enough: a statement pending for longer than the bound (a lock held
        // forever, a session waiting on itself) means requests hang, so the process is not ready.
        const pendingMs = deps.db.pendingForMs();
        const databaseState =
          pendingMs > deps.dbStuckAfterMs ? `stuck (a query pending for ${(pendingMs / 1000).toFixed(1)} s)` : database.status === 'fulfilled' ? 'ok' : 'unreachable';
        if (databaseState !== 'ok' || redis.status === 'rejected') {
          throw new ProblemError('service_unavailable', `database: ${databaseState}, redis: ${redis.status === 'fulfilled' ? 'ok' : 'unreachable'}`);
        }
        return { status: 200, body: { status: 'ready', database: deps.db.kind, redis: 'ok' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      auth: { kind: 'public' },
      summary: 'Prometheus metrics (Authorization: Bearer METRICS_TOKEN; 404 when METRICS_TOKEN is not set)',
      tags: ['operations'],
      responses: {
        200: { description: 'Prometheus text format', schema: z.string(), contentType: 'text/plain' },
        401: { description: 'No or wrong METRICS_TOKEN' },
        404: { description: 'METRICS_TOKEN is not set: metrics are not served' },
      },
      handler: async ({ headers }) => {
        // Business counters (approvals, fraud reports) are not for the public: a scrape token or nothing.
        if (!deps.metricsToken) throw new ProblemError('not_found', 'No route for GET /metrics');
        const presented = /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1] ?? '';
        if (!constantTimeEqual(presented, deps.metricsToken)) {
          throw new ProblemError('unauthorized', 'A bearer token is required');
        }
        return { status: 200, body: await deps.registry.metrics(), contentType: deps.registry.contentType };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      auth: { kind: 'public' },
      summary: 'This document (OpenAPI 3.1)',
      tags: ['operations'],
      responses: { 200: { description: 'OpenAPI 3.1', schema: z.record(z.string(), z.unknown()) } },
      handler: async () => ({ status: 200, body: deps.openApi() }),
    }),
    defineRoute({
      method: 'get',
      path: '/docs',
      auth: { kind: 'public' },
      summary: 'The OpenAPI document, rendered',
      tags: ['operations'],
      responses: { 200: { description: 'HTML', schema: z.string(), contentType: 'text/html' } },
      handler: async () => ({ status: 200, body: docsPage, contentType: 'text/html' }),
    }),
    defineRoute({
      method: 'get',
      path: '/docs/init.js',
      auth: { kind: 'public' },
      summary: 'Script of the rendered documentation page',
      tags: ['operations'],
      responses: { 200: { description: 'JavaScript', schema: z.string(), contentType: 'text/javascript' } },
      handler: async () => ({ status: 200, body: docsInit, contentType: 'text/javascript' }),
    }),
    defineRoute({
      method: 'get',
      path: '/.well-known/jwks.json',
      auth: { kind: 'public' },
      summary: 'Public keys that verify challenge receipts (current and retired)',
      tags: ['receipts'],
      responses: { 200: { description: 'JWK Set', schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) } },
      handler: async () => ({ status: 200, body: await deps.receipts.jwks(), headers: { 'cache-control': 'public, max-age=300' } }),
    }),
  ];
}
