// A console session driven over plain HTTP, as the console's script does it: sign in with an admin token,
// then call the admin API with the session cookie, the CSRF header and stepup's Origin.
import type { TestServer } from '../support/test-server.ts';
import { loopbackFetch } from '../support/loopback-fetch.ts';

export interface ConsoleSessionClient {
  cookie: string;
  setCookie: string;
  csrfToken: string;
  role: string;
  call<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
}

export async function signIn(server: Pick<TestServer, 'url'>, token: string, origin = server.url): Promise<ConsoleSessionClient> {
  const response = await loopbackFetch(`${server.url}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ token }) });
  const body = (await response.json()) as { csrfToken: string; role: string };
  if (response.status !== 201) throw new Error(`sign-in: ${response.status} ${JSON.stringify(body)}`);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  return {
    cookie,
    setCookie,
    csrfToken: body.csrfToken,
    role: body.role,
    async call(method, path, payload, headers = {}) {
      const changes = method !== 'GET';
      const result = await loopbackFetch(server.url + path, {
        method,
        redirect: 'manual',
        headers: {
          cookie,
          ...(changes ? { origin, 'x-csrf-token': body.csrfToken } : {}),
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
      const text = await result.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* HTML or text */
      }
      return { status: result.status, body: parsed as never, headers: result.headers };
    },
  };
}
