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
 * A token bucket holding at most one period's worth of requests (burst = count), refilled evenly.
 * The level is kept in units of 1/perMs of a token so that whole-millisecond clocks give exact,
 * drift-free arithmetic: a token costs `perMs` units and each millisecond adds `count` units.
 */
export class TokenBucket {
  private readonly capacity: number;
  private level: number;
  private last: number;

  /** Starts full at time `now`. */
  constructor(
    private readonly rate: Rate,
    now: number,
  ) {
    this.capacity = rate.count * rate.perMs;
    this.level = this.capacity;
    this.last = now;
  }

  /** Whole tokens available at `now`, without taking any: how many requests may start at once. */
  available(now: number): number {
    this.refill(now);
    return Math.floor(this.level / this.rate.perMs);
  }

  /** Takes a token: 0 when one was taken, otherwise the ms until one is available (nothing is taken). */
  take(now: number): number {
    this.refill(now);
    if (this.level >= this.rate.perMs) {
      this.level -= this.rate.perMs;
      return 0;
    }
    return Math.ceil((this.rate.perMs - this.level) / this.rate.count);
  }

  private refill(now: number): void {
    // A clock that steps back must not drain or overfill the bucket.
    if (now <= this.last) return;
    this.level = Math.min(this.capacity, this.level + (now - this.last) * this.rate.count);
    this.last = now;
  }
}
