// Where an IP address may be reached by a server-side request (webhooks, the carrier gateway): the
// one place that classifies addresses, with ipaddr.js's ranges (the IANA IPv4 and IPv6
// Special-Purpose Address Registries) rather than hand-written lists. Only global unicast is public.
// IPv6 forms that carry an IPv4 address are judged by that address or refused outright, so
// `::ffff:127.0.0.1`, `::7f00:1`, `64:ff9b::a00:1` or `2002:a00:1::` cannot smuggle a private or
// loopback IPv4 target past the guard (docs/events.md "Where events may go").
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type AddressClass =
  | { readonly kind: 'public' }
  | { readonly kind: 'loopback' }
  /** `range`: ipaddr.js's name of the special-purpose range, or ours for the forms it does not name. */
  | { readonly kind: 'non_public'; readonly range: string };

// RFC 4291 §2.4 / IANA IPv6 Address Space: global unicast is allocated from 2000::/3 only.
const globalUnicast = ipaddr.parseCIDR('2000::/3');
// RFC 6052 §2.1: the NAT64 well-known prefix; the IPv4 address is the last 32 bits (§2.2, /96).
// §3.1: it must not carry non-global IPv4 addresses, so the embedded address decides.
const nat64WellKnown = ipaddr.parseCIDR('64:ff9b::/96');
// RFC 4291 §2.5.5.1: deprecated IPv4-compatible addresses `::a.b.c.d` (and the rest of ::/8).
const ipv4Compatible = ipaddr.parseCIDR('::/96');

const nonPublic = (range: string): AddressClass => ({ kind: 'non_public', range });

/** Classifies a literal IPv4 or IPv6 address (as URL.hostname without brackets, or as DNS returns it). */
export function classifyAddress(text: string): AddressClass {
  // node's parser first: ipaddr.js also reads `0x7f.1`-style IPv4, which only URL parsing may normalise.
  const family = isIP(text);
  if (family === 0) return nonPublic('not_an_address');
  if (family === 4) return classifyIpv4(ipaddr.IPv4.parse(text));
  // A zone index (`fe80::1%eth0`) only exists for scoped, never global, addresses.
  if (text.includes('%')) return nonPublic('scoped');
  // ipaddr.js reads `::a.b.c.d` as `::ffff:a.b.c.d`; the socket connects to `::a.b.c.d`. Parse the
  // WHATWG serialisation (all hex), the form the address has in a URL, so both agree.
  return classifyIpv6(ipaddr.IPv6.parse(new URL(`http://[${text}]/`).hostname.slice(1, -1)));
}

function classifyIpv4(address: ipaddr.IPv4): AddressClass {
  const range = address.range();
  if (range === 'unicast') return { kind: 'public' };
  if (range === 'loopback') return { kind: 'loopback' };
  return nonPublic(range);
}

function classifyIpv6(address: ipaddr.IPv6): AddressClass {
  // ::ffff:a.b.c.d connects to a.b.c.d: judge that address.
  if (address.isIPv4MappedAddress()) return classifyIpv4(address.toIPv4Address());
  if (address.match(nat64WellKnown)) {
    const embedded = new ipaddr.IPv4(address.toByteArray().slice(12));
    // A NAT64 gateway reaches the embedded IPv4 address from its own network: public ones only.
    return classifyIpv4(embedded).kind === 'public' ? { kind: 'public' } : nonPublic('rfc6052');
  }
  if (address.match(ipv4Compatible) && address.range() !== 'loopback') return nonPublic('ipv4Compatible');
  const range = address.range();
  if (range === 'loopback') return { kind: 'loopback' };
  // Everything ipaddr.js names is special-purpose: 6to4 (2002::/16) and Teredo (2001::/32) embed an
  // IPv4 address reached through relays, 64:ff9b:1::/48 is local-use translation: refused outright.
  if (range !== 'unicast') return nonPublic(range);
  if (!address.match(globalUnicast)) return nonPublic('notGlobalUnicast');
  return { kind: 'public' };
}
