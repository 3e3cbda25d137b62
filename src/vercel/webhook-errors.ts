/**
 * Why a webhook is refused, as codes and statuses. They are the gateway's own: src/http/errors.ts
 * takes these statuses, so an app verifying with `switchyard/vercel` and the gateway answering a
 * source's request refuse the same request with the same `{ code, message }` and status.
 */

/** The status of each code a webhook is refused with. */
export const WEBHOOK_ERROR_STATUS = {
  invalid_signature: 401,
  invalid_json: 400,
  invalid_event: 400,
  payload_too_large: 413,
} as const;

/** A code a webhook is refused with: a bad or missing signature, a body that is not JSON or not a known event, or too large. */
export type VercelWebhookErrorCode = keyof typeof WEBHOOK_ERROR_STATUS;

/** A refused webhook: `code` is stable, `status` is the HTTP status to answer with. */
export class VercelWebhookError extends Error {
  override readonly name = "VercelWebhookError";

  constructor(
    readonly code: VercelWebhookErrorCode,
    message: string,
    /** For `invalid_event`: the schema mismatches of a known type, at most ~10; empty otherwise. */
    readonly issues: readonly string[] = [],
  ) {
    super(message);
  }

  /** The HTTP status that goes with the code. */
  get status(): 400 | 401 | 413 {
    return WEBHOOK_ERROR_STATUS[this.code];
  }

  /** The body to answer with: `{ code, message }`, as the gateway answers. */
  toJSON(): { code: VercelWebhookErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** True for a {@link VercelWebhookError}, also one thrown by another copy of this package. */
export function isVercelWebhookError(error: unknown): error is VercelWebhookError {
  if (error instanceof VercelWebhookError) return true;
  if (!(error instanceof Error) || error.name !== "VercelWebhookError") return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && Object.hasOwn(WEBHOOK_ERROR_STATUS, code);
}

/** A refusal as a Web `Response` with the code's status and `{ code, message }`. */
export function webhookErrorResponse(error: VercelWebhookError): Response {
  return Response.json(error.toJSON(), { status: error.status });
}
