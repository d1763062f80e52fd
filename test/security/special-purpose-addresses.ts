// One representative address per row of the IANA IPv4 and IPv6 Special-Purpose Address Registries
// (https://www.iana.org/assignments/iana-ipv4-special-registry, …/iana-ipv6-special-registry, as of
// 2025), plus multicast, IPv4 forms embedded in IPv6, and public controls. `verdict` is what the
// SSRF guard must say: `public` (a callback may go there), `loopback` (only with the loopback
// allowance), `refused` (never). Rows IANA marks globally reachable (anycast services, AS112, AMT)
// are still refused: no bank callback or carrier gateway lives on them.
export type AddressVerdict = 'public' | 'loopback' | 'refused';

export interface AddressRow {
  address: string;
  /** The registry row or the reason it is listed. */
  row: string;
  verdict: AddressVerdict;
}

export const ipv4SpecialPurpose: AddressRow[] = [
  { address: '0.0.0.0', row: '0.0.0.0/32 this host on this network', verdict: 'refused' },
  { address: '0.1.2.3', row: '0.0.0.0/8 this network', verdict: 'refused' },
  { address: '10.20.30.40', row: '10.0.0.0/8 private-use', verdict: 'refused' },
  { address: '100.64.0.1', row: '100.64.0.0/10 shared address space (CGN)', verdict: 'refused' },
  { address: '127.0.0.1', row: '127.0.0.0/8 loopback', verdict: 'loopback' },
  { address: '127.255.255.254', row: '127.0.0.0/8 loopback (end of range)', verdict: 'loopback' },
  { address: '169.254.169.254', row: '169.254.0.0/16 link local (cloud metadata)', verdict: 'refused' },
  { address: '172.16.0.1', row: '172.16.0.0/12 private-use', verdict: 'refused' },
  { address: '172.31.255.254', row: '172.16.0.0/12 private-use (end of range)', verdict: 'refused' },
  { address: '192.0.0.1', row: '192.0.0.0/24 IETF protocol assignments', verdict: 'refused' },
  { address: '192.0.0.5', row: '192.0.0.0/29 IPv4 service continuity prefix', verdict: 'refused' },
  { address: '192.0.0.8', row: '192.0.0.8/32 IPv4 dummy address', verdict: 'refused' },
  { address: '192.0.0.9', row: '192.0.0.9/32 port control protocol anycast', verdict: 'refused' },
  { address: '192.0.0.10', row: '192.0.0.10/32 TURN anycast', verdict: 'refused' },
  { address: '192.0.0.170', row: '192.0.0.170/32 NAT64/DNS64 discovery', verdict: 'refused' },
  { address: '192.0.0.171', row: '192.0.0.171/32 NAT64/DNS64 discovery', verdict: 'refused' },
  { address: '192.0.2.1', row: '192.0.2.0/24 documentation (TEST-NET-1)', verdict: 'refused' },
  { address: '192.31.196.1', row: '192.31.196.0/24 AS112-v4', verdict: 'refused' },
  { address: '192.52.193.1', row: '192.52.193.0/24 AMT', verdict: 'refused' },
  { address: '192.88.99.1', row: '192.88.99.0/24 deprecated 6to4 relay anycast', verdict: 'refused' },
  { address: '192.88.99.2', row: '192.88.99.2/32 6a44-relay anycast', verdict: 'refused' },
  { address: '192.168.1.1', row: '192.168.0.0/16 private-use', verdict: 'refused' },
  { address: '192.175.48.1', row: '192.175.48.0/24 direct delegation AS112 service', verdict: 'refused' },
  { address: '198.18.0.1', row: '198.18.0.0/15 benchmarking', verdict: 'refused' },
  { address: '198.51.100.1', row: '198.51.100.0/24 documentation (TEST-NET-2)', verdict: 'refused' },
  { address: '203.0.113.1', row: '203.0.113.0/24 documentation (TEST-NET-3)', verdict: 'refused' },
  { address: '240.0.0.1', row: '240.0.0.0/4 reserved', verdict: 'refused' },
  { address: '255.255.255.255', row: '255.255.255.255/32 limited broadcast', verdict: 'refused' },
  { address: '224.0.0.1', row: '224.0.0.0/4 multicast (multicast registry)', verdict: 'refused' },
  { address: '239.255.255.250', row: '239.0.0.0/8 administratively scoped multicast', verdict: 'refused' },
];

