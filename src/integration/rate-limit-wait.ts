/**
 * How long Vercel asks a client to wait after a 429. Vercel documents `X-RateLimit-Reset` (UTC
 * epoch seconds); its own Terraform client reads `Retry-After` (seconds), so both are honoured,
 * `Retry-After` first. Pure: the clock's reading is passed in.
 */

/** Milliseconds to wait before the next try, or null when neither header says. */
export function rateLimitWaitMs(headers: Headers, nowMs: number): number | null {
  const retryAfter = headers.get("retry-after");
  if (retryAfter !== null) {
    const seconds = Number(retryAfter.trim());
    if (retryAfter.trim() !== "" && Number.isFinite(seconds) && seconds >= 0)
      return Math.ceil(seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs);
  }
  const reset = headers.get("x-ratelimit-reset");
  if (reset !== null) {
    const epochSeconds = Number(reset.trim());
    if (reset.trim() !== "" && Number.isFinite(epochSeconds)) return Math.max(0, epochSeconds * 1000 - nowMs);
  }
  return null;
}
