// A middleware whose headers never depend on the request (helmet with fixed directives), run once
// against a recorder: its headers can then be set on every answer without running it again.
import type { RequestHandler } from 'express';

export type HeaderList = readonly (readonly [name: string, value: string])[];

export function recordStaticHeaders(middleware: RequestHandler): HeaderList {
  const recorded = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => recorded.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => recorded.delete(name.toLowerCase()),
    getHeader: (name: string) => recorded.get(name.toLowerCase()),
  };
  let passedOn = false;
  middleware({ headers: {}, method: 'GET', url: '/' } as never, recorder as never, (error?: unknown) => {
    if (error) throw error;
    passedOn = true;
  });
  // A middleware that answers, fails or waits would not be the same on every request.
  if (!passedOn) throw new Error('recordStaticHeaders: the middleware did not pass the request on at once');
  return [...recorded];
}
