import type { MinuteActivity } from "../storage/port.js";

export const MINUTE_MS = 60_000;

/**
 * How long after its end a minute's counts may still change, after which they are kept. An
 * attempt is stored when it ends, up to a destination's longest timeout (5 minutes) after the
 * start it is counted by, and on PostgreSQL a commit may land a little after the time it carries.
 */
export const SETTLE_MS = 7 * MINUTE_MS;

/** How many tenants' minutes are kept; the tenant used longest ago goes first. */
const TENANTS_KEPT = 100;

/** Reads a tenant's activity over a time range, per minute (`TenantStore.activityByMinute`). */
export type ActivityReader = (tenant: string, since: number, until: number) => Promise<MinuteActivity[]>;

/** A tenant's settled minutes: every minute in [from, to) is here, or had nothing. */
interface Settled {
  from: number;
  to: number;
  minutes: Map<number, MinuteActivity>;
}

/** The start of the minute `time` falls in. */
export const minuteOf = (time: number) => Math.floor(time / MINUTE_MS) * MINUTE_MS;

/**
 * A tenant's activity per minute, each settled minute counted once: a settled minute's counts do
 * not change, so they are kept in memory and a later read counts only the minutes after them.
 * A day of minutes is then counted once per tenant and process, and each refresh after reads only
 * the last few minutes, however many events the day had.
 */
export class ActivityMinutes {
  readonly #tenants = new Map<string, Settled>();

  constructor(private readonly read: ActivityReader) {}

  /** Every minute from the one `from` falls in to the one `now` falls in, oldest first (a minute with nothing: zeros). */
  async minutes(tenant: string, from: number, now: number): Promise<MinuteActivity[]> {
    const start = minuteOf(from);
    const current = minuteOf(now);
    const settledBefore = Math.min(minuteOf(now - SETTLE_MS), current);
    let settled = this.#tenants.get(tenant);
    if (!settled || settled.from > start || settled.to < start) {
      settled = { from: start, to: start, minutes: new Map() };
    }
    // Most recently used last, so the first is the one to drop.
    this.#tenants.delete(tenant);
    this.#tenants.set(tenant, settled);
    if (this.#tenants.size > TENANTS_KEPT) this.#tenants.delete(this.#tenants.keys().next().value as string);

    const readFrom = settled.to;
    const rows = await this.read(tenant, readFrom, current + MINUTE_MS);
    const fresh = new Map<number, MinuteActivity>();
    for (const row of rows) {
      if (row.minute < settledBefore) settled.minutes.set(row.minute, row);
      else fresh.set(row.minute, row);
    }
    if (settledBefore > settled.to) settled.to = settledBefore;
    for (const minute of settled.minutes.keys()) if (minute < start) settled.minutes.delete(minute);
    settled.from = start;

    const out: MinuteActivity[] = [];
    for (let minute = start; minute <= current; minute += MINUTE_MS) {
      const known = minute < settled.to ? settled.minutes.get(minute) : fresh.get(minute);
      out.push(known ?? { minute, events: 0, succeeded: 0, failed: 0 });
    }
    return out;
  }
}
