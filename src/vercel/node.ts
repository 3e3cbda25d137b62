/**
 * `switchyard/vercel/node`: Vercel webhook verification for Node's own request object
 * (`node:http`, Express, Fastify's raw request), and the synchronous node:crypto signature helpers
 * that Switchyard itself verifies and signs with. The Web `Request` variant is in `switchyard/vercel`.
 */
import type { IncomingMessage } from "node:http";
import type { VercelEvent } from "./catalog.js";
import {
  maxBytesOf,
  missingSignature,
  SIGNATURE_HEADER,
  tooLarge,
  usableSecrets,
  type VercelWebhookSecrets,
  type VerifyOptions,
  verifyVercelPayload,
} from "./verify-webhook.js";

export { signVercelBody, verifyVercelSignature } from "../signatures/vercel.js";
export type { VercelWebhookSecrets, VerifyOptions } from "./verify-webhook.js";
export { isVercelWebhookError, VercelWebhookError, type VercelWebhookErrorCode } from "./webhook-errors.js";

/** A Node request, perhaps with a body already read by a body parser (`express.raw()` gives a Buffer). */
export type NodeWebhookRequest = IncomingMessage & { body?: unknown };

/**
 * Reads the rest of a request, refusing it as soon as it passes `maxBytes`. A refused request is
 * left paused, not destroyed, so that its 413 can still be written (with `connection: close`).
 */
function readStream(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        stop();
        req.pause();
        reject(tooLarge(maxBytes));
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    const onClose = () => {
      stop();
      reject(new Error("the request was aborted before its body was read"));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/** The raw bytes of a request: a body parser's Buffer or string, or the stream read here. */
async function rawBodyOf(req: NodeWebhookRequest, maxBytes: number): Promise<Uint8Array | string> {
  const { body } = req;
  if (body instanceof Uint8Array || typeof body === "string") {
    const size = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    return body;
  }
  if (body !== undefined && body !== null && !isEmptyParsedBody(body, req)) {
    // A JSON parser ran first: the signed bytes are gone and cannot be rebuilt from the object.
    throw new TypeError(
      "the request body was already parsed: verify before express.json(), or give the route express.raw({ type: '*/*' })",
    );
  }
  if (req.readableEnded) {
    throw new TypeError("the request body was already read, and no body parser kept its bytes");
  }
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  return readStream(req, maxBytes);
}

/** Express 5 leaves `req.body` undefined when no parser ran; Express 4 sets `{}` and leaves the stream unread. */
function isEmptyParsedBody(body: unknown, req: IncomingMessage): boolean {
  return typeof body === "object" && body !== null && Object.keys(body).length === 0 && !req.readableEnded;
}

/**
 * Verifies a Node request signed by Vercel and returns its typed event; throws a
 * {@link VercelWebhookError} for a refused webhook. A request without the signature header is
 * refused before its body is read. Reads the body unless a body parser already has (as bytes).
 */
export async function verifyVercelRequest(
  req: NodeWebhookRequest,
  secrets: VercelWebhookSecrets,
  options: VerifyOptions = {},
): Promise<VercelEvent> {
  const keys = usableSecrets(secrets);
  const maxBytes = maxBytesOf(options);
  const header = req.headers[SIGNATURE_HEADER];
  const signature = Array.isArray(header) ? header[0] : header;
  if (signature === undefined || signature === "") throw missingSignature();
  return verifyVercelPayload(await rawBodyOf(req, maxBytes), signature, keys);
}
