// Console sessions (docs/console.md): an admin token is exchanged once for an opaque random session
// id kept in an HttpOnly cookie; Redis holds what the session stands for (token id, role, scope, CSRF
// token), never the token. A session ends after an idle period, after an absolute lifetime, on
// sign-out, as soon as its admin token is revoked, and when an admin ends it (docs/console.md
// "Sessions"): every session has a public id (`cs_…`, derived one way from the cookie's id, so it
// cannot be turned back into a cookie) listed in one Redis hash, public id -> the session's key.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Db } from '../storage/db.ts';
import type { AdminPrincipal } from '../http/route.ts';
import { sha256Hex } from '../crypto/hashing.ts';
import { usageNetworkOf } from '../auth/key-networks.ts';

/** The public id of a session: names it in lists and audit entries; is no credential. */
export const publicSessionId = (sessionId: string): string =>
  `cs_${createHash('sha256').update(`console-session-id|${sessionId}`).digest().subarray(0, 18).toString('base64url')}`;
export const publicSessionIdPattern = /^cs_[A-Za-z0-9_-]{24}$/;

/** A live session as admins see it in the list: who, since when, from where; never a secret. */
export interface ListedConsoleSession {
  id: string;
  tokenId: string;
  actor: string;
  role: AdminPrincipal['role'];
  tenantId: string | null;
  startedAt: string;
  lastSeenAt: string;
  /** The client address's /24 or /64 at sign-in, and at its latest request. */
  startedFrom: string;
  lastSeenFrom: string;
}

export interface ConsoleSession {
  principal: AdminPrincipal;
  /** Synchronizer token the console script sends back as X-CSRF-Token on every change. */
  csrfToken: string;
  /** SHA-256 of the admin token (bootstrap only): a changed ADMIN_TOKEN ends bootstrap sessions. */
  bootstrapHash?: string;
  createdAt: number;
  lastSeenAt: number;
  /** The client network (/24, /64) at sign-in and at the latest request (sessions made before: absent). */
  startedFrom?: string;
  lastSeenFrom?: string;
}

/** Past this many entries in the session index, a sign-in sweeps the ones Redis has forgotten. */
const indexSweepAbove = 1000;

export interface ConsoleSessionOptions {
  redis: Redis;
  db: Db;
  keyPrefix: string;
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  bootstrapToken: string | undefined;
  /** Injectable clock for the timeout tests. */
  now?: () => number;
}

