// Admin authentication by console session: the same principal the session's admin token yields, so
// the admin API's role and tenant checks apply unchanged. A change (any method but GET/HEAD) also needs
// the session's CSRF token in X-CSRF-Token and an Origin header naming stepup itself.
import type { IncomingMessage } from 'node:http';
import { adminRoles } from '../auth/admin-auth.ts';
import { constantTimeEqual } from '../crypto/hashing.ts';
import { ProblemError } from '../errors/problem.ts';
import type { AdminPrincipal, AdminRole } from '../http/route.ts';
import { headerText } from '../http/answer-text.ts';
import type { ConsoleSession, ConsoleSessions } from './console-sessions.ts';
import { readSessionCookie } from './console-cookie.ts';

export const csrfHeader = 'x-csrf-token';
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

const header = (req: IncomingMessage, name: string) => headerText(req.headers, name);

export class ConsoleAuthenticator {
  private readonly origin: string;
  constructor(
    private readonly sessions: ConsoleSessions,
    publicBaseUrl: string,
  ) {
    this.origin = new URL(publicBaseUrl).origin;
  }

  /** True when the request carries a console session cookie (and no Authorization header wins over it). */
  carriesSession(req: IncomingMessage): boolean {
    return readSessionCookie(header(req, 'cookie')) !== undefined;
  }

  /**
   * The live session behind the cookie, with CSRF and Origin checked for changes; 401/403 otherwise.
   * `address`: the client's (TRUST_PROXY applied), kept as the session's last-seen network.
   */
  async session(req: IncomingMessage, address?: string): Promise<ConsoleSession> {
    const sessionId = readSessionCookie(header(req, 'cookie'));
    const session = sessionId ? await this.sessions.resume(sessionId, address) : undefined;
    if (!session) throw new ProblemError('unauthorized', 'The console session has ended; sign in again');
    if (!safeMethods.has(req.method!)) this.checkChange(req, session.csrfToken);
    return session;
  }

  async authenticate(req: IncomingMessage, required: AdminRole, address?: string): Promise<AdminPrincipal> {
    const { principal } = await this.session(req, address);
    if (adminRoles.indexOf(principal.role) < adminRoles.indexOf(required)) throw new ProblemError('forbidden', `This needs the ${required} role`);
    return principal;
  }

  /** Origin must be stepup's own (browsers send it on every cross-origin and every non-GET fetch). */
  checkOrigin(req: IncomingMessage): void {
    if (header(req, 'origin') !== this.origin) throw new ProblemError('csrf_failed', 'The request does not come from the console');
  }

  private checkChange(req: IncomingMessage, csrfToken: string) {
    this.checkOrigin(req);
    const sent = header(req, csrfHeader);
    if (!sent || !constantTimeEqual(sent, csrfToken)) throw new ProblemError('csrf_failed', 'The CSRF token is missing or wrong');
  }
}
