import { createHmac, timingSafeEqual } from "node:crypto";
import { OperationError } from "./errors.js";

/**
 * The CSRF token of a browser session's forms: an HMAC of the session's value, so it needs no
 * storage and another session's token never fits.
 */
export function csrfTokenOf(session: string): string {
  return createHmac("sha256", session).update("switchyard/csrf").digest("base64url");
}

/** Refuses (403 `invalid_csrf`) a form whose CSRF token is not its session's, compared in constant time. */
export function checkCsrfOf(session: string, token: string | undefined): void {
  const expected = Buffer.from(csrfTokenOf(session));
  const given = Buffer.from(token ?? "");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new OperationError(
      "invalid_csrf",
      "this form is out of date or did not come from this page: reload the page and try again",
    );
}
