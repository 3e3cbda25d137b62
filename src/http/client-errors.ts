import type { Duplex } from "node:stream";
import { ERROR_CODES } from "./errors.js";

/** What Node's HTTP parser may refuse before any handler sees the request, and the answer to each. */
const ANSWERS = {
  headers_too_large: {
    reason: "Request Header Fields Too Large",
    message: "the request headers are too large",
  },
  request_timeout: { reason: "Request Timeout", message: "the request did not arrive in time" },
  bad_request: { reason: "Bad Request", message: "the request is not well-formed HTTP" },
} as const;

export type ClientErrorCode = keyof typeof ANSWERS;

/** Node's error codes with an answer of their own; anything else malformed is `bad_request`. */
const BY_NODE_CODE: Readonly<Record<string, ClientErrorCode>> = {
  HPE_HEADER_OVERFLOW: "headers_too_large",
  ERR_HTTP_REQUEST_TIMEOUT: "request_timeout",
};

/** Each raw answer, built once: these come in bursts when a client misbehaves. */
const RAW = Object.fromEntries(
  Object.entries(ANSWERS).map(([code, { reason, message }]) => {
    const body = JSON.stringify({ code, message });
    const status = ERROR_CODES[code as ClientErrorCode].status;
    const head = `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n`;
    return [code, `${head}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`];
  }),
) as Record<ClientErrorCode, string>;

/** The code a refused request is answered with, or null when the peer is gone (a reset). */
export function clientErrorCode(error: Error & { code?: string }): ClientErrorCode | null {
  if (error.code === "ECONNRESET" || error.code === "EPIPE") return null;
  return BY_NODE_CODE[error.code ?? ""] ?? "bad_request";
}

/**
 * Answers what Node's HTTP parser refused (`clientError`): 431 for headers over the limit, 408
 * when the headers or the whole request did not arrive in time, 400 for anything else
 * malformed; then closes the connection. As Node does, nothing is written once an answer on this
 * socket has begun.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): ClientErrorCode | null {
  const code = clientErrorCode(error);
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (code !== null && socket.writable && !inFlight?.headersSent) socket.write(RAW[code]);
  socket.destroy();
  return code;
}
