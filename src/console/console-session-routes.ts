// Who is signed in to the console, and ending a session (docs/admin-api.md "Console sessions"):
// superadmins only; a tenant's superadmin sees and ends only sessions of tokens scoped to its tenant.
// The list never holds a token, cookie or CSRF token; the session making the call is marked `current`.
import { z } from 'zod';
import type { Db } from '../storage/db.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { notFound } from '../errors/problem.ts';
import { headerText } from '../http/answer-text.ts';
import { defineRoute, type RouteDefinition } from '../http/route.ts';
import { publicSessionId, publicSessionIdPattern, type ConsoleSessions } from './console-sessions.ts';
import { readSessionCookie } from './console-cookie.ts';

const listedSession = z.object({
  id: z.string().describe('The public id of the session (not its cookie)'),
  tokenId: z.string(),
  actor: z.string().describe("The admin token's name, as audit entries show it"),
  role: z.string(),
  tenantId: z.string().nullable(),
  startedAt: z.string(),
  lastSeenAt: z.string(),
  startedFrom: z.string().describe("The client address's /24 (IPv4) or /64 (IPv6) at sign-in"),
  lastSeenFrom: z.string().describe('The same at its latest request'),
  current: z.boolean().describe('Whether this is the session making the request'),
});

export function consoleSessionRoutes(deps: { db: Db; sessions: ConsoleSessions }): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/admin/v1/console-sessions',
      auth: { kind: 'admin', role: 'superadmin', tenantScope: 'filtered' },
      summary: "Live console sessions, most recently seen first: who, since when, from which network. A tenant-scoped token sees its tenant's sessions only",
      tags: ['admin: tokens'],
      responses: { 200: { description: 'Sessions', schema: z.object({ sessions: z.array(listedSession) }) } },
      handler: async ({ admin, headers }) => {
        // The calling session, when the call is made with one (no Authorization header wins over it).
        const cookie = headers.authorization === undefined ? readSessionCookie(headerText(headers, 'cookie')) : undefined;
        const current = cookie ? publicSessionId(cookie) : undefined;
        const sessions = await deps.sessions.list({ tenantId: admin!.tenantId });
        return { status: 200, body: { sessions: sessions.map((session) => ({ ...session, current: session.id === current })) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/admin/v1/console-sessions/:sessionId',
      auth: { kind: 'admin', role: 'superadmin', tenantScope: 'filtered' },
      summary: "End a console session at once, on every API process: its next request is 401 and its page shows the sign-in form. Another tenant's session is 404 to a tenant-scoped token",
      tags: ['admin: tokens'],
      params: z.strictObject({ sessionId: z.string().regex(publicSessionIdPattern) }),
      responses: { 204: { description: 'Ended' } },
      handler: async ({ params, admin }) => {
        const ended = await deps.sessions.end(params.sessionId, { tenantId: admin!.tenantId });
        if (!ended) throw notFound('console session');
        await appendAudit(deps.db, { tenantId: ended.tenantId, actor: admin!.actor, action: 'console.session_ended', subject: ended.id, data: { tokenId: ended.tokenId, actor: ended.actor } });
        return { status: 204 };
      },
    }),
  ];
}
