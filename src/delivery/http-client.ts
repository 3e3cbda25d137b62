/**
 * Sends one delivery attempt and says what happened. `send` never throws: an HTTP response of any
 * status (3xx included — redirects are never followed) is a `response`, everything else an `error`
 * of a fixed kind. Two keep-alive undici agents live for the client's lifetime: one guarded
 * against non-public addresses, one for endpoints allowed to reach private networks.
 */
import { Agent, type Dispatcher } from "undici";
import { createSsrfConnector, ipLiteral, isBlockedAddress, SsrfBlockedError } from "../core/ssrf.js";
import { type BodyEncoding, storableBody } from "../core/text.js";
import { type AttemptErrorKind, classifyError, safeErrorMessage } from "./attempt-errors.js";

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

/**
 * What one attempt produced; `body` is the first `maxResponseBytes` of the response: as text when
 * those bytes are valid UTF-8 without NUL, else base64 (`bodyEncoding`), so any body is kept whole.
 */
export type AttemptResult =
  | {
      kind: "response";
      status: number;
      headers: Record<string, string>;
      body: string;
      bodyEncoding: BodyEncoding;
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

/** Endpoint URLs kept parsed; one per destination, so more than a node sends to is rare. */
const MAX_TARGETS = 1024;

/** An endpoint URL as a request needs it; `url` is shared by every attempt to it and never changed. */
interface Target {
  url: URL;
  origin: string;
  /** The path and query, as the request line carries them. */
  path: string;
  /** The IP address the URL names as its host, if it names one rather than a name to resolve. */
  literal: string | undefined;
}

/** The delivery HTTP client: one instance per process, `close()` on shutdown. */
export class DeliveryClient {
  readonly #clock: () => number;
  readonly #maxResponseBytes: number;
  readonly #guarded: Agent;
  readonly #private: Agent;
  readonly #targets = new Map<string, Target | null>();

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

    const target = this.#target(req.url);
    if (target === null) return fail("invalid_url", "the endpoint URL is not an absolute http(s) URL");
    const { url, origin, path, literal } = target;
    // The connector refuses these too; checking here skips creating a pool for the origin.
    if (!req.allowPrivateNetwork && literal !== undefined && isBlockedAddress(literal)) {
      return fail("ssrf_blocked", new SsrfBlockedError(literal, literal).message);
    }

    const agent = req.allowPrivateNetwork ? this.#private : this.#guarded;
    return new Promise<AttemptResult>((resolve) => {
      const attempt = new Attempt(this.#maxResponseBytes, (outcome) => {
        clearTimeout(timer);
        if (outcome.kind === "error") {
          resolve(
            fail(
              classifyError(outcome.error),
              safeErrorMessage(outcome.error, { headers: req.headers, url, body: req.body }),
            ),
          );
          return;
        }
        const { status, headers, chunks, size, truncated } = outcome;
        // A gzip body, a NUL, a character cut at the cap: base64, so nothing is lost or unstorable.
        const body = storableBody(Buffer.concat(chunks, size));
        resolve({
          kind: "response",
          status,
          headers: joinHeaders(headers),
          body: body.text,
          bodyEncoding: body.encoding,
          truncated,
          durationMs: elapsed(),
        });
      });
      const timer = setTimeout(() => {
        attempt.abandon();
        resolve(fail("timeout", `no complete response within ${req.timeoutMs} ms`));
      }, req.timeoutMs);
      agent.dispatch(
        {
          origin,
          path,
          method: "POST",
          headers: req.headers,
          body: req.body,
        },
        attempt,
      );
    });
  }

  /**
   * An endpoint URL parsed, or null when it is not an absolute http(s) URL: once per URL rather than
   * once per attempt. At most `MAX_TARGETS` are kept; past that the cache starts again.
   */
  #target(href: string): Target | null {
    let target = this.#targets.get(href);
    if (target !== undefined) return target;
    const url = URL.canParse(href) ? new URL(href) : undefined;
    target =
      url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === ""
        ? null
        : { url, origin: url.origin, path: `${url.pathname}${url.search}`, literal: ipLiteral(url.hostname) };
    if (this.#targets.size >= MAX_TARGETS) this.#targets.clear();
    this.#targets.set(href, target);
    return target;
  }

  /** Closes both agents once in-flight attempts finish. */
  async close(): Promise<void> {
    await Promise.all([this.#guarded.close(), this.#private.close()]);
  }
}

type AttemptEnd =
  | {
      kind: "response";
      status: number;
      headers: Record<string, string | string[] | undefined>;
      chunks: Buffer[];
      size: number;
      truncated: boolean;
    }
  | { kind: "error"; error: unknown };

/**
 * One attempt as an undici dispatch handler: it keeps the status, the headers and at most `max`
 * bytes of the body, and ends once, with a response or an error. Past the cap it aborts the request,
 * which makes undici drop that connection instead of draining an arbitrarily large response into
 * memory. (A dispatch handler rather than `request()` spares a body stream, an AbortController and
 * an async iterator per attempt.)
 */
class Attempt implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | null = null;
  #status = 0;
  #headers: Record<string, string | string[] | undefined> = {};
  #chunks: Buffer[] = [];
  #size = 0;
  #ended = false;

  constructor(
    private readonly max: number,
    private readonly end: (outcome: AttemptEnd) => void,
  ) {}

  /** Ends the attempt early (its deadline passed): aborts the request, now or once it starts. */
  abandon(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#controller?.abort(new Error("attempt abandoned"));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#ended) controller.abort(new Error("attempt abandoned"));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return; // 1xx: informational, the response is still to come
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#ended) return;
    const room = this.max - this.#size;
    if (chunk.length <= room) {
      this.#chunks.push(chunk);
      this.#size += chunk.length;
      return;
    }
    this.#chunks.push(chunk.subarray(0, room));
    this.#size = this.max;
    this.#finish(true);
    controller.abort(new Error("response body over the cap"));
  }

  onResponseEnd(): void {
    if (!this.#ended) this.#finish(false);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.end({ kind: "error", error });
  }

  #finish(truncated: boolean): void {
    this.#ended = true;
    this.end({
      kind: "response",
      status: this.#status,
      headers: this.#headers,
      chunks: this.#chunks,
      size: this.#size,
      truncated,
    });
  }
}

function joinHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}
