/**
 * How a failed delivery attempt is named. Every error undici or Node can raise maps to one kind, so
 * the retry policy can switch on a closed set, and the message is scrubbed of anything secret.
 */
import { clipText } from "../core/clip.js";
import { redactUrlsIn, secretsOfUrl } from "../core/redact-url.js";
import { SSRF_BLOCKED } from "../core/ssrf.js";

/** Why an attempt produced no HTTP response. */
export type AttemptErrorKind =
  | "timeout"
  | "dns"
  | "connect"
  | "tls"
  | "reset"
  | "ssrf_blocked"
  | "invalid_url"
  | "protocol"
  | "other";

const KIND_BY_CODE: Readonly<Record<string, AttemptErrorKind>> = {
  [SSRF_BLOCKED]: "ssrf_blocked",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  UND_ERR_ABORTED: "timeout", // the client aborts only when the attempt's deadline passes
  ABORT_ERR: "timeout",
  ETIMEDOUT: "timeout",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_FAIL: "dns",
  EAI_NODATA: "dns",
  EAI_NONAME: "dns",
  ECONNREFUSED: "connect",
  EHOSTUNREACH: "connect",
  EHOSTDOWN: "connect",
  ENETUNREACH: "connect",
  ENETDOWN: "connect",
  EADDRNOTAVAIL: "connect",
  ECONNRESET: "reset",
  ECONNABORTED: "reset",
  EPIPE: "reset",
  UND_ERR_SOCKET: "reset",
  EPROTO: "tls", // what OpenSSL reports for a TLS handshake with a peer that does not speak TLS
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "tls",
  ERR_INVALID_URL: "invalid_url",
  UND_ERR_HEADERS_OVERFLOW: "protocol",
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: "protocol",
  UND_ERR_INFO: "protocol",
};

function kindOfCode(code: string): AttemptErrorKind | undefined {
  const known = KIND_BY_CODE[code];
  if (known) return known;
  if (/^ERR_(TLS|SSL|OSSL)_/.test(code) || code.includes("CERT")) return "tls";
  if (code.startsWith("HPE_")) return "protocol"; // llhttp parse errors
  return undefined;
}

/** The first error code found on an error, its causes or (Happy Eyeballs) its aggregated errors. */
export function errorCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== "object" || err === null || depth > 4) return undefined;
  const { code, cause, errors } = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === "string" && code !== "") return code;
  return errorCode(cause, depth + 1) ?? (Array.isArray(errors) ? errorCode(errors[0], depth + 1) : undefined);
}

/** The attempt error kind for anything thrown while sending. */
export function classifyError(err: unknown): AttemptErrorKind {
  if (err instanceof Error && err.name === "AbortError") return "timeout";
  // undici's parser error carries an HPE_ code only for some parse failures, never for a bad status line.
  if (err instanceof Error && err.name === "HTTPParserError") return "protocol";
  const code = errorCode(err);
  return (code === undefined ? undefined : kindOfCode(code)) ?? "other";
}

const MIN_SECRET_LENGTH = 6;

/**
 * A message for the attempt log: the error's code and message, clipped, with every header value,
 * any URL, the target URL's credentials, path, query and token segments (webhook URLs often embed
 * tokens) and a short body replaced by `[redacted]`. Neither undici nor Node is known to echo
 * these; this makes sure.
 */
export function safeErrorMessage(
  err: unknown,
  secrets: { headers: Readonly<Record<string, string>>; url?: URL; body?: Uint8Array },
): string {
  const code = errorCode(err);
  const raw = err instanceof Error ? err.message : String(err);
  let message = redactUrlsIn(code && !raw.includes(code) ? `${code}: ${raw}` : raw);
  const hidden: string[] = Object.values(secrets.headers);
  const { url, body } = secrets;
  if (url) hidden.push(url.pathname + url.search, url.search, ...secretsOfUrl(url.href));
  if (body && body.byteLength <= message.length) hidden.push(Buffer.from(body).toString("utf8"));
  for (const value of hidden.sort((a, b) => b.length - a.length)) {
    if (value.length >= MIN_SECRET_LENGTH) message = message.split(value).join("[redacted]");
  }
  return clipText(message);
}
