import { describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../src/operations/activity-minutes.js";
import { DAY_BUCKET_MS, series, successShare, windowsAt } from "../../src/operations/overview.js";

// The overview's windows and buckets: the hour a minute a bucket ending with the minute running,
// the day a quarter hour a bucket aligned to the clock, each minute counted in its own bucket.

const at = (h: number, m: number, s = 0) => Date.UTC(2026, 0, 10, h, m, s);
const minute = (t: number, events = 1, succeeded = 0, failed = 0) => ({
  minute: t,
  events,
  succeeded,
  failed,
});

describe("the overview's windows", () => {
  it("ends the hour with the minute running and the day with the quarter hour running", () => {
    const { hourFirst, dayFirst } = windowsAt(at(12, 7, 30));
    expect(hourFirst).toBe(at(11, 8));
    // 96 quarter hours: from 12:15 the day before to the one starting at 12:00.
    expect(dayFirst).toBe(at(12, 15) - 24 * 60 * MINUTE_MS);
    expect(dayFirst + 95 * DAY_BUCKET_MS).toBe(at(12, 0));
  });

  it("sums each minute into its bucket, and leaves out minutes outside the buckets", () => {
    const first = at(12, 0);
    const day = series(
      [
        minute(at(11, 59), 100),
        minute(at(12, 0), 1, 1, 0),
        minute(at(12, 14), 2, 0, 3),
        minute(at(12, 15), 4, 2, 0),
        minute(at(12, 30), 100),
      ],
      first,
      DAY_BUCKET_MS,
      2,
    );
    expect(day.buckets).toEqual([
      { start: at(12, 0), events: 3, succeeded: 1, failed: 3 },
      { start: at(12, 15), events: 4, succeeded: 2, failed: 0 },
    ]);
    expect(day.totals).toEqual({ events: 7, succeeded: 3, failed: 3 });
    expect(successShare(day.totals)).toBe(0.5);
    expect(successShare({ succeeded: 0, failed: 0 })).toBeNull();
    const hour = series([minute(at(12, 1), 5)], first, MINUTE_MS, 3);
    expect(hour.buckets.map((b) => b.events)).toEqual([0, 5, 0]);
  });
});
