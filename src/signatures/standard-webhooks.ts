import { createHmac, timingSafeEqual } from "node:crypto";

/** The three headers of a Standard Webhooks request. */
export interface StandardWebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

/** Decodes a `whsec_<base64>` secret into its key bytes. */
export function standardWebhooksKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");
}

/** Signs `id.timestamp.body` as Standard Webhooks does: base64 HMAC-SHA256 with the secret's key. */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: Uint8Array): string {
  return createHmac("sha256", standardWebhooksKey(secret))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest("base64");
}

/**
 * Verifies a Standard Webhooks signature: any `v1,<sig>` entry of the header must match under any
 * secret, and the timestamp must lie within `toleranceMs` of `now`.
 */
export function verifyStandardWebhook(
  body: Uint8Array,
  headers: StandardWebhookHeaders,
  secrets: readonly string[],
  now: number,
  toleranceMs: number,
): boolean {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const seconds = Number(timestamp);
  if (Math.abs(now - seconds * 1000) > toleranceMs) return false;
  const given = signature
    .split(" ")
    .filter((entry) => entry.startsWith("v1,"))
    .map((entry) => Buffer.from(entry.slice(3), "base64"))
    .filter((bytes) => bytes.length === 32);
  let ok = false;
  for (const secret of secrets) {
    const expected = Buffer.from(signStandardWebhook(secret, id, seconds, body), "base64");
    for (const candidate of given) if (timingSafeEqual(expected, candidate)) ok = true;
  }
  return ok;
}
