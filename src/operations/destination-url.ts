import { lookup } from "node:dns/promises";
import { ipLiteral, isBlockedAddress } from "../core/ssrf.js";

/** Resolves a host name to every address it has; node's `dns.lookup` unless a test passes its own. */
export type HostResolver = (hostname: string) => Promise<string[]>;

const resolveAll: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true })).map((entry) => entry.address);

/**
 * What is wrong with a URL a person gives as a destination, checked as the delivery's SSRF guard
 * will check it: http(s) only, and (unless private networks are allowed) no private, loopback or
 * link-local address, by literal or by any address its name resolves to. Null when it is fine.
 */
export async function destinationUrlProblem(
  text: string,
  allowPrivateNetworks: boolean,
  resolve: HostResolver = resolveAll,
): Promise<string | null> {
  if (!URL.canParse(text)) return "enter a full URL, such as https://example.com/api/webhooks";
  const url = new URL(text);
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return "the URL must start with https:// or http://";
  if (url.username || url.password) return "the URL must not carry a user name or password";
  if (allowPrivateNetworks) return null;
  const literal = ipLiteral(url.hostname);
  if (literal !== undefined)
    return isBlockedAddress(literal)
      ? "the URL points to a private or local address, which is not reachable from here"
      : null;
  let addresses: string[];
  try {
    addresses = await resolve(url.hostname);
  } catch {
    return `the host ${url.hostname} could not be found`;
  }
  if (addresses.length === 0) return `the host ${url.hostname} could not be found`;
  return addresses.some(isBlockedAddress)
    ? `the host ${url.hostname} resolves to a private or local address, which is not reachable from here`
    : null;
}
