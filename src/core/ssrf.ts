/**
 * The SSRF guard for outgoing requests (deliveries, deployment checks): a URL must not reach
 * loopback, private, link-local (cloud metadata), reserved or otherwise non-public addresses.
 * Names are checked after resolution, inside the connect itself, so the address checked is the
 * address connected to and there is no DNS-rebinding window (Svix's `NonLocalDnsResolver`, reference §3.1).
 */
import dns, { type LookupAddress, type LookupAllOptions } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { buildConnector } from "undici";

/** The error code carried by every refusal, mapped to the `ssrf_blocked` attempt error. */
export const SSRF_BLOCKED = "SSRF_BLOCKED";

/** A connection refused because the target address is not public. */
export class SsrfBlockedError extends Error {
  readonly code = SSRF_BLOCKED;
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(
      hostname === address
        ? `refusing to connect to ${address}: not a public address`
        : `refusing to connect to ${hostname}: it resolves to ${address}, not a public address`,
    );
    this.name = "SsrfBlockedError";
  }
}

// Non-public IPv4 ranges, after the IANA special-purpose address registry.
const BLOCKED_IPV4: readonly (readonly [string, number])[] = [
  ["0.0.0.0", 8], // "this network", includes the unspecified 0.0.0.0
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, includes the cloud metadata service 169.254.169.254
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation (TEST-NET-1)
  ["192.88.99.0", 24], // deprecated 6to4 relay anycast
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation (TEST-NET-2)
  ["203.0.113.0", 24], // documentation (TEST-NET-3)
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, includes broadcast 255.255.255.255
];

const BLOCKED_IPV6: readonly (readonly [string, number])[] = [
  ["::", 96], // unspecified, loopback ::1 and the deprecated IPv4-compatible form
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard-only
  ["2001::", 23], // IETF protocol assignments: Teredo, benchmarking, ORCHID
  ["2001:db8::", 32], // documentation
  ["3fff::", 20], // documentation
  ["5f00::", 16], // SRv6 SIDs
  ["fc00::", 7], // unique local, includes the AWS metadata service fd00:ec2::254
  ["fe80::", 10], // link-local
  ["fec0::", 10], // deprecated site-local
  ["ff00::", 8], // multicast
];

const hex16 = (high = 0, low = 0) => ((high << 8) | low).toString(16);

/** IPv6 forms that carry an IPv4 address: each is blocked where the embedded address would be. */
const IPV4_EMBEDDINGS: readonly { bits: number; embed: (octets: readonly number[]) => string }[] = [
  { bits: 96, embed: (o) => `::ffff:${o.join(".")}` }, // IPv4-mapped ::ffff:0:0/96
  { bits: 96, embed: (o) => `::ffff:0:${o.join(".")}` }, // IPv4-translated ::ffff:0:0:0/96 (SIIT)
  { bits: 96, embed: (o) => `64:ff9b::${o.join(".")}` }, // NAT64 well-known prefix 64:ff9b::/96
  { bits: 16, embed: ([a, b, c, d]) => `2002:${hex16(a, b)}:${hex16(c, d)}::` }, // 6to4 2002::/16
];

const blocked = new BlockList();
for (const [network, prefix] of BLOCKED_IPV4) {
  blocked.addSubnet(network, prefix, "ipv4");
  const octets = network.split(".").map(Number);
  for (const { bits, embed } of IPV4_EMBEDDINGS) blocked.addSubnet(embed(octets), bits + prefix, "ipv6");
}
for (const [network, prefix] of BLOCKED_IPV6) blocked.addSubnet(network, prefix, "ipv6");

/**
 * True if `ip` must not be connected to: any non-public IPv4 or IPv6 address, including IPv4
 * addresses embedded in IPv6. Anything that is not a plain IP address (a zone id, brackets, a
 * name, garbage) is blocked too, since `BlockList.check` answers false for input it cannot parse.
 */
export function isBlockedAddress(ip: string): boolean {
  if (ip.includes("%")) return true; // a zone id only makes sense for link-local addresses
  const version = isIP(ip);
  if (version === 4) return blocked.check(ip, "ipv4");
  if (version === 6) return blocked.check(ip, "ipv6");
  return true;
}

/** The IP address a URL hostname names, without IPv6 brackets, or undefined for a DNS name. */
export function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return isIP(bare) === 0 ? undefined : bare;
}

/** The resolver behind the guarded lookup; `dns.lookup` unless a test injects another. */
export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** How the guard resolves names, and whether it lets private addresses through. */
export interface SsrfGuardOptions {
  allowPrivateNetwork?: boolean;
  resolve?: Resolver;
}

/**
 * A `lookup` for `net.connect` (undici's `connect` option) that resolves every address of a name
 * and fails with `SSRF_BLOCKED` if ANY of them is blocked, so a name cannot smuggle one private
 * address among public ones for Happy Eyeballs to pick.
 */
export function createSsrfLookup(options: SsrfGuardOptions = {}): LookupFunction {
  const resolve: Resolver = options.resolve ?? dns.lookup;
  const allowPrivate = options.allowPrivateNetwork === true;
  return (hostname, lookupOptions, callback) => {
    resolve(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const first = addresses[0];
      if (first === undefined) {
        const notFound: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        notFound.code = "ENOTFOUND";
        return callback(notFound, "", 0);
      }
      const bad = allowPrivate ? undefined : addresses.find((entry) => isBlockedAddress(entry.address));
      if (bad) return callback(new SsrfBlockedError(hostname, bad.address), "", 0);
      // With autoSelectFamily (Node's default) net asks for every address; otherwise for one.
      if (lookupOptions.all) return callback(null, addresses);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * An undici connector that refuses blocked addresses: an IP literal before any socket is opened
 * (`net.connect` skips `lookup` for those), a name through the guarded lookup.
 */
export function createSsrfConnector(
  guard: SsrfGuardOptions = {},
  connectOptions: buildConnector.BuildOptions = {},
): buildConnector.connector {
  const connect = buildConnector({ ...connectOptions, lookup: createSsrfLookup(guard) });
  const allowPrivate = guard.allowPrivateNetwork === true;
  return (target, callback) => {
    const literal = ipLiteral(target.hostname);
    if (!allowPrivate && literal !== undefined && isBlockedAddress(literal)) {
      callback(new SsrfBlockedError(literal, literal), null);
      return;
    }
    connect(target, callback);
  };
}
