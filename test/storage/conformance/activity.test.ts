// The overview's counts on every backend: a tenant's events and attempts per minute over a time
// range, and its deliveries by status; never another tenant's.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../../src/storage/port.js";
import { attemptAt, delivery, event, type FreshStore, outcome, storeHarness } from "./harness.js";

const harness = storeHarness();
let db: FreshStore;
let store: Store;
beforeEach(async () => {
  db = await harness.fresh();
  store = db.store;
});
afterAll(() => harness.cleanup());

const MINUTE = 60_000;
/** A minute's start, well inside the ids' time range. */
const M = Date.UTC(2026, 5, 1, 12, 0);

describe(`the overview's counts on ${harness.dialect}`, () => {
  it("counts a tenant's events and attempts per minute in a range, never another tenant's", async () => {
    const first = delivery("a", M);
    const second = delivery("a", M + MINUTE);
    const third = delivery("b", M + MINUTE);
    const theirs = delivery("a", M);
    await store.insertEvents([
      event(M, { deliveries: [first] }),
      event(M + 59_999),
      event(M + MINUTE + 1, { deliveries: [second, third] }),
      event(M + 3 * MINUTE),
      // Before and after the range asked for.
      event(M - 1),
      event(M + 5 * MINUTE),
      event(M + 10, { tenant: "other", deliveries: [theirs] }),
      event(M + MINUTE, { tenant: "other" }),
    ]);
    await store.recordOutcomes(
      [
        outcome(first.id, { attempt: attemptAt(M + 30_000) }),
        outcome(second.id, {
          attempt: attemptAt(M + MINUTE + 5, 503),
          status: "pending",
          nextAttemptAt: M + 2 * MINUTE,
        }),
        outcome(third.id, {
          attempt: { ...attemptAt(M + 2 * MINUTE, 0), status: null, error: "timeout" },
          status: "failed",
        }),
        outcome(theirs.id, { attempt: attemptAt(M + 40, 500), status: "failed" }),
      ],
      M + 3 * MINUTE,
    );
    const view = store.forTenant("default");
    expect(await view.activityByMinute(M, M + 5 * MINUTE)).toEqual([
      { minute: M, events: 2, succeeded: 1, failed: 0 },
      { minute: M + MINUTE, events: 1, succeeded: 0, failed: 1 },
      { minute: M + 2 * MINUTE, events: 0, succeeded: 0, failed: 1 },
      { minute: M + 3 * MINUTE, events: 1, succeeded: 0, failed: 0 },
    ]);
    // A range is [since, until): its bounds cut by time, to the millisecond.
    expect(await view.activityByMinute(M + MINUTE, M + 2 * MINUTE)).toEqual([
      { minute: M + MINUTE, events: 1, succeeded: 0, failed: 1 },
    ]);
    expect(await view.activityByMinute(M + 30_001, M + MINUTE)).toEqual([
      { minute: M, events: 1, succeeded: 0, failed: 0 },
    ]);
    expect(await store.forTenant("other").activityByMinute(M, M + 5 * MINUTE)).toEqual([
      { minute: M, events: 1, succeeded: 0, failed: 1 },
      { minute: M + MINUTE, events: 1, succeeded: 0, failed: 0 },
    ]);
    expect(await store.forTenant("nobody").activityByMinute(M, M + 5 * MINUTE)).toEqual([]);
  });

  it("counts a tenant's deliveries by status, never another tenant's", async () => {
    const dead = delivery("a", M);
    const theirs = delivery("a", M);
    await store.insertEvents([
      event(M, { deliveries: [dead, delivery("a", M), delivery("b", M)] }),
      event(M, { tenant: "other", deliveries: [theirs, delivery("a", M)] }),
    ]);
    await store.recordOutcomes(
      [outcome(dead.id, { status: "failed" }), outcome(theirs.id, { status: "failed" })],
      M + 1,
    );
    const view = store.forTenant("default");
    expect(await view.countDeliveries("pending")).toBe(2);
    expect(await view.countDeliveries("failed")).toBe(1);
    expect(await view.countDeliveries("succeeded")).toBe(0);
    expect(await store.forTenant("other").countDeliveries("pending")).toBe(1);
    expect(await store.forTenant("nobody").countDeliveries("failed")).toBe(0);
  });
});
