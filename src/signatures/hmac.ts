import { createHmac, timingSafeEqual } from "node:crypto";

/** Settings of the generic HMAC scheme. */
export interface HmacScheme {
  algorithm: "sha1" | "sha256" | "sha512";
  encoding: "hex" | "base64";
  prefix: string;
}

const DIGEST_BYTES = { sha1: 20, sha256: 32, sha512: 64 } as const;
const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes a signature header into digest bytes; null when it is malformed or the wrong length. */
export function decodeSignature(header: string, scheme: HmacScheme): Buffer | null {
  if (!header.startsWith(scheme.prefix)) return null;
  const text = header.slice(scheme.prefix.length);
  const bytes = DIGEST_BYTES[scheme.algorithm];
  // Buffer.from drops a trailing odd nibble or stray base64, so the text's exact length is checked first.
  const valid =
    scheme.encoding === "hex"
      ? text.length === bytes * 2 && HEX.test(text)
      : text.length === Math.ceil(bytes / 3) * 4 && BASE64.test(text);
  if (!valid) return null;
  const decoded = Buffer.from(text, scheme.encoding);
  return decoded.length === bytes ? decoded : null;
}

/** Verifies `header` against the HMAC of the raw body under any of `secrets`, in constant time. */
export function verifyHmac(
  body: Uint8Array | string,
  header: string | undefined,
  secrets: readonly string[],
  scheme: HmacScheme,
): boolean {
  if (!header) return false;
  const given = decodeSignature(header, scheme);
  if (!given) return false;
  let ok = false;
  // Every secret is tried, matched or not, so timing says nothing about which one matched.
  for (const secret of secrets) {
    const expected = createHmac(scheme.algorithm, secret).update(body).digest();
    if (timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}
