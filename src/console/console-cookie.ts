// The console's session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page
// sends it), Secure when stepup is served over https, scoped to /admin.
export const consoleCookieName = 'stepup_console';

export function sessionCookie(sessionId: string, options: { secure: boolean }): string {
  return `${consoleCookieName}=${sessionId}; Path=/admin; HttpOnly; SameSite=Strict${options.secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(options: { secure: boolean }): string {
  return `${consoleCookieName}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0${options.secure ? '; Secure' : ''}`;
}

/** The session id from a Cookie header, if any. */
export function readSessionCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === consoleCookieName) return value.join('=') || undefined;
  }
  return undefined;
}
