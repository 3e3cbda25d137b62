/**
 * Verifying a Vercel webhook in app code: the raw bytes against the signature first, then JSON,
 * then the catalog. The result is typed as the catalog's event union, so it is checked as that:
 * an unknown type, or a known one whose envelope does not match its schema, is refused with
 * `invalid_event` rather than handed on under a type it does not have. Web APIs only (WebCrypto,
 * `Request`, `TextDecoder`): this module runs on Node, edge functions, Workers, Deno and Bun.
 */
import { type RawBody, verifyVercelPayloadSignature } from "../signatures/vercel-webcrypto.js";
import type { VercelEvent } from "./catalog.js";
import { lookupEventType } from "./lookup.js";
import { formatSchemaIssues } from "./schema-issues.js";
import { VercelWebhookError } from "./webhook-errors.js";

/**
 * One secret, or several while one is rotated: a signature under any of them is accepted. Unset
 * (undefined) and empty ones are skipped, so environment variables can be given as they are; none
 * usable at all throws a TypeError.
 */
export type VercelWebhookSecrets = string | undefined | readonly (string | undefined)[];

/** Options of the verifying functions. */
export interface VerifyOptions {
  /** The largest body read, in bytes; a larger one is refused with `payload_too_large`. 1 MiB by default, as the gateway's. */
  maxBytes?: number;
}

/** The gateway's default `limits.maxBodyBytes`. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

/** The header Vercel signs with. */
export const SIGNATURE_HEADER = "x-vercel-signature";

/**
 * The usable secrets of `secrets`. None at all is a misconfiguration (an unset environment
 * variable, typically), not a bad request: it throws a TypeError, which the framework helpers let
 * through as a 500, so that Vercel retries once the secret is set.
 */
export function usableSecrets(secrets: VercelWebhookSecrets): readonly string[] {
  const list = typeof secrets === "string" ? [secrets] : Array.isArray(secrets) ? secrets : [];
  const usable = list.filter((s): s is string => typeof s === "string" && s !== "");
  if (usable.length === 0) {
    throw new TypeError("no Vercel webhook secret is set: give a non-empty secret or a list of them");
  }
  return usable;
}

/** The largest body allowed by `options`, checked to be a positive whole number. */
export function maxBytesOf(options: VerifyOptions): number {
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(max) || max <= 0) {
    throw new TypeError(`maxBytes must be a positive whole number of bytes, not ${String(max)}`);
  }
  return max;
}

/** A refusal for a body larger than `maxBytes`. */
export function tooLarge(maxBytes: number): VercelWebhookError {
  return new VercelWebhookError("payload_too_large", `the body exceeds ${maxBytes} bytes`);
}

/** A refusal for a request without the signature header; its body need not be read. */
export function missingSignature(): VercelWebhookError {
  return new VercelWebhookError("invalid_signature", `the ${SIGNATURE_HEADER} header is missing`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new VercelWebhookError("invalid_json", "the body is not valid JSON");
  }
}

/** The event a parsed body is, or an `invalid_event` refusal saying why it is not one. */
function eventOf(body: unknown): VercelEvent {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new VercelWebhookError("invalid_event", "the body is not a JSON object");
  }
  const { id, type } = body as { id?: unknown; type?: unknown };
  if (typeof id !== "string" || typeof type !== "string") {
    throw new VercelWebhookError("invalid_event", "a Vercel event needs string `id` and `type`");
  }
  const entry = lookupEventType(type);
  if (entry === undefined) throw new VercelWebhookError("invalid_event", `unknown event type "${type}"`);
  // zod alone, not classifyEvent's compiled fast check: compiling code at run time is refused by
  // Workers and warned about by Next's Edge runtime, and one event at a time needs no such speed.
  const result = entry.schema.safeParse(body);
  if (!result.success) {
    const issues = formatSchemaIssues(result.error.issues);
    throw new VercelWebhookError(
      "invalid_event",
      `the body does not match the schema of ${entry.type}: ${issues.join("; ")}`,
      issues,
    );
  }
  // The envelope as sent, not zod's copy of it: loose objects keep every field either way.
  return body as VercelEvent;
}

/**
 * Verifies a raw body and its `x-vercel-signature` header value under `secrets`, then parses and
 * checks it against the catalog. Throws a {@link VercelWebhookError} for a refused webhook.
 */
export async function verifyVercelPayload(
  rawBody: RawBody,
  signature: string | null | undefined,
  secrets: VercelWebhookSecrets,
): Promise<VercelEvent> {
  const keys = usableSecrets(secrets);
  if (signature === null || signature === undefined || signature === "") throw missingSignature();
  if (!(await verifyVercelPayloadSignature(rawBody, signature, keys))) {
    throw new VercelWebhookError("invalid_signature", "the signature does not match");
  }
  const text = typeof rawBody === "string" ? rawBody : new TextDecoder().decode(rawBody);
  return eventOf(parseJson(text));
}

/** Reads a stream to its end, refusing it as soon as it passes `maxBytes`. */
async function readCapped(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // The rest is not read: cancelling lets the runtime drop it.
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** The raw body of a Web `Request`, under the size cap (`content-length` is checked first). */
export async function readRequestBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (request.body === null) return new Uint8Array(0);
  return readCapped(request.body, maxBytes);
}

/**
 * Verifies a Web `Request` (Next.js App Router, Hono, Bun, Deno, Cloudflare Workers) signed by
 * Vercel and returns its typed event; throws a {@link VercelWebhookError} for a refused webhook.
 * A request without the signature header is refused before its body is read. Reads the body.
 */
export async function verifyVercelWebhook(
  request: Request,
  secrets: VercelWebhookSecrets,
  options: VerifyOptions = {},
): Promise<VercelEvent> {
  const keys = usableSecrets(secrets);
  const maxBytes = maxBytesOf(options);
  const signature = request.headers.get(SIGNATURE_HEADER);
  if (signature === null || signature === "") throw missingSignature();
  return verifyVercelPayload(await readRequestBody(request, maxBytes), signature, keys);
}