export class ConsoleSessions {
  private readonly now: () => number;
  constructor(private readonly options: ConsoleSessionOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Redis key of a session: the id is hashed, so a Redis dump does not hand out live cookies. */
  private key(sessionId: string) {
    return this.keyOfHash(sha256Hex(sessionId));
  }

  private keyOfHash(hash: string) {
    return `${this.options.keyPrefix}:console-session:${hash}`;
  }

  /** The hash listing live sessions: public id -> hash of the session id. */
  private get index() {
    return `${this.options.keyPrefix}:console-sessions`;
  }

  /** `address`: the client address at sign-in (TRUST_PROXY applied), for the session list. */
  async create(principal: AdminPrincipal, adminToken: string, address?: string): Promise<{ sessionId: string; session: ConsoleSession }> {
    const sessionId = randomBytes(32).toString('base64url');
    const now = this.now();
    const network = usageNetworkOf(address);
    const session: ConsoleSession = {
      principal,
      csrfToken: randomBytes(32).toString('base64url'),
      ...(principal.tokenId === 'bootstrap' ? { bootstrapHash: sha256Hex(adminToken) } : {}),
      createdAt: now,
      lastSeenAt: now,
      startedFrom: network,
      lastSeenFrom: network,
    };
    const listed = await this.options.redis.hset(this.index, publicSessionId(sessionId), sha256Hex(sessionId));
    await this.save(sessionId, session, 'create');
    // Timed-out sessions leave the index when it is read: a console nobody lists is swept here now and then.
    if (listed === 1 && (await this.options.redis.hlen(this.index)) > indexSweepAbove) await this.list({ tenantId: null });
    return { sessionId, session };
  }

  /**
   * The live session for this id (touched: its idle clock restarts, `address` becomes its last-seen
   * network), or undefined; ended sessions are deleted.
   */
  async resume(sessionId: string, address?: string): Promise<ConsoleSession | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(sessionId)) return undefined;
    const raw = await this.options.redis.get(this.key(sessionId));
    if (!raw) return undefined;
    const session = JSON.parse(raw) as ConsoleSession;
    const now = this.now();
    const expired = now - session.lastSeenAt >= this.options.idleTimeoutMs || now - session.createdAt >= this.options.absoluteTimeoutMs;
    if (expired || !(await this.tokenStillValid(session))) {
      await this.destroy(sessionId);
      return undefined;
    }
    session.lastSeenAt = now;
    if (address !== undefined) session.lastSeenFrom = usageNetworkOf(address);
    // Only while it exists: a session an admin ended during this request stays ended.
    return (await this.save(sessionId, session, 'touch')) ? session : undefined;
  }

  async destroy(sessionId: string): Promise<void> {
    await this.options.redis.multi().del(this.key(sessionId)).hdel(this.index, publicSessionId(sessionId)).exec();
  }

  /** Live sessions, most recently seen first; `tenantId` set: only sessions of tokens scoped to it. */
  async list(scope: { tenantId: string | null }): Promise<ListedConsoleSession[]> {
    const index = await this.options.redis.hgetall(this.index);
    const ids = Object.keys(index);
    if (ids.length === 0) return [];
    const raws = await this.options.redis.mget(ids.map((id) => this.keyOfHash(index[id]!)));
    const now = this.now();
    const listed: ListedConsoleSession[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const raw = raws[i];
      // Forgotten by Redis (timed out): dropped from the index here.
      if (!raw) return void gone.push(id);
      const session = JSON.parse(raw) as ConsoleSession;
      if (now - session.lastSeenAt >= this.options.idleTimeoutMs || now - session.createdAt >= this.options.absoluteTimeoutMs) return;
      if (scope.tenantId !== null && session.principal.tenantId !== scope.tenantId) return;
      listed.push(this.view(id, session));
    });
    if (gone.length > 0) await this.options.redis.hdel(this.index, ...gone);
    return listed.sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
  }

  /**
   * Ends the session `id` names (an admin's decision): its next request, on any process, finds nothing.
   * Undefined when there is no such live session within `scope` (the caller answers 404).
   */
  async end(id: string, scope: { tenantId: string | null }): Promise<ListedConsoleSession | undefined> {
    if (!publicSessionIdPattern.test(id)) return undefined;
    const hash = await this.options.redis.hget(this.index, id);
    if (!hash) return undefined;
    const raw = await this.options.redis.get(this.keyOfHash(hash));
    if (!raw) {
      await this.options.redis.hdel(this.index, id);
      return undefined;
    }
    const session = JSON.parse(raw) as ConsoleSession;
    if (scope.tenantId !== null && session.principal.tenantId !== scope.tenantId) return undefined;
    await this.options.redis.multi().del(this.keyOfHash(hash)).hdel(this.index, id).exec();
    return this.view(id, session);
  }

  private view(id: string, session: ConsoleSession): ListedConsoleSession {
    return {
      id,
      tokenId: session.principal.tokenId,
      actor: session.principal.actor,
      role: session.principal.role,
      tenantId: session.principal.tenantId ?? null,
      startedAt: new Date(session.createdAt).toISOString(),
      lastSeenAt: new Date(session.lastSeenAt).toISOString(),
      startedFrom: session.startedFrom ?? 'unknown',
      lastSeenFrom: session.lastSeenFrom ?? session.startedFrom ?? 'unknown',
    };
  }

  /** A revoked admin token (or a replaced bootstrap token) ends every session made from it. */
  private async tokenStillValid(session: ConsoleSession): Promise<boolean> {
    if (session.principal.tokenId === 'bootstrap') {
      return this.options.bootstrapToken !== undefined && session.bootstrapHash === sha256Hex(this.options.bootstrapToken);
    }
    const result = await this.options.db.query('SELECT 1 FROM admin_tokens WHERE id = $1 AND revoked_at IS NULL', [session.principal.tokenId]);
    return result.rows.length > 0;
  }

  /** Writes the session; 'touch' only over a session still there (true when written). */
  private async save(sessionId: string, session: ConsoleSession, mode: 'create' | 'touch'): Promise<boolean> {
    // Redis forgets the session at whichever timeout comes first (the check above is the authority).
    const ttl = Math.max(1, Math.ceil(Math.min(this.options.idleTimeoutMs, session.createdAt + this.options.absoluteTimeoutMs - session.lastSeenAt)));
    const key = this.key(sessionId);
    const written = mode === 'touch' ? await this.options.redis.set(key, JSON.stringify(session), 'PX', ttl, 'XX') : await this.options.redis.set(key, JSON.stringify(session), 'PX', ttl);
    return written === 'OK';
  }
}
