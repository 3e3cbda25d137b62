import { z } from "zod";

/** A delivery rate: at most `count` requests per `perMs` milliseconds. */
export interface Rate {
  count: number;
  perMs: number;
}

const PERIODS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

const RATE = /^([1-9]\d*)\/(s|m|h)$/;

// Beyond this a limit limits nothing, and the bucket's integer arithmetic stays exact below it.
const MAX_COUNT = 1_000_000;

/** Parses a rate such as `50/s`, `600/m` or `10/h` (count 1 to 1,000,000); undefined when malformed. */
export function parseRate(text: string): Rate | undefined {
  const match = RATE.exec(text.trim());
  if (!match) return undefined;
  const count = Number(match[1]);
  const perMs = PERIODS[match[2] as string];
  if (perMs === undefined || count > MAX_COUNT) return undefined;
  return { count, perMs };
}

/** A rate written as `50/s`, `600/m` or `10/h`; parsed to a {@link Rate}. */
export const rateSchema = z.string().transform((text, ctx): Rate => {
  const rate = parseRate(text);
  if (rate === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `expected a rate such as 50/s, 600/m or 10/h (a whole number from 1 to 1000000), got "${text}"`,
    });
    return z.NEVER;
  }
  return rate;
});

/**
 * A token bucket's level, in units of 1/perMs of a token so that whole-millisecond clocks give
 * exact, drift-free arithmetic: a token costs `perMs` units and each millisecond adds `count`.
 * Plain data, so a shared store can keep one bucket for all nodes.
 */
export interface BucketLevel {
  level: number;
  at: number;
}

/** A full bucket at time `now`: one period's worth of requests (burst = count). */
export function fullBucket(rate: Rate, now: number): BucketLevel {
  return { level: rate.count * rate.perMs, at: now };
}

/** The bucket refilled up to `now`; a clock that steps back neither drains nor overfills it. */
export function refillBucket(rate: Rate, b: BucketLevel, now: number): BucketLevel {
  if (now <= b.at) return b;
  return { level: Math.min(rate.count * rate.perMs, b.level + (now - b.at) * rate.count), at: now };
}

/** Whole tokens in a (refilled) bucket. */
export function tokensIn(rate: Rate, b: BucketLevel): number {
  return Math.floor(b.level / rate.perMs);
}

/** Milliseconds until a (refilled) bucket holds a whole token; 0 when it does. */
export function msUntilToken(rate: Rate, b: BucketLevel): number {
  return b.level >= rate.perMs ? 0 : Math.ceil((rate.perMs - b.level) / rate.count);
}

/** A bucket after `n` tokens were taken. */
export function takeTokens(rate: Rate, b: BucketLevel, n: number): BucketLevel {
  return { level: b.level - n * rate.perMs, at: b.at };
}

/** A token bucket of one worker (see {@link BucketLevel}). */
export class TokenBucket {
  private b: BucketLevel;

  /** Starts full at time `now`. */
  constructor(
    private readonly rate: Rate,
    now: number,
  ) {
    this.b = fullBucket(rate, now);
  }

  /** Whole tokens available at `now`, without taking any: how many requests may start at once. */
  available(now: number): number {
    this.b = refillBucket(this.rate, this.b, now);
    return tokensIn(this.rate, this.b);
  }

  /** Takes a token: 0 when one was taken, otherwise the ms until one is available (nothing is taken). */
  take(now: number): number {
    this.b = refillBucket(this.rate, this.b, now);
    const wait = msUntilToken(this.rate, this.b);
    if (wait === 0) this.b = takeTokens(this.rate, this.b, 1);
    return wait;
  }

  /** Milliseconds from `now` until a token is available. */
  msUntilToken(now: number): number {
    this.b = refillBucket(this.rate, this.b, now);
    return msUntilToken(this.rate, this.b);
  }
}
