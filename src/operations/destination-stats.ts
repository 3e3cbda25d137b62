import type { RecentAttempt } from "../storage/port.js";

/** How a destination did over a recent window, from its stored attempts. */
export interface RecentHealth {
  attempts: number;
  /** Attempts answered 2xx. */
  succeeded: number;
  /** Latency percentiles in ms (nearest rank); null without attempts. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** The newest failed attempt of the window: when, and what went wrong (never a response body). */
  lastError: { at: number; message: string } | null;
}

/** A destination with no attempts in the window. */
export const NO_RECENT_ATTEMPTS: RecentHealth = {
  attempts: 0,
  succeeded: 0,
  p50Ms: null,
  p99Ms: null,
  lastError: null,
};

/** The value at `p` (0 to 1) of sorted values, by nearest rank. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? null;
}

/** What an attempt that failed says, in one line. */
function errorText(a: RecentAttempt): string {
  if (a.errorMessage) return a.errorMessage;
  if (a.error) return a.error;
  return a.status === null ? "no response" : `answered HTTP ${a.status}`;
}

/** Each destination's recent health from attempts given newest first. Pure. */
export function recentHealthBy(attempts: readonly RecentAttempt[]): Map<string, RecentHealth> {
  const grouped = new Map<string, RecentAttempt[]>();
  for (const a of attempts) {
    const list = grouped.get(a.destination);
    if (list) list.push(a);
    else grouped.set(a.destination, [a]);
  }
  const out = new Map<string, RecentHealth>();
  for (const [destination, list] of grouped) {
    const ok = (a: RecentAttempt) => a.status !== null && a.status >= 200 && a.status < 300;
    const latencies = list.map((a) => a.durationMs).sort((x, y) => x - y);
    const failed = list.find((a) => !ok(a));
    out.set(destination, {
      attempts: list.length,
      succeeded: list.filter(ok).length,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      lastError: failed ? { at: failed.startedAt, message: errorText(failed) } : null,
    });
  }
  return out;
}
