// Where a bank's API key may be used from (docs/security.md "Key protections"): `allowedNetworks` is a
// list of IPv4 and IPv6 CIDRs; a bare address is its own /32 or /128. IPv4-mapped IPv6 client
// addresses (::ffff:192.0.2.1, what a dual-stack socket reports) are matched as the IPv4 they carry.
import ipaddr from 'ipaddr.js';
import { rememberRecentAnswers } from './recent-answers.ts';

export type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** The network in canonical form ("192.0.2.0/24", "2001:db8::/48"), or null when `text` is not one. */
export function canonicalNetwork(text: string): string | null {
  const trimmed = text.trim();
  let network: Network;
  if (ipaddr.isValidCIDR(trimmed)) network = ipaddr.parseCIDR(trimmed);
  else if (ipaddr.isValid(trimmed)) {
    const address = ipaddr.parse(trimmed);
    network = [address, address.kind() === 'ipv4' ? 32 : 128];
  } else return null;
  // The network's own address: "192.0.2.7/24" is stored as "192.0.2.0/24".
  return networkOf(...network);
}

/** "a.b.c.0/24" for an address and a prefix length: the CIDR of the network holding it. */
function networkOf(address: ipaddr.IPv4 | ipaddr.IPv6, bits: number): string {
  const cidr = `${address.toString()}/${bits}`;
  const base = address.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  return `${base.toString()}/${bits}`;
}

export const parseNetworks = (networks: readonly string[]): Network[] => networks.map((network) => ipaddr.parseCIDR(network));

/** Whether `address` (a client address as the socket or TRUST_PROXY gives it) is in one of `networks`. */
export function addressInNetworks(address: string | undefined, networks: readonly Network[]): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return networks.some(([base, bits]) => base.kind() === parsed.kind() && parsed.match(base, bits));
}

/**
 * The network a client address belongs to for "first use from a new network": its /24 (IPv4) or
 * /64 (IPv6), the block one site or one host typically holds.
 */
export function usageNetworkOf(address: string | undefined): string {
  return address ? recentUsageNetworks(address) : 'unknown';
}

/** Every verified bank request asks: parsed once per address (recent-answers.ts). */
const recentUsageNetworks = rememberRecentAnswers((address: string): string => {
  if (!ipaddr.isValid(address)) return 'unknown';
  const parsed = ipaddr.process(address);
  return networkOf(parsed, parsed.kind() === 'ipv4' ? 24 : 64);
});

/** The client address as shown to admins: IPv4-mapped IPv6 unwrapped. */
export const displayAddress = (address: string | undefined): string | null => (address && ipaddr.isValid(address) ? ipaddr.process(address).toString() : null);

/**
 * Lua remembering the networks one credential (a key, an admin token) is used from:
 * `rememberNetwork(set, network, kept)` SADDs the network; 0: known, 1: the credential's first network
 * ever (its baseline), 2: a new one. Past `kept` networks it keeps answering 2 but stops remembering
 * (bounded memory). Scripts that do more in the same round trip embed it.
 */
export const rememberNetworkLua = `
local function rememberNetwork(set, network, kept)
  if redis.call('SADD', set, network) == 0 then return 0 end
  local count = redis.call('SCARD', set)
  if count > kept then redis.call('SREM', set, network) end
  if count == 1 then return 1 end
  return 2
end`;

/** The script on its own: KEYS[1] the set, ARGV[1] the network, ARGV[2] the networks kept. */
export const rememberNetworkScript = `${rememberNetworkLua}
return rememberNetwork(KEYS[1], ARGV[1], tonumber(ARGV[2]))`;
