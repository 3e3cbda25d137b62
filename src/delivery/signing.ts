/**
 * Signatures on outgoing deliveries. Both schemes sign with the code ingest verifies with
 * (`signatures/`), so a delivery Switchyard signs is one Switchyard (and the reference libraries) accept.
 */
import { signStandardWebhook } from "../signatures/standard-webhooks.js";
import { signVercelBody } from "../signatures/vercel.js";

/**
 * Standard Webhooks headers for one message: one `v1,<base64>` entry per `whsec_` secret, so a
 * receiver holding either the old or the new secret accepts the request while a key is rotated.
 */
export function signStandardWebhooks(
  secrets: readonly string[],
  msgId: string,
  timestampSec: number,
  body: Uint8Array,
): Record<string, string> {
  if (secrets.length === 0) throw new RangeError("signStandardWebhooks needs at least one secret");
  if (!Number.isSafeInteger(timestampSec)) throw new RangeError("webhook-timestamp must be whole seconds");
  const signature = secrets
    .map((secret) => `v1,${signStandardWebhook(secret, msgId, timestampSec, body)}`)
    .join(" ");
  return { "webhook-id": msgId, "webhook-timestamp": String(timestampSec), "webhook-signature": signature };
}

/**
 * The `x-vercel-signature` header (hex HMAC-SHA1 of the body). Vercel's header carries a single
 * signature, so of several configured secrets the first — the current one — signs.
 */
export function signVercel(secret: string | readonly string[], body: Uint8Array): Record<string, string> {
  const key = typeof secret === "string" ? secret : secret[0];
  // An empty key is a signature anyone can forge; refuse rather than send one.
  if (!key) throw new RangeError("signVercel needs a non-empty secret");
  return { "x-vercel-signature": signVercelBody(body, key) };
}
