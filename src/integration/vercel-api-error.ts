/**
 * The error every call of the Vercel client throws. `code` is Switchyard's own, stable:
 *
 * - `vercel_api_error`: Vercel answered 4xx or 5xx (other than a 429 past the wait bound);
 * - `vercel_rate_limited`: 429, and the wait Vercel asked for is past the bound (or unsaid, or
 *   the tries are spent); `retryAfterMs` says how long Vercel asked for, when it did;
 * - `vercel_unreachable`: no answer (connection refused, reset, timed out);
 * - `vercel_invalid_response`: a 2xx whose body is not the documented shape.
 *
 * `vercelCode` and the message carry Vercel's `error.code` and `error.message` when the body has
 * them. Values the caller marks secret (a client secret, an OAuth code, a token) are replaced in
 * the message, should Vercel echo them.
 */

export type VercelApiErrorCode =
  | "vercel_api_error"
  | "vercel_rate_limited"
  | "vercel_unreachable"
  | "vercel_invalid_response";

export class VercelApiError extends Error {
  override readonly name = "VercelApiError";

  constructor(
    readonly code: VercelApiErrorCode,
    message: string,
    /** The HTTP status Vercel answered with; 0 when it did not answer. */
    readonly status: number,
    /** Vercel's `error.code`, when its body had one. */
    readonly vercelCode: string | null = null,
    /** How long Vercel asked to wait, for `vercel_rate_limited`. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** Vercel's documented error body, `{"error": {"code", "message"}}`; OAuth-style `{error, error_description}` too. */
export function vercelErrorBody(body: unknown): { code: string | null; message: string | null } {
  if (typeof body !== "object" || body === null) return { code: null, message: null };
  const error = (body as { error?: unknown }).error;
  if (typeof error === "string") {
    const description = (body as { error_description?: unknown }).error_description;
    return { code: error, message: typeof description === "string" ? description : null };
  }
  if (typeof error !== "object" || error === null) return { code: null, message: null };
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    code: typeof code === "string" ? code : null,
    message: typeof message === "string" ? message : null,
  };
}

/** `text` with every non-empty secret replaced by `[redacted]`. */
export function withoutSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== "") out = out.split(secret).join("[redacted]");
  return out;
}
