// OpenAPI 3.1 built from the route declarations: what the router validates is what is documented.
import { z } from 'zod';
import type { RouteDefinition } from './route.ts';
import { problemBodySchema } from './schemas.ts';
import { dashboardOperation, operationExamples, withDashboardFigures, type OperationExamples } from './openapi-examples.ts';
import type { ProblemCatalogue } from '../errors/problem.ts';

const toSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;

export const openApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parametersOf(route: RouteDefinition): unknown[] {
  const parameters: unknown[] = [];
  const addObject = (schema: z.ZodType | undefined, location: 'path' | 'query') => {
    if (!schema) return;
    const json = toSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      parameters.push({ name, in: location, required: location === 'path' || (json.required ?? []).includes(name), schema: property });
    }
  };
  addObject(route.params, 'path');
  addObject(route.query, 'query');
  for (const header of route.headers ?? []) {
    parameters.push({ name: header.name, in: 'header', required: header.required, description: header.description, schema: { type: 'string' } });
  }
  return parameters;
}

const securityOf = (route: RouteDefinition) =>
  route.auth.kind === 'bank' ? [{ httpMessageSignature: [] }] : route.auth.kind === 'admin' ? [{ adminBearer: [] }] : [];

/** Events stepup sends to the bank (docs/events.md), documented under OpenAPI 3.1 `webhooks`. */
export type WebhookDeclarations = Record<string, { summary: string; schema: z.ZodType }>;

/**
 * What the modules add beside their routes: their routes' examples, their figures in the tenant
 * dashboard's example (module name → one day's figures), and every problem code the server answers with.
 */
export interface OpenApiAdditions {
  examples?: Record<string, OperationExamples>;
  dashboardFigures?: Record<string, Record<string, number | null>>;
  problemCodes?: ProblemCatalogue;
}

export function buildOpenApi(routes: RouteDefinition[], serverUrl: string, webhooks: WebhookDeclarations = {}, additions: OpenApiAdditions = {}): Record<string, unknown> {
  const allExamples: Record<string, OperationExamples | undefined> = { ...operationExamples, ...additions.examples };
  if (additions.dashboardFigures) allExamples[dashboardOperation] = withDashboardFigures(allExamples[dashboardOperation], additions.dashboardFigures);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    // The Media Type Object's `example` is what Swagger UI shows instead of values made up from the schema.
    const examples = allExamples[`${route.method} ${path}`] ?? {};
    const withExample = (example: unknown) => (example === undefined ? {} : { example });
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema
          ? {
              content: {
                [response.contentType ?? (Number(status) >= 400 ? 'application/problem+json' : 'application/json')]: {
                  schema: toSchema(response.schema, 'output'),
                  ...withExample(examples.responses?.[status]),
                },
              },
            }
          : {}),
      };
    }
    responses.default = {
      description: 'An RFC 9457 problem with a stable `code`',
      content: { 'application/problem+json': { schema: toSchema(problemBodySchema, 'output') } },
    };
    (paths[path] ??= {})[route.method] = {
      summary: route.summary,
      tags: route.tags,
      operationId: `${route.method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      security: securityOf(route),
      ...(route.auth.kind === 'admin' ? { 'x-required-role': route.auth.role, 'x-tenant-scope': route.auth.tenantScope } : {}),
      parameters: parametersOf(route),
      ...(route.body
        ? { requestBody: { required: !route.body.safeParse(undefined).success, content: { 'application/json': { schema: toSchema(route.body, 'input'), ...withExample(examples.request) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'stepup',
      version: '1.0.0',
      description:
        'Step-up authentication for banks. Bank routes (/v1) are signed with HTTP Message Signatures (RFC 9421); admin routes take a bearer token. See docs/signing-requests.md.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        httpMessageSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'Signature',
          description:
            'RFC 9421: Signature-Input sig1=("@method" "@target-uri" "content-digest");created;nonce;keyid;alg="hmac-sha256"|"ed25519", plus Content-Digest (RFC 9530) on requests with a body.',
        },
        adminBearer: { type: 'http', scheme: 'bearer' },
      },
    },
    paths,
    // The stable `code` of every problem the server can answer with, and what it means (src/server/problem-catalogue.ts).
    ...(additions.problemCodes ? { 'x-problem-codes': additions.problemCodes } : {}),
    webhooks: Object.fromEntries(
      Object.entries(webhooks).map(([type, event]) => [
        type,
        {
          post: {
            summary: event.summary,
            description: 'Signed per Standard Webhooks with the tenant webhook secret (docs/events.md)',
            requestBody: { required: true, content: { 'application/json': { schema: toSchema(event.schema, 'output') } } },
            responses: { '2XX': { description: 'Received; anything else is retried' } },
          },
        },
      ]),
    ),
  };
}
