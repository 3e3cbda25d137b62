/**
 * Sends one delivery attempt and says what happened. `send` never throws: an HTTP response of any
 * status (3xx included — redirects are never followed) is a `response`, everything else an `error`
 * of a fixed kind. Two keep-alive undici agents live for the client's lifetime: one guarded
 * against non-public addresses, one for endpoints allowed to reach private networks.
 */
import type { Readable } from "node:stream";
import { Agent } from "undici";
import { type AttemptErrorKind, classifyError, safeErrorMessage } from "./attempt-errors.js";
import { createSsrfConnector, ipLiteral, isBlockedAddress, SsrfBlockedError } from "./ssrf.js";

export type { AttemptErrorKind } from "./attempt-errors.js";

/** One POST to an endpoint. */
export interface AttemptRequest {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
  /** Deadline for the whole attempt: connect, response headers and the (capped) body. */
  timeoutMs: number;
  allowPrivateNetwork: boolean;
}

/** What one attempt produced; `body` is the first `maxResponseBytes` of the response, UTF-8 decoded. */
export type AttemptResult =
  | {
      kind: "response";
      status: number;
      headers: Record<string, string>;
      body: string;
      truncated: boolean;
      durationMs: number;
    }
  | { kind: "error"; error: AttemptErrorKind; message: string; durationMs: number };

export interface DeliveryClientOptions {
  /** Milliseconds from any origin, used only for `durationMs`; monotonic `performance.now` by default. */
  clock?: () => number;
  /** How much of a response body is kept; the rest is not read. 16 KiB by default. */
  maxResponseBytes?: number;
  /** Connections per origin; unlimited by default, so the worker's concurrency is the only bound. */
  connections?: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024;

/** The delivery HTTP client: one instance per process, `close()` on shutdown. */
export class DeliveryClient {
  readonly #clock: () => number;
  readonly #maxResponseBytes: number;
  readonly #guarded: Agent;
  readonly #private: Agent;

  constructor(options: DeliveryClientOptions = {}) {
    this.#clock = options.clock ?? (() => performance.now());
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const connections = options.connections ?? null;
    this.#guarded = new Agent({ connections, connect: createSsrfConnector() });
    this.#private = new Agent({ connections });
  }

  /** Sends one attempt; resolves with a response or a classified error, never rejects. */
  async send(req: AttemptRequest): Promise<AttemptResult> {
    const started = this.#clock();
    const elapsed = () => Math.max(0, Math.round(this.#clock() - started));
    const fail = (error: AttemptErrorKind, message: string): AttemptResult => ({
      kind: "error",
      error,
      message,
      durationMs: elapsed(),
    });

    const url = URL.canParse(req.url) ? new URL(req.url) : undefined;
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
      return fail("invalid_url", "the endpoint URL is not an absolute http(s) URL");
    }
    // The connector refuses these too; checking here skips creating a pool for the origin.
    const literal = ipLiteral(url.hostname);
    if (!req.allowPrivateNetwork && literal !== undefined && isBlockedAddress(literal)) {
      return fail("ssrf_blocked", new SsrfBlockedError(literal, literal).message);
    }

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, req.timeoutMs);
    try {
      const agent = req.allowPrivateNetwork ? this.#private : this.#guarded;
      const response = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: "POST",
        headers: req.headers,
        body: req.body,
        signal: controller.signal,
      });
      const { text, truncated } = await readCapped(response.body, this.#maxResponseBytes);
      return {
        kind: "response",
        status: response.statusCode,
        headers: joinHeaders(response.headers),
        body: text,
        truncated,
        durationMs: elapsed(),
      };
    } catch (err) {
      if (timedOut) return fail("timeout", `no complete response within ${req.timeoutMs} ms`);
      return fail(classifyError(err), safeErrorMessage(err, { headers: req.headers, url, body: req.body }));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes both agents once in-flight attempts finish. */
  async close(): Promise<void> {
    await Promise.all([this.#guarded.close(), this.#private.close()]);
  }
}

/**
 * Reads at most `max` bytes, then stops: leaving the loop early destroys the body, which makes
 * undici drop that connection instead of draining an arbitrarily large response into memory.
 */
async function readCapped(body: Readable, max: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = max - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      size = max;
      truncated = true;
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  // A multi-byte character cut at the cap decodes as U+FFFD: lossy, as documented.
  return { text: Buffer.concat(chunks, size).toString("utf8"), truncated };
}

function joinHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}
