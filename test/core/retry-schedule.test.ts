import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_POLICY,
  initialAttemptAt,
  MAX_RETRY_AFTER_MS,
  nextAttemptAt,
  parseRetryAfter,
  type RetryPolicy,
} from "../../src/core/retry-schedule.js";

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const T0 = Date.parse("2024-06-01T00:00:00Z");
const noJitter = () => 0.5;

describe("nextAttemptAt", () => {
  it("walks the default schedule attempt by attempt, then gives up", () => {
    const delays: number[] = [];
    let now = initialAttemptAt(DEFAULT_RETRY_POLICY, T0);
    delays.push(now - T0);
    for (let attemptsMade = 1; ; attemptsMade++) {
      const next = nextAttemptAt(DEFAULT_RETRY_POLICY, {
        attemptsMade,
        eventReceivedAt: T0,
        now,
        random: noJitter,
      });
      if (next === null) break;
      delays.push(next - now);
      now = next;
    }
    expect(delays).toEqual([0, 5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H]);
  });

  it("returns null once the schedule is used up, whatever the time", () => {
    const input = { attemptsMade: 7, eventReceivedAt: T0, now: T0, random: noJitter };
    expect(nextAttemptAt(DEFAULT_RETRY_POLICY, input)).toBeNull();
  });

  it("stops when the next attempt would start past maxAge", () => {
    const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxAge: 3 * H };
    const input = (attemptsMade: number, now: number) => ({
      attemptsMade,
      eventReceivedAt: T0,
      now,
      random: noJitter,
    });
    // 35m05s after receipt, the 2 h delay lands at 2h35m05s: still inside 3 h.
    expect(nextAttemptAt(policy, input(4, T0 + 35 * M + 5 * S))).toBe(T0 + 2 * H + 35 * M + 5 * S);
    // The 5 h delay after that would land far past it.
    expect(nextAttemptAt(policy, input(5, T0 + 2 * H + 35 * M + 5 * S))).toBeNull();
    // Landing exactly on the deadline is allowed.
    expect(nextAttemptAt(policy, input(4, T0 + H))).toBe(T0 + 3 * H);
  });

  it("keeps jitter within ±20%", () => {
    const at = (random: () => number) =>
      nextAttemptAt(DEFAULT_RETRY_POLICY, { attemptsMade: 2, eventReceivedAt: T0, now: T0, random });
    expect(at(() => 0)).toBe(T0 + 4 * M);
    const high = at(() => 0.999);
    expect(high).toBeLessThan(T0 + 6 * M);
    expect(high).toBeGreaterThan(T0 + 5.99 * M);
  });

  it("clamps to the deadline when only the jitter pushes past it", () => {
    const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxAge: 2 * H + 10 * M };
    const input = { attemptsMade: 4, eventReceivedAt: T0, now: T0, random: () => 0.999 };
    expect(nextAttemptAt(policy, input)).toBe(T0 + 2 * H + 10 * M);
  });

  it("lets Retry-After replace the delay within bounds, never adding attempts", () => {
    const base = { eventReceivedAt: T0, now: T0, random: noJitter };
    expect(nextAttemptAt(DEFAULT_RETRY_POLICY, { ...base, attemptsMade: 1, retryAfterMs: 90 * S })).toBe(
      T0 + 90 * S,
    );
    expect(nextAttemptAt(DEFAULT_RETRY_POLICY, { ...base, attemptsMade: 1, retryAfterMs: 5 * H })).toBe(
      T0 + MAX_RETRY_AFTER_MS,
    );
    // Zero or negative is no instruction at all: the schedule applies.
    expect(nextAttemptAt(DEFAULT_RETRY_POLICY, { ...base, attemptsMade: 1, retryAfterMs: 0 })).toBe(
      T0 + 5 * S,
    );
    expect(
      nextAttemptAt(DEFAULT_RETRY_POLICY, { ...base, attemptsMade: 7, retryAfterMs: 10 * S }),
    ).toBeNull();
  });

  it("never retries earlier than Retry-After asked, even with jitter", () => {
    const at = (random: () => number) =>
      nextAttemptAt(DEFAULT_RETRY_POLICY, {
        attemptsMade: 1,
        eventReceivedAt: T0,
        now: T0,
        random,
        retryAfterMs: 100 * S,
      });
    expect(at(() => 0)).toBe(T0 + 100 * S);
    expect(at(() => 0.5)).toBe(T0 + 100 * S);
    expect(at(() => 0.999)).toBeLessThan(T0 + 120 * S);
    expect(at(() => 0.999)).toBeGreaterThan(T0 + 119 * S);
  });

  it("drops a Retry-After that would pass maxAge", () => {
    const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxAge: 30 * M };
    const input = {
      attemptsMade: 1,
      eventReceivedAt: T0,
      now: T0 + 20 * M,
      random: noJitter,
      retryAfterMs: 20 * M,
    };
    expect(nextAttemptAt(policy, input)).toBeNull();
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2024-06-01T12:00:00Z");

  it("reads delay-seconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120 * S);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
  });

  it("reads an HTTP-date in all three forms", () => {
    expect(parseRetryAfter("Sat, 01 Jun 2024 12:02:00 GMT", now)).toBe(2 * M);
    expect(parseRetryAfter("Saturday, 01-Jun-24 12:02:00 GMT", now)).toBe(2 * M);
    expect(parseRetryAfter("Sat Jun  1 12:02:00 2024", now)).toBe(2 * M);
  });

  it("caps long delays at one hour", () => {
    expect(MAX_RETRY_AFTER_MS).toBe(H);
    expect(parseRetryAfter("86400", now)).toBe(H);
    expect(parseRetryAfter("Sun, 02 Jun 2024 12:00:00 GMT", now)).toBe(H);
  });

  it("ignores absent, malformed, negative and past values", () => {
    for (const header of [
      undefined,
      null,
      "",
      "soon",
      "-5",
      "1.5",
      "1e3",
      "1 2",
      "Sat, 01 Jun 2024 11:00:00 GMT",
    ]) {
      expect(parseRetryAfter(header, now)).toBeUndefined();
    }
  });
});
