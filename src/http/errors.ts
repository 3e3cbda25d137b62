import type { ServerResponse } from "node:http";
import { WEBHOOK_ERROR_STATUS } from "../vercel/webhook-errors.js";

/**
 * Every error code the HTTP API answers with, its status, and what it means. Documented in
 * docs/errors.md. The codes of a refused webhook take their statuses from `switchyard/vercel`, so
 * that the library refuses what ingest refuses with the same code and status.
 */
export const ERROR_CODES = {
  invalid_signature: {
    status: WEBHOOK_ERROR_STATUS.invalid_signature,
    meaning: "The signature header is missing or matches none of the source's secrets.",
  },
  unauthorized: { status: 401, meaning: "The management API needs `Authorization: Bearer <admin token>`." },
  unknown_source: { status: 404, meaning: "No source has that slug." },
  not_found: { status: 404, meaning: "No such route or record." },
  method_not_allowed: { status: 405, meaning: "The route exists but not for this method." },
  invalid_json: { status: WEBHOOK_ERROR_STATUS.invalid_json, meaning: "The body is not valid JSON." },
  invalid_event: {
    status: WEBHOOK_ERROR_STATUS.invalid_event,
    meaning: "The body is not an event this source accepts (a Vercel event needs string `id` and `type`).",
  },
  invalid_request: {
    status: 400,
    meaning: "The JSON body does not have the expected shape; the message names each bad field.",
  },
  invalid_query: { status: 400, meaning: "A query parameter is malformed." },
  invalid_last_event_id: {
    status: 400,
    meaning:
      "An event stream's `Last-Event-ID` (or `lastEventId`) is not an event id, or names none of the tenant's events.",
  },
  invalid_route: {
    status: 400,
    meaning:
      "A route given to the route tester is not valid: a bad filter, an unknown template, code that does not compile.",
  },
  bad_request: { status: 400, meaning: "The request is not well-formed HTTP; the connection is closed." },
  request_timeout: {
    status: 408,
    meaning:
      "The headers did not arrive within `server.headersTimeout`, or the whole request within `server.requestTimeout`; the connection is closed.",
  },
  conflict: {
    status: 409,
    meaning:
      "The slug is taken: by another item of the tenant, or, for a source, by any tenant's source (a source's slug is its URL).",
  },
  managed_by_config: {
    status: 409,
    meaning:
      "The item is defined in the config file (`managedBy: config`); change it there, not through the API.",
  },
  in_use: {
    status: 409,
    meaning:
      "The destination or source is still named by a route of the tenant; change or delete those routes first.",
  },
  payload_too_large: {
    status: WEBHOOK_ERROR_STATUS.payload_too_large,
    meaning: "The body is larger than `limits.maxBodyBytes`.",
  },
  headers_too_large: {
    status: 431,
    meaning:
      "The request's headers are larger than the server accepts (16 KiB in all); the connection is closed.",
  },
  unavailable: { status: 503, meaning: "The store cannot commit right now; the sender should retry." },
  overloaded: {
    status: 503,
    meaning:
      "Too many bytes of requests not yet verified are held (`limits.maxUnverifiedBytes`, or this client's share); the sender should retry.",
  },
  vercel_error: {
    status: 502,
    meaning: "Vercel's API did not do what was asked (unreachable, or it refused); nothing was changed.",
  },
  invalid_state: {
    status: 403,
    meaning:
      "The install flow's `state` is not the one this browser was given, was used already, or expired (10 minutes).",
  },
  code_exchange_failed: {
    status: 400,
    meaning:
      "Vercel did not exchange the install's `code` for a token (used, expired, or Vercel failed); nothing was stored.",
  },
  session_required: {
    status: 401,
    meaning: "The page needs a browser session bound to the installation; open it again from Vercel.",
  },
  invalid_csrf: {
    status: 403,
    meaning:
      "The form's CSRF token is missing or is not the one of this browser's session; nothing was changed.",
  },
  invalid_token: {
    status: 401,
    meaning: "The token given to sign in to the console is not this server's admin token.",
  },
  unknown_action: {
    status: 400,
    meaning: "A deployment action's slug that this server does not declare (`actions:` in its config).",
  },
  unknown_check: {
    status: 400,
    meaning: "A deployment check's name that this server does not declare (`checks:` in its config).",
  },
  unknown_project: {
    status: 400,
    meaning: "A project id that is not one of the installation's projects, as Vercel lists them.",
  },
  internal: { status: 500, meaning: "An unexpected error; it is logged with the request id." },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error that the HTTP layer turns into `{ code, message }` with the code's status. */
export class HttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

/** Writes a JSON body with a status. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/** Writes JSON text as it is: an answer with a stored body spliced in, never parsed and written again. */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Writes `{ code, message }` with the code's status. */
export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, { code: error.code, message: error.message }, error.headers);
}
