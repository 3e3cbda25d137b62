const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** When a delivery is attempted, and when it stops being worth attempting. */
export interface RetryPolicy {
  /** Delays in ms before each attempt: schedule[0] before the first, schedule[n] after n attempts. */
  schedule: readonly number[];
  /** No attempt starts later than the event's receipt plus this many ms. */
  maxAge: number;
  /** Each delay is scaled by a random factor in [1 − jitter, 1 + jitter), so retries don't arrive in herds. */
  jitter: number;
}

/** Svix-like defaults: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h and 10 h; given up after 24 h. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  schedule: [0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR],
  maxAge: 24 * HOUR,
  jitter: 0.2,
};

/** The longest `Retry-After` honoured: a receiver cannot park a delivery for a day with one header. */
export const MAX_RETRY_AFTER_MS = HOUR;

/** What {@link nextAttemptAt} needs to know about a delivery that has just failed. */
export interface NextAttemptInput {
  /** Attempts already made, at least 1. */
  attemptsMade: number;
  eventReceivedAt: number;
  now: number;
  /** A random number in [0, 1), injected so tests can pin the jitter. */
  random: () => number;
  /** The delay a 429 or 503 asked for, from {@link parseRetryAfter}. */
  retryAfterMs?: number | undefined;
}

/** When the first attempt is due for an event received at `receivedAt`. */
export function initialAttemptAt(policy: RetryPolicy, receivedAt: number): number {
  return receivedAt + (policy.schedule[0] ?? 0);
}

/**
 * When the next attempt should start after `attemptsMade` attempts, or null when the delivery is
 * exhausted (no delay left in the schedule, or the next attempt would start past the event's max age).
 */
export function nextAttemptAt(policy: RetryPolicy, input: NextAttemptInput): number | null {
  const scheduled = policy.schedule[input.attemptsMade];
  // Retry-After changes when the next attempt happens, never how many there are.
  if (scheduled === undefined) return null;

  const { retryAfterMs } = input;
  const honoured = retryAfterMs !== undefined && retryAfterMs > 0;
  const delay = honoured ? Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) : scheduled;

  const deadline = input.eventReceivedAt + policy.maxAge;
  if (input.now + delay > deadline) return null;

  const jittered = 1 + policy.jitter * (2 * input.random() - 1);
  // A receiver that asked us to wait is never retried early: for it the jitter only adds.
  const factor = honoured ? Math.max(1, jittered) : jittered;
  const at = Math.round(input.now + delay * factor);
  // The jitter alone must not cost the event its last attempt.
  return Math.min(at, deadline);
}

/**
 * Reads a `Retry-After` header, either delay-seconds or an HTTP-date, as a delay in ms from `now`,
 * capped at {@link MAX_RETRY_AFTER_MS}; undefined when absent, malformed or in the past.
 */
export function parseRetryAfter(header: string | undefined | null, now: number): number | undefined {
  if (header === undefined || header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * SECOND, MAX_RETRY_AFTER_MS);
  const at = parseHttpDate(text);
  if (at === undefined || at < now) return undefined;
  return Math.min(at - now, MAX_RETRY_AFTER_MS);
}

// RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must accept.
// Checked by shape first because Date.parse accepts nearly anything ("1 2" is a date to V8).
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC_850 = /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

function parseHttpDate(text: string): number | undefined {
  let ms = Number.NaN;
  if (IMF_FIXDATE.test(text) || RFC_850.test(text)) ms = Date.parse(text);
  // asctime carries no zone but means GMT; without the suffix Date.parse would read local time.
  else if (ASCTIME.test(text)) ms = Date.parse(`${text} GMT`);
  return Number.isNaN(ms) ? undefined : ms;
}
