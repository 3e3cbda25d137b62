import type { IncomingHttpHeaders } from "node:http";
import type { SourceConfig } from "../config/schema.js";
import { verifyHmac } from "../signatures/hmac.js";
import { verifyStandardWebhook } from "../signatures/standard-webhooks.js";
import { verifyVercelSignature } from "../signatures/vercel.js";

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Verifies a request's raw bytes against its source's scheme and secrets. Pure but for the clock
 * it is given. A source with no secrets accepts only when it says `insecure: true`.
 */
export function verifyRequest(
  source: SourceConfig,
  body: Uint8Array,
  headers: IncomingHttpHeaders,
  now: number,
): boolean {
  if (source.secrets.length === 0) return source.insecure;
  switch (source.kind) {
    case "vercel":
      return verifyVercelSignature(body, header(headers, "x-vercel-signature"), source.secrets);
    case "hmac":
      return verifyHmac(body, header(headers, source.header), source.secrets, source);
    case "standard-webhooks":
      return verifyStandardWebhook(
        body,
        {
          id: header(headers, "webhook-id"),
          timestamp: header(headers, "webhook-timestamp"),
          signature: header(headers, "webhook-signature"),
        },
        source.secrets,
        now,
        source.tolerance,
      );
  }
}

/**
 * Whether a request carries the headers its source's scheme signs with, so that one without them
 * can be refused before its body is read. True for a source that accepts unsigned requests.
 */
export function hasSignatureHeaders(source: SourceConfig, headers: IncomingHttpHeaders): boolean {
  if (source.secrets.length === 0) return source.insecure;
  switch (source.kind) {
    case "vercel":
      return Boolean(header(headers, "x-vercel-signature"));
    case "hmac":
      return Boolean(header(headers, source.header));
    case "standard-webhooks":
      return ["webhook-id", "webhook-timestamp", "webhook-signature"].every((name) => header(headers, name));
  }
}

/** The sender's id for an event, used to recognise repeats: a header or the body's `id`. */
export function externalIdOf(
  source: SourceConfig,
  headers: IncomingHttpHeaders,
  parsed: unknown,
): string | null {
  if (source.kind === "standard-webhooks") return header(headers, "webhook-id") ?? null;
  if (parsed !== null && typeof parsed === "object" && "id" in parsed && typeof parsed.id === "string") {
    return parsed.id;
  }
  return null;
}
