// Active console sessions (docs/console.md "Sessions"): a superadmin lists them (who, started, last seen,
// client network; never a token or cookie) and ends one; the ended session's very next request is 401,
// on another API process too (sessions live in Redis). Tenant-scoped superadmins see and end only their
// tenant's sessions; lower roles neither. Ending is audited.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, startTwinApiServer, type TestServer } from '../support/test-server.ts';
import { signIn } from './console-client.ts';
import { ConsoleSessions, publicSessionId } from '../../src/console/console-sessions.ts';
import type { Db } from '../../src/storage/db.ts';

interface ListedSession {
  id: string;
  tokenId: string;
  actor: string;
  role: string;
  tenantId: string | null;
  startedAt: string;
  lastSeenAt: string;
  startedFrom: string;
  lastSeenFrom: string;
  current: boolean;
}

describe('console sessions: list and end', () => {
  let first: TestServer;
  let second: TestServer;
  let tenantA: string;
  let tenantB: string;

  before(async () => {
    first = await startTestServer({ db: 'postgres' });
    // A second API process on the same PostgreSQL database and Redis deployment.
    second = await startTwinApiServer(first);
    tenantA = (await first.admin('POST', '/admin/v1/tenants', { name: 'Session Bank A' })).body.id;
    tenantB = (await first.admin('POST', '/admin/v1/tenants', { name: 'Session Bank B' })).body.id;
  });
  after(async () => {
    await second?.close();
    await first?.close();
  });

  const token = async (role: string, tenantId?: string) => {
    const issued = await first.admin('POST', '/admin/v1/tokens', { name: `sess-${role}-${Math.random().toString(36).slice(2, 8)}`, role, ...(tenantId ? { tenantId } : {}) });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    return issued.body as { id: string; token: string; name: string };
  };
  const list = async (as: { call: (method: string, path: string) => Promise<{ status: number; body: any }> }) => {
    const response = await as.call('GET', '/admin/v1/console-sessions');
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body.sessions as ListedSession[];
  };

  test('a superadmin sees who is signed in, with this session marked, and no secret', async () => {
    const operator = await token('operator', tenantA);
    const admin = await signIn(first, first.adminToken);
    const other = await signIn(first, operator.token);
    const sessions = await list(admin);
    const mine = sessions.find((session) => session.current)!;
    assert.ok(mine, 'the calling session is marked');
    assert.equal(mine.actor, 'admin:bootstrap');
    assert.equal(sessions.filter((session) => session.current).length, 1);
    const theirs = sessions.find((session) => session.tokenId === operator.id)!;
    assert.equal(theirs.actor, `admin:${operator.name}`);
    assert.equal(theirs.role, 'operator');
    assert.equal(theirs.tenantId, tenantA);
    assert.equal(theirs.current, false);
    assert.equal(theirs.startedFrom, '127.0.0.0/24');
    assert.equal(theirs.lastSeenFrom, '127.0.0.0/24');
    assert.ok(Date.parse(theirs.startedAt) <= Date.parse(theirs.lastSeenAt));
    assert.match(theirs.id, /^cs_[A-Za-z0-9_-]{16,}$/);
    const text = JSON.stringify(sessions);
    for (const secret of [first.adminToken, operator.token, admin.cookie.split('=')[1]!, other.cookie.split('=')[1]!, admin.csrfToken, other.csrfToken]) assert.ok(!text.includes(secret), 'no token, cookie or CSRF token listed');
    // The same list by Bearer token: no session is "current" then.
    const byBearer = await first.admin('GET', '/admin/v1/console-sessions');
    assert.equal(byBearer.status, 200);
    assert.ok(byBearer.body.sessions.every((session: ListedSession) => !session.current));
  });

  test('ending a session: its next request is 401 at once, on the other process too; audited', async () => {
    const viewer = await token('viewer', tenantA);
    const admin = await signIn(first, first.adminToken);
    const victim = await signIn(first, viewer.token);
    // The session works on both processes (one Redis).
    assert.equal((await fetch(`${second.url}/admin/v1/tenants/${tenantA}`, { headers: { cookie: victim.cookie } })).status, 200);
    const target = (await list(admin)).find((session) => session.tokenId === viewer.id)!;
    const ended = await admin.call('DELETE', `/admin/v1/console-sessions/${target.id}`);
    assert.equal(ended.status, 204, JSON.stringify(ended.body));
    const next = await fetch(`${second.url}/admin/v1/tenants/${tenantA}`, { headers: { cookie: victim.cookie } });
    assert.equal(next.status, 401);
    assert.equal(((await next.json()) as { code: string }).code, 'unauthorized');
    assert.equal((await fetch(`${second.url}/admin/session`, { headers: { cookie: victim.cookie } })).status, 401, 'the console page falls back to sign-in');
    assert.equal((await victim.call('GET', `/admin/v1/tenants/${tenantA}`)).status, 401);
    assert.ok(!(await list(admin)).some((session) => session.id === target.id), 'no longer listed');
    assert.equal((await admin.call('DELETE', `/admin/v1/console-sessions/${target.id}`)).status, 404, 'ended once');
    const audit = await first.admin('GET', `/admin/v1/audit?action=console.session_ended&subject=${target.id}`);
    assert.equal(audit.body.entries.length, 1);
    assert.equal(audit.body.entries[0].actor, 'admin:bootstrap');
    assert.equal(audit.body.entries[0].tenantId, tenantA);
    assert.deepEqual(audit.body.entries[0].data, { tokenId: viewer.id, actor: `admin:${viewer.name}` });
    // The admin's own session is untouched.
    assert.equal((await admin.call('GET', '/admin/v1/tenants')).status, 200);
  });

  test("a tenant's superadmin sees and ends only its tenant's sessions; lower roles cannot list or end", async () => {
    const scopedAdmin = await signIn(first, (await token('superadmin', tenantA)).token);
    const inA = await signIn(first, (await token('viewer', tenantA)).token);
    const inB = await signIn(first, (await token('viewer', tenantB)).token);
    const global = await signIn(first, first.adminToken);
    const seen = await list(scopedAdmin);
    assert.ok(seen.length >= 2);
    assert.ok(seen.every((session) => session.tenantId === tenantA), 'only tenant A sessions');
    const all = await list(global);
    const bSession = all.find((session) => session.tenantId === tenantB)!;
    const globalSession = all.find((session) => session.current)!;
    // Another tenant's session and a global one: the same 404 as one that does not exist.
    for (const id of [bSession.id, globalSession.id, 'cs_AAAAAAAAAAAAAAAAAAAAAAAA']) assert.equal((await scopedAdmin.call('DELETE', `/admin/v1/console-sessions/${id}`)).status, 404, id);
    const policyAdmin = await signIn(first, (await token('policy-admin')).token);
    assert.equal((await policyAdmin.call('GET', '/admin/v1/console-sessions')).status, 403);
    assert.equal((await policyAdmin.call('DELETE', `/admin/v1/console-sessions/${bSession.id}`)).status, 403);
    assert.equal((await inA.call('GET', '/admin/v1/console-sessions')).status, 403);
    assert.equal((await inB.call('GET', `/admin/v1/tenants/${tenantB}`)).status, 200, 'still signed in');

    const aSession = seen.find((session) => !session.current && session.role === 'viewer')!;
    assert.equal((await scopedAdmin.call('DELETE', `/admin/v1/console-sessions/${aSession.id}`)).status, 204);
    // Malformed ids never reach Redis.
    assert.equal((await global.call('DELETE', '/admin/v1/console-sessions/not-an-id')).status, 404);
  });

  test('a request in flight while its session is ended does not bring the session back', async () => {
    const { context } = first.running;
    const { config } = first;
    // The request's session check waits on the token look-up while an admin ends the session.
    let reached!: () => void;
    let release!: () => void;
    const atLookup = new Promise<void>((resolve) => (reached = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const db = new Proxy(context.db, {
      get(target, property, receiver) {
        if (property === 'query') {
          return async (sql: string, params?: unknown[]) => {
            if (/FROM admin_tokens WHERE id/.test(sql)) {
              reached();
              await gate;
            }
            return target.query(sql, params as never);
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Db;
    const sessions = new ConsoleSessions({ redis: context.redis, db, keyPrefix: config.queuePrefix, idleTimeoutMs: 60_000, absoluteTimeoutMs: 60_000, bootstrapToken: config.adminToken });
    const viewer = await token('viewer', tenantA);
    const { sessionId } = await sessions.create({ tokenId: viewer.id, role: 'viewer', actor: `admin:${viewer.name}`, tenantId: tenantA }, viewer.token, '127.0.0.1');
    const inFlight = sessions.resume(sessionId, '127.0.0.1');
    await atLookup;
    assert.ok(await sessions.end(publicSessionId(sessionId), { tenantId: null }), 'ended while the request is in flight');
    release();
    assert.equal(await inFlight, undefined, 'the request in flight is refused');
    assert.equal(await sessions.resume(sessionId), undefined, 'and the session stays ended');
    assert.ok(!(await sessions.list({ tenantId: null })).some((session) => session.id === publicSessionId(sessionId)));
  });
});
