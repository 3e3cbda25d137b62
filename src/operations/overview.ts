import type { MinuteActivity } from "../storage/port.js";
import { ActivityMinutes, MINUTE_MS, minuteOf } from "./activity-minutes.js";
import type { OperationsDeps } from "./context.js";
import type { DestinationHealth, DestinationOverview } from "./destinations.js";

/** Events and attempts of one stretch of time: a bar of a chart. */
export interface ActivityBucket {
  /** When the stretch starts (epoch ms). */
  start: number;
  events: number;
  /** Attempts answered 2xx. */
  succeeded: number;
  /** Every other attempt. */
  failed: number;
}

/** A window of time in equal buckets, oldest first, with its totals. */
export interface ActivitySeries {
  bucketMs: number;
  buckets: ActivityBucket[];
  totals: Omit<ActivityBucket, "start">;
}

/** How a tenant is doing: its traffic over the last hour and day, its queue and its destinations. */
export interface TenantOverview {
  /** When it was read. */
  at: number;
  /** The last hour, a minute a bucket (the newest minute still running). */
  hour: ActivitySeries;
  /** The last day, a quarter of an hour a bucket (the newest still running). */
  day: ActivitySeries;
  /** Deliveries waiting to be sent or retried. */
  pending: number;
  /** Dead letters: deliveries that failed once their retries ran out. */
  dead: number;
  /** Every destination, with its circuit and health over the last hour. */
  destinations: DestinationOverview[];
  /** The destinations with the highest p99 latency over the last hour, slowest first. */
  slowest: DestinationOverview[];
  /** The destinations with failed attempts in the last hour (or an open circuit), worst first. */
  failing: DestinationOverview[];
}

/** Buckets of the day's chart: 96 of a quarter of an hour read better than 1,440 minutes on any screen. */
export const DAY_BUCKET_MS = 15 * MINUTE_MS;
const DAY_BUCKETS = 96;
const HOUR_BUCKETS = 60;
/** How many destinations the slowest and failing lists name. */
export const LISTED = 5;

/** The share of attempts that succeeded (0 to 1), or null without any. */
export function successShare(t: { succeeded: number; failed: number }): number | null {
  const all = t.succeeded + t.failed;
  return all === 0 ? null : t.succeeded / all;
}

/** Sums minutes into `count` buckets of `bucketMs` from `first`; minutes outside them are left out. Pure. */
export function series(
  minutes: readonly MinuteActivity[],
  first: number,
  bucketMs: number,
  count: number,
): ActivitySeries {
  const buckets: ActivityBucket[] = Array.from({ length: count }, (_, i) => ({
    start: first + i * bucketMs,
    events: 0,
    succeeded: 0,
    failed: 0,
  }));
  const totals = { events: 0, succeeded: 0, failed: 0 };
  for (const m of minutes) {
    const bucket = buckets[Math.floor((m.minute - first) / bucketMs)];
    if (!bucket || m.minute < first) continue;
    bucket.events += m.events;
    bucket.succeeded += m.succeeded;
    bucket.failed += m.failed;
    totals.events += m.events;
    totals.succeeded += m.succeeded;
    totals.failed += m.failed;
  }
  return { bucketMs, buckets, totals };
}

/**
 * Where the windows start at `now`: the hour's 60 minutes end with the one running, the day's 96
 * quarter hours with the one running (aligned to the clock's quarter hours, so bars keep still).
 */
export function windowsAt(now: number): { hourFirst: number; dayFirst: number } {
  return {
    hourFirst: minuteOf(now) - (HOUR_BUCKETS - 1) * MINUTE_MS,
    dayFirst: Math.floor(now / DAY_BUCKET_MS) * DAY_BUCKET_MS - (DAY_BUCKETS - 1) * DAY_BUCKET_MS,
  };
}

/** The console's overview of a tenant. */
export class OverviewOperations {
  readonly #minutes: ActivityMinutes;

  constructor(
    private readonly deps: OperationsDeps,
    private readonly health: DestinationHealth,
  ) {
    this.#minutes = new ActivityMinutes((tenant, since, until) =>
      deps.store.forTenant(tenant).activityByMinute(since, until),
    );
  }

  /** How `tenant` is doing now: traffic per minute over the hour and day, queue, destinations. */
  async overview(tenant: string): Promise<TenantOverview> {
    const now = this.deps.clock.now();
    const { hourFirst, dayFirst } = windowsAt(now);
    const view = this.deps.store.forTenant(tenant);
    const [minutes, pending, dead, destinations] = await Promise.all([
      this.#minutes.minutes(tenant, dayFirst, now),
      view.countDeliveries("pending"),
      view.countDeliveries("failed"),
      this.health.overview(tenant),
    ]);
    const withAttempts = destinations.filter((d) => d.recent.p99Ms !== null);
    const failures = (d: DestinationOverview) => d.recent.attempts - d.recent.succeeded;
    return {
      at: now,
      hour: series(minutes, hourFirst, MINUTE_MS, HOUR_BUCKETS),
      day: series(minutes, dayFirst, DAY_BUCKET_MS, DAY_BUCKETS),
      pending,
      dead,
      destinations,
      slowest: withAttempts
        .sort(
          (a, b) =>
            (b.recent.p99Ms ?? 0) - (a.recent.p99Ms ?? 0) || (b.recent.p50Ms ?? 0) - (a.recent.p50Ms ?? 0),
        )
        .slice(0, LISTED),
      failing: destinations
        .filter((d) => failures(d) > 0 || d.circuit === "open")
        .sort(
          (a, b) =>
            (successShare({ succeeded: a.recent.succeeded, failed: failures(a) }) ?? 0) -
              (successShare({ succeeded: b.recent.succeeded, failed: failures(b) }) ?? 0) ||
            failures(b) - failures(a),
        )
        .slice(0, LISTED),
    };
  }
}
