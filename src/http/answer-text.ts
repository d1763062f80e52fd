// Writing a whole answer at once, and reading a request header as text: what the declared routes,
// the problem answers and the authenticators share.
import type { ServerResponse } from 'node:http';

/** One header's value as text (node joins repeated ones; only set-cookie stays a list). */
export const headerText = (headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/**
 * A text answer written as it is, in UTF-8: its media type gets a charset when it names none. No
 * ETag (express's would hash every body); a route that versions what it returns sets its own.
 */
export function sendText(res: ServerResponse, contentType: string, text: string): void {
  res.setHeader('content-type', /;\s*charset=/i.test(contentType) ? contentType : `${contentType}; charset=utf-8`);
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
