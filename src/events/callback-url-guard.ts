// SSRF guard for bank callback URLs and the carrier gateway URL (docs/events.md, docs/carrier-gateway.md): https only (plain
// http only to loopback when the tenant allows it), and never to an address that is not global
// unicast (src/events/address-classifier.ts) — checked on the literal URL when it is stored and on
// every resolved address when it is used (docs/events.md "Where events may go").
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { ProblemError } from '../errors/problem.ts';
import { classifyAddress } from './address-classifier.ts';

export interface CallbackUrlOptions {
  allowLoopback: boolean;
}

export interface ResolveOptions extends CallbackUrlOptions {
  /** The resolver (tests inject one; default: the system's, as connections would use). */
  resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
}

export const isLoopbackAddress = (address: string) => classifyAddress(address).kind === 'loopback';
export const isPublicAddress = (address: string) => classifyAddress(address).kind === 'public';

/** URL.hostname without IPv6 brackets and without the trailing dot of a fully qualified name. */
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');

// RFC 6761 §6.3: `localhost` and names below it are loopback, whatever a resolver says.
const isLoopbackName = (host: string) => host === 'localhost' || host.endsWith('.localhost');

const unsafe = (detail: string) => new ProblemError('unsafe_callback_url', detail);

/** Syntactic checks, done when a URL is accepted (no DNS). */
export function assertCallbackUrlAllowed(raw: string, options: CallbackUrlOptions): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw unsafe('callbackUrl is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw unsafe('callbackUrl must use https');
  if (url.username || url.password) throw unsafe('callbackUrl must not carry credentials');
  const host = hostOf(url);
  // The WHATWG parser has already turned decimal, octal and hex IPv4 spellings into dotted quads.
  const address = isIP(host) !== 0 ? classifyAddress(host) : undefined;
  if (isLoopbackName(host) || address?.kind === 'loopback') {
    if (!options.allowLoopback) throw unsafe('callbackUrl must not point at this host');
    return url;
  }
  if (url.protocol !== 'https:') throw unsafe('callbackUrl must use https');
  if (address && address.kind !== 'public') throw unsafe('callbackUrl must not point at a private or special-purpose address');
  return url;
}

/**
 * Resolves the host and returns the one address to connect to; refuses when any resolved address is
 * not public (DNS rebinding: the connection is then pinned to the vetted address).
 */
export async function resolveCallbackAddress(url: URL, options: ResolveOptions): Promise<{ address: string; family: 4 | 6 }> {
  assertCallbackUrlAllowed(url.toString(), options);
  const host = hostOf(url);
  const resolve = options.resolve ?? ((name: string) => lookup(name, { all: true, verbatim: true }));
  const addresses = isIP(host) !== 0 ? [{ address: host, family: isIP(host) }] : await resolve(host);
  if (addresses.length === 0) throw unsafe('callbackUrl host does not resolve');
  for (const { address } of addresses) {
    const verdict = classifyAddress(address).kind;
    const allowed = verdict === 'public' || (options.allowLoopback && verdict === 'loopback');
    if (!allowed) throw unsafe('callbackUrl resolves to a non-public address');
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
