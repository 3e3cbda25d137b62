/**
 * The `x-vercel-signature` scheme (hex HMAC-SHA1 of the raw body, see vercel.ts) on WebCrypto, for
 * runtimes without node:crypto: edge functions, Cloudflare Workers, Deno, Bun. Asynchronous, as
 * WebCrypto is; it imports nothing, so the web entry of `switchyard/vercel` stays free of node:.
 */

const encoder = new TextEncoder();
/** Exactly 20 bytes of hex: anything else is refused before any HMAC is computed. */
const HEX_SHA1 = /^[0-9a-fA-F]{40}$/;

/** Raw body bytes as Vercel signed them: strings as UTF-8. */
export type RawBody = Uint8Array | ArrayBuffer | string;

function bytesOf(body: RawBody): Uint8Array<ArrayBuffer> {
  if (typeof body === "string") return encoder.encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  // A view over a larger or shared buffer is copied so that exactly its bytes are signed.
  return new Uint8Array(body);
}

function hmacKey(secret: string, usage: "sign" | "verify") {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-1" }, false, [
    usage,
  ]);
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** The `x-vercel-signature` value for a raw body: lower-case hex HMAC-SHA1 under `secret`. */
export async function signVercelPayload(rawBody: RawBody, secret: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), bytesOf(rawBody));
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * True if `header` is the signature of `rawBody` under any of `secrets`. WebCrypto's verify
 * compares in constant time; every secret is tried, so timing does not tell which one matched.
 * False for a missing or malformed header; empty secrets are skipped (anyone could sign with one).
 */
export async function verifyVercelPayloadSignature(
  rawBody: RawBody,
  header: string | null | undefined,
  secrets: readonly string[],
): Promise<boolean> {
  if (typeof header !== "string" || !HEX_SHA1.test(header)) return false;
  const given = hexToBytes(header);
  const body = bytesOf(rawBody);
  let ok = false;
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret === "") continue;
    if (await crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), given, body)) ok = true;
  }
  return ok;
}