export const ipv6SpecialPurpose: AddressRow[] = [
  { address: '::1', row: '::1/128 loopback', verdict: 'loopback' },
  { address: '::', row: '::/128 unspecified', verdict: 'refused' },
  { address: '::ffff:10.0.0.1', row: '::ffff:0:0/96 IPv4-mapped (private IPv4)', verdict: 'refused' },
  { address: '::ffff:169.254.169.254', row: '::ffff:0:0/96 IPv4-mapped (link-local IPv4)', verdict: 'refused' },
  { address: '::ffff:7f00:1', row: '::ffff:0:0/96 IPv4-mapped (loopback, hex form)', verdict: 'loopback' },
  { address: '64:ff9b::a00:1', row: '64:ff9b::/96 IPv4-IPv6 translation (NAT64, private IPv4 10.0.0.1)', verdict: 'refused' },
  { address: '64:ff9b::7f00:1', row: '64:ff9b::/96 IPv4-IPv6 translation (NAT64, loopback IPv4)', verdict: 'refused' },
  { address: '64:ff9b:1::a00:1', row: '64:ff9b:1::/48 local-use IPv4/IPv6 translation', verdict: 'refused' },
  { address: '64:ff9b:1::808:808', row: '64:ff9b:1::/48 local-use IPv4/IPv6 translation (public IPv4 inside)', verdict: 'refused' },
  { address: '100::1', row: '100::/64 discard-only', verdict: 'refused' },
  { address: '100:0:0:1::1', row: '100:0:0:1::/64 dummy IPv6 prefix', verdict: 'refused' },
  { address: '2001::1', row: '2001::/23 IETF protocol assignments', verdict: 'refused' },
  { address: '2001:0:4136:e378:8000:63bf:3fff:fdd2', row: '2001::/32 Teredo', verdict: 'refused' },
  { address: '2001:1::1', row: '2001:1::1/128 port control protocol anycast', verdict: 'refused' },
  { address: '2001:1::2', row: '2001:1::2/128 TURN anycast', verdict: 'refused' },
  { address: '2001:1::3', row: '2001:1::3/128 DNS-SD service registration protocol anycast', verdict: 'refused' },
  { address: '2001:2::1', row: '2001:2::/48 benchmarking', verdict: 'refused' },
  { address: '2001:3::1', row: '2001:3::/32 AMT', verdict: 'refused' },
  { address: '2001:4:112::1', row: '2001:4:112::/48 AS112-v6', verdict: 'refused' },
  { address: '2001:10::1', row: '2001:10::/28 deprecated ORCHID', verdict: 'refused' },
  { address: '2001:20::1', row: '2001:20::/28 ORCHIDv2', verdict: 'refused' },
  { address: '2001:30::1', row: '2001:30::/28 drone remote ID protocol entity tags', verdict: 'refused' },
  { address: '2001:db8::1', row: '2001:db8::/32 documentation', verdict: 'refused' },
  { address: '2002:a00:1::1', row: '2002::/16 6to4 (private IPv4 10.0.0.1 inside)', verdict: 'refused' },
  { address: '2002:808:808::1', row: '2002::/16 6to4 (public IPv4 inside)', verdict: 'refused' },
  { address: '2620:4f:8000::1', row: '2620:4f:8000::/48 direct delegation AS112 service', verdict: 'refused' },
  { address: '3fff::1', row: '3fff::/20 documentation', verdict: 'refused' },
  { address: '5f00::1', row: '5f00::/16 segment routing (SRv6) SIDs', verdict: 'refused' },
  { address: 'fc00::1', row: 'fc00::/7 unique-local', verdict: 'refused' },
  { address: 'fd12:3456:789a::1', row: 'fc00::/7 unique-local (fd00::/8)', verdict: 'refused' },
  { address: 'fe80::1', row: 'fe80::/10 link-local unicast', verdict: 'refused' },
  { address: 'fec0::1', row: 'fec0::/10 deprecated site-local', verdict: 'refused' },
  { address: 'ff02::1', row: 'ff00::/8 multicast', verdict: 'refused' },
  { address: '::a00:1', row: '::/96 deprecated IPv4-compatible (10.0.0.1)', verdict: 'refused' },
  { address: '::7f00:1', row: '::/96 deprecated IPv4-compatible (127.0.0.1, hex form)', verdict: 'refused' },
  { address: '::127.0.0.1', row: '::/96 deprecated IPv4-compatible (127.0.0.1, dotted form)', verdict: 'refused' },
  { address: '::ffff:0:7f00:1', row: '::ffff:0:0:0/96 IPv4-translated (RFC 6145)', verdict: 'refused' },
  { address: '4000::1', row: 'outside 2000::/3, the only global unicast allocation', verdict: 'refused' },
];

/** Public addresses that must stay usable, embedded forms included. */
export const publicControls: AddressRow[] = [
  { address: '8.8.8.8', row: 'public IPv4', verdict: 'public' },
  { address: '1.1.1.1', row: 'public IPv4', verdict: 'public' },
  { address: '2606:4700:4700::1111', row: 'public IPv6 (2000::/3)', verdict: 'public' },
  { address: '::ffff:8.8.8.8', row: 'IPv4-mapped public IPv4', verdict: 'public' },
  { address: '64:ff9b::808:808', row: 'NAT64 well-known prefix with a public IPv4 (DNS64 networks)', verdict: 'public' },
];

export const addressTable: AddressRow[] = [...ipv4SpecialPurpose, ...ipv6SpecialPurpose, ...publicControls];

/** The address as it goes into a URL's host. */
export const urlHost = (address: string) => (address.includes(':') ? `[${address}]` : address);
