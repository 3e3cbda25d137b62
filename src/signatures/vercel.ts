/**
 * The `x-vercel-signature` scheme: hex HMAC-SHA1 of the raw request body (reference §2.1). The key
 * is the integration's client secret or the account webhook's own secret. Several secrets may be
 * configured so that one can be rotated while deliveries signed with the other are still in flight.
 */
import { createHmac } from "node:crypto";
import { type HmacScheme, verifyHmac } from "./hmac.js";

/** hex HMAC-SHA1 with no prefix; a header must be exactly 40 hex characters (20 bytes). */
export const VERCEL_SCHEME: HmacScheme = { algorithm: "sha1", encoding: "hex", prefix: "" };

function hmacSha1(rawBody: Uint8Array | string, secret: string): Buffer {
  // Strings are signed as their UTF-8 bytes, which is what Vercel put on the wire.
  return createHmac("sha1", secret).update(rawBody).digest();
}

/** The `x-vercel-signature` value for a raw body: lower-case hex HMAC-SHA1 under `secret`. */
export function signVercelBody(rawBody: Uint8Array | string, secret: string): string {
  return hmacSha1(rawBody, secret).toString("hex");
}

/**
 * True if `header` is the signature of `rawBody` under any of `secrets`. Compares in constant time,
 * accepts upper-case hex, and returns false (never throws) for a missing or malformed header, an
 * empty secret list or any other unusable input. Empty secrets are ignored: anyone could sign with one.
 */
export function verifyVercelSignature(
  rawBody: Uint8Array | string,
  header: string | undefined | null,
  secrets: readonly string[],
): boolean {
  try {
    if (typeof header !== "string" || !Array.isArray(secrets)) return false;
    const usable = secrets.filter((s): s is string => typeof s === "string" && s !== "");
    return verifyHmac(rawBody, header, usable, VERCEL_SCHEME);
  } catch {
    return false;
  }
}
