// SSRF guard for bank callback URLs (SPEC §6): https only (plain http only to loopback when the
// tenant allows it), and never to private, link-local or otherwise non-public addresses — checked
// on the literal URL at creation and on every resolved address at delivery time.
import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { ProblemError } from '../errors/problem.ts';

const nonPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) nonPublic.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) nonPublic.addSubnet(network, prefix, 'ipv6');

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged by its IPv4 address. */
function normalize(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export const isLoopbackAddress = (address: string) => {
  const n = normalize(address);
  return loopback.check(n.address, n.family);
};

export const isPublicAddress = (address: string) => {
  const n = normalize(address);
  return !nonPublic.check(n.address, n.family);
};

const isLoopbackName = (host: string) => host === 'localhost' || host.endsWith('.localhost');

/** Syntactic checks, done when a URL is accepted (no DNS). */
export function assertCallbackUrlAllowed(raw: string, options: { allowLoopback: boolean }): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ProblemError('unsafe_callback_url', 'callbackUrl is not a valid URL');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopbackHost = isLoopbackName(host) || (isIP(host) !== 0 && isLoopbackAddress(host));
  if (url.username || url.password) throw new ProblemError('unsafe_callback_url', 'callbackUrl must not carry credentials');
  if (loopbackHost) {
    if (!options.allowLoopback) throw new ProblemError('unsafe_callback_url', 'callbackUrl must not point at this host');
    return url;
  }
  if (url.protocol !== 'https:') throw new ProblemError('unsafe_callback_url', 'callbackUrl must use https');
  if (isIP(host) !== 0 && !isPublicAddress(host)) throw new ProblemError('unsafe_callback_url', 'callbackUrl must not point at a private address');
  return url;
}

/**
 * Resolves the host and returns the one address to connect to; refuses when any resolved address is
 * not public (DNS rebinding: the connection is then pinned to the vetted address).
 */
export async function resolveCallbackAddress(url: URL, options: { allowLoopback: boolean }): Promise<{ address: string; family: 4 | 6 }> {
  assertCallbackUrlAllowed(url.toString(), options);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) !== 0 ? [{ address: host, family: isIP(host) as 4 | 6 }] : await lookup(host, { all: true, verbatim: true });
  if (addresses.length === 0) throw new ProblemError('unsafe_callback_url', 'callbackUrl host does not resolve');
  for (const { address } of addresses) {
    const allowed = isPublicAddress(address) || (options.allowLoopback && isLoopbackAddress(address));
    if (!allowed) throw new ProblemError('unsafe_callback_url', 'callbackUrl resolves to a non-public address');
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
