// Console sessions (docs/console.md): an admin token is exchanged once for an opaque random session
// id kept in an HttpOnly cookie; Redis holds what the session stands for (token id, role, scope, CSRF
// token), never the token. A session ends after an idle period, after an absolute lifetime, on
// sign-out, and as soon as its admin token is revoked.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Db } from '../storage/db.ts';
import type { AdminPrincipal } from '../http/route.ts';
import { sha256Hex } from '../crypto/hashing.ts';

export interface ConsoleSession {
  principal: AdminPrincipal;
  /** Synchronizer token the console script sends back as X-CSRF-Token on every change. */
  csrfToken: string;
  /** SHA-256 of the admin token (bootstrap only): a changed ADMIN_TOKEN ends bootstrap sessions. */
  bootstrapHash?: string;
  createdAt: number;
  lastSeenAt: number;
}

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
    return `${this.options.keyPrefix}:console-session:${sha256Hex(sessionId)}`;
  }

  async create(principal: AdminPrincipal, adminToken: string): Promise<{ sessionId: string; session: ConsoleSession }> {
    const sessionId = randomBytes(32).toString('base64url');
    const now = this.now();
    const session: ConsoleSession = {
      principal,
      csrfToken: randomBytes(32).toString('base64url'),
      ...(principal.tokenId === 'bootstrap' ? { bootstrapHash: sha256Hex(adminToken) } : {}),
      createdAt: now,
      lastSeenAt: now,
    };
    await this.save(sessionId, session);
    return { sessionId, session };
  }

  /** The live session for this id (touched: its idle clock restarts), or undefined; ended sessions are deleted. */
  async resume(sessionId: string): Promise<ConsoleSession | undefined> {
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
    await this.save(sessionId, session);
    return session;
  }

  async destroy(sessionId: string): Promise<void> {
    await this.options.redis.del(this.key(sessionId));
  }

  /** A revoked admin token (or a replaced bootstrap token) ends every session made from it. */
  private async tokenStillValid(session: ConsoleSession): Promise<boolean> {
    if (session.principal.tokenId === 'bootstrap') {
      return this.options.bootstrapToken !== undefined && session.bootstrapHash === sha256Hex(this.options.bootstrapToken);
    }
    const result = await this.options.db.query('SELECT 1 FROM admin_tokens WHERE id = $1 AND revoked_at IS NULL', [session.principal.tokenId]);
    return result.rows.length > 0;
  }

  private async save(sessionId: string, session: ConsoleSession) {
    // Redis forgets the session at whichever timeout comes first (the check above is the authority).
    const ttl = Math.min(this.options.idleTimeoutMs, session.createdAt + this.options.absoluteTimeoutMs - session.lastSeenAt);
    await this.options.redis.set(this.key(sessionId), JSON.stringify(session), 'PX', Math.max(1, Math.ceil(ttl)));
  }
}
