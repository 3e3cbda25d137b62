import { describe, expect, it } from "vitest";
import { Maintenance } from "../../src/delivery/maintenance.js";
import { createLogger } from "../../src/log.js";
import type { Store } from "../../src/storage/port.js";

// A pass run by hand while this node's own pass is under way waits for it, instead of finding the
// purge's lock taken (on PostgreSQL) and purging nothing.

/** A store whose purges end only when the test says, counting how many run at once. */
function gatedStore() {
  const gates: (() => void)[] = [];
  let inFlight = 0;
  let most = 0;
  const cutoffs: number[] = [];
  const store = {
    purge: async (cutoff: number) => {
      inFlight++;
      most = Math.max(most, inFlight);
      cutoffs.push(cutoff);
      await new Promise<void>((resolve) => gates.push(resolve));
      inFlight--;
      return { events: cutoffs.length, deliveries: 0 };
    },
    installations: { purgeExpired: async () => ({ states: 0, sessions: 0 }) },
  } as unknown as Store;
  return { store, gates, cutoffs, most: () => most };
}

/** Lets queued promise callbacks run until `done` holds. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
}

describe("Maintenance", () => {
  it("runs a pass by hand after the one in progress, never beside it", async () => {
    const { store, gates, cutoffs, most } = gatedStore();
    let now = 1_000_000;
    const maintenance = new Maintenance(store, { now: () => now }, createLogger("silent"), 1000);
    maintenance.start();
    await until(() => cutoffs.length === 1);
    now = 2_000_000;
    const byHand = maintenance.runOnce();
    // Still the first pass alone, however long it takes.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(cutoffs).toEqual([999_000]);
    gates.shift()?.();
    await until(() => cutoffs.length === 2);
    // The second pass reads the clock when it starts.
    expect(cutoffs).toEqual([999_000, 1_999_000]);
    gates.shift()?.();
    expect(await byHand).toEqual({ events: 2, deliveries: 0 });
    expect(most()).toBe(1);
    await maintenance.stop();
  });
});
