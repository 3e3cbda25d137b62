/** Every way an operation can refuse, each with a stable code the API maps to one status. */
export type OperationErrorCode =
  /** No such record for this tenant (another tenant's id is no record). */
  | "not_found"
  /** The input does not have the expected shape; `issues` names each bad field. */
  | "invalid_request"
  /** A route given to the route tester is not valid (a bad filter, code that does not compile). */
  | "invalid_route"
  /** The slug is taken (a source's slug across every tenant: it is its URL). */
  | "conflict"
  /** The item is defined in the config file and cannot be changed at run time. */
  | "managed_by_config"
  /** The item is still named by others (a destination or source by a route). */
  | "in_use"
  /** Vercel's API did not do what was asked (unreachable, refused); nothing was changed here. */
  | "vercel_error"
  /** The install flow's `state` is not the one this browser was given, was used, or expired. */
  | "invalid_state"
  /** Vercel did not exchange the install's code for a token (used, expired, or Vercel failed); nothing was stored. */
  | "code_exchange_failed"
  /** The action needs a browser session bound to the installation, and there is none (or it expired). */
  | "session_required"
  /** A form's CSRF token is missing or not the one of this browser's session. */
  | "invalid_csrf"
  /** The token given to sign in to the console is not the server's admin token. */
  | "invalid_token"
  /** A deployment action's slug that the server does not declare. */
  | "unknown_action"
  /** A deployment check's name that the server does not declare. */
  | "unknown_check"
  /** A project id that is not one of the installation's projects. */
  | "unknown_project"
  /** A stream was asked to resume after an event id that is malformed or names none of the tenant's events. */
  | "invalid_last_event_id";

/** A refusal of an operation, in words safe to show to the caller. */
export class OperationError extends Error {
  constructor(
    readonly code: OperationErrorCode,
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
    this.name = "OperationError";
  }
}
