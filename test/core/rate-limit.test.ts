import { describe, expect, it } from "vitest";
import { parseRate, rateSchema, TokenBucket } from "../../src/core/rate-limit.js";

describe("parseRate", () => {
  it("reads counts per second, minute and hour", () => {
    expect(parseRate("50/s")).toEqual({ count: 50, perMs: 1_000 });
    expect(parseRate("600/m")).toEqual({ count: 600, perMs: 60_000 });
    expect(parseRate(" 10/h ")).toEqual({ count: 10, perMs: 3_600_000 });
  });

  it("rejects anything else", () => {
    for (const bad of ["", "50", "0/s", "-1/s", "1.5/s", "50/d", "50/sec", "50 / s", "s/50", "1000001/s"]) {
      expect(parseRate(bad)).toBeUndefined();
    }
  });

  it("has a schema that transforms and explains", () => {
    expect(rateSchema.parse("5/m")).toEqual({ count: 5, perMs: 60_000 });
    const result = rateSchema.safeParse("fast");
    expect(result.error?.issues[0]?.message).toBe(
      'expected a rate such as 50/s, 600/m or 10/h (a whole number from 1 to 1000000), got "fast"',
    );
  });
});

describe("TokenBucket", () => {
  const T0 = 1_700_000_000_000;

  it("allows a burst of one period's worth, then spaces requests evenly", () => {
    const bucket = new TokenBucket({ count: 3, perMs: 1_000 }, T0);
    expect([bucket.take(T0), bucket.take(T0), bucket.take(T0)]).toEqual([0, 0, 0]);
    // One token every 333.3 ms.
    expect(bucket.take(T0)).toBe(334);
    expect(bucket.take(T0 + 333)).toBe(1);
    expect(bucket.take(T0 + 334)).toBe(0);
    expect(bucket.take(T0 + 334)).toBe(333);
  });

  it("never holds more than the burst, however long it idles", () => {
    const bucket = new TokenBucket({ count: 2, perMs: 60_000 }, T0);
    const later = T0 + 86_400_000;
    expect([bucket.take(later), bucket.take(later)]).toEqual([0, 0]);
    expect(bucket.take(later)).toBe(30_000);
  });

  it("does not take a token when it reports a wait", () => {
    const bucket = new TokenBucket({ count: 1, perMs: 1_000 }, T0);
    expect(bucket.take(T0)).toBe(0);
    expect(bucket.take(T0 + 400)).toBe(600);
    expect(bucket.take(T0 + 400)).toBe(600);
    expect(bucket.take(T0 + 1_000)).toBe(0);
  });

  it("reports whole tokens available without taking them", () => {
    const bucket = new TokenBucket({ count: 4, perMs: 1_000 }, T0);
    expect(bucket.available(T0)).toBe(4);
    expect(bucket.available(T0)).toBe(4);
    bucket.take(T0);
    bucket.take(T0);
    bucket.take(T0);
    expect(bucket.available(T0)).toBe(1);
    expect(bucket.available(T0 + 249)).toBe(1);
    expect(bucket.available(T0 + 250)).toBe(2);
    expect(bucket.available(T0 + 60_000)).toBe(4);
  });

  it("ignores a clock that steps back", () => {
    const bucket = new TokenBucket({ count: 1, perMs: 1_000 }, T0);
    expect(bucket.take(T0)).toBe(0);
    expect(bucket.take(T0 - 5_000)).toBe(1_000);
    expect(bucket.take(T0 + 1_000)).toBe(0);
  });
});
