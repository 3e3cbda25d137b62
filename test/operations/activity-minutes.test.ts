import { describe, expect, it } from "vitest";
import { ActivityMinutes, MINUTE_MS, SETTLE_MS } from "../../src/operations/activity-minutes.js";
import type { MinuteActivity } from "../../src/storage/port.js";
import { FakeClock } from "../support/sink.js";

// The overview's minutes: settled minutes are counted once and kept, each read after counts only
// the minutes since; the window moves on; tenants are kept apart.

const M = Date.UTC(2026, 5, 1, 12, 0);

/** A store of minutes by tenant, recording each range read from it. */
function fakeStore() {
  const rows = new Map<string, MinuteActivity[]>();
  const reads: { tenant: string; since: number; until: number }[] = [];
  return {
    reads,
    add(tenant: string, minute: number, counts: Partial<MinuteActivity> = { events: 1 }) {
      const list = rows.get(tenant) ?? [];
      const found = list.find((r) => r.minute === minute);
      const row = found ?? { minute, events: 0, succeeded: 0, failed: 0 };
      row.events += counts.events ?? 0;
      row.succeeded += counts.succeeded ?? 0;
      row.failed += counts.failed ?? 0;
      if (!found) list.push(row);
      rows.set(tenant, list);
    },
    read: async (tenant: string, since: number, until: number) => {
      reads.push({ tenant, since, until });
      return (rows.get(tenant) ?? [])
        .filter((r) => r.minute >= since && r.minute < until)
        .map((r) => ({ ...r }))
        .sort((a, b) => a.minute - b.minute);
    },
  };
}

const eventsOf = (minutes: readonly MinuteActivity[]) => minutes.map((m) => m.events);

describe("a tenant's minutes", () => {
  it("counts the whole window once, then only the minutes not yet settled", async () => {
    const clock = new FakeClock(M + 30 * MINUTE_MS + 10_000);
    const store = fakeStore();
    store.add("t", M, { events: 2, succeeded: 1, failed: 1 });
    store.add("t", M + 29 * MINUTE_MS, { events: 3 });
    store.add("t", M + 30 * MINUTE_MS, { events: 1 });
    const minutes = new ActivityMinutes(store.read);

    const first = await minutes.minutes("t", M, clock.now());
    expect(first).toHaveLength(31);
    expect(first[0]).toEqual({ minute: M, events: 2, succeeded: 1, failed: 1 });
    expect(first[1]).toEqual({ minute: M + MINUTE_MS, events: 0, succeeded: 0, failed: 0 });
    expect(eventsOf(first).slice(-2)).toEqual([3, 1]);
    expect(store.reads).toEqual([{ tenant: "t", since: M, until: M + 31 * MINUTE_MS }]);

    // A minute later: only from the first minute not yet settled.
    clock.advance(MINUTE_MS);
    store.add("t", M + 31 * MINUTE_MS, { events: 4 });
    const second = await minutes.minutes("t", M, clock.now());
    // Settled at the first read: every minute ended 7 minutes before it (before 12:23).
    expect(SETTLE_MS).toBe(7 * MINUTE_MS);
    expect(store.reads[1]).toEqual({ tenant: "t", since: M + 23 * MINUTE_MS, until: M + 32 * MINUTE_MS });
    expect(eventsOf(second).slice(-3)).toEqual([3, 1, 4]);
    expect(second[0]?.events).toBe(2);
  });

  it("keeps a settled minute's counts, and counts a recent minute again until it settles", async () => {
    const clock = new FakeClock(M + 20 * MINUTE_MS);
    const store = fakeStore();
    store.add("t", M + 5 * MINUTE_MS, { events: 1 });
    store.add("t", M + 18 * MINUTE_MS, { events: 1 });
    const minutes = new ActivityMinutes(store.read);
    await minutes.minutes("t", M, clock.now());

    // A late row in a settled minute is not read again (it was counted); one in a recent minute is.
    store.add("t", M + 5 * MINUTE_MS, { events: 10 });
    store.add("t", M + 18 * MINUTE_MS, { events: 10 });
    clock.advance(10_000);
    const again = await minutes.minutes("t", M, clock.now());
    expect(again[5]?.events).toBe(1);
    expect(again[18]?.events).toBe(11);
  });

  it("moves its window on, dropping the minutes before it", async () => {
    const clock = new FakeClock(M + 10 * MINUTE_MS);
    const store = fakeStore();
    store.add("t", M, { events: 7 });
    store.add("t", M + MINUTE_MS, { events: 1 });
    const minutes = new ActivityMinutes(store.read);
    expect((await minutes.minutes("t", M, clock.now()))[0]?.events).toBe(7);
    clock.advance(MINUTE_MS);
    const moved = await minutes.minutes("t", M + MINUTE_MS, clock.now());
    expect(moved[0]).toEqual({ minute: M + MINUTE_MS, events: 1, succeeded: 0, failed: 0 });
    expect(moved).toHaveLength(11);
    // A window that starts before what is kept is counted whole again.
    await minutes.minutes("t", M, clock.now());
    expect(store.reads.at(-1)).toEqual({ tenant: "t", since: M, until: M + 12 * MINUTE_MS });
  });

  it("keeps each tenant's minutes apart", async () => {
    const clock = new FakeClock(M + 15 * MINUTE_MS);
    const store = fakeStore();
    store.add("a", M, { events: 1 });
    store.add("b", M, { events: 5 });
    const minutes = new ActivityMinutes(store.read);
    expect((await minutes.minutes("a", M, clock.now()))[0]?.events).toBe(1);
    expect((await minutes.minutes("b", M, clock.now()))[0]?.events).toBe(5);
    expect(store.reads.map((r) => [r.tenant, r.since])).toEqual([
      ["a", M],
      ["b", M],
    ]);
  });
});
