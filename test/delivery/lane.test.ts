import { describe, expect, it } from "vitest";
import type { Destination } from "../../src/core/destination.js";
import { Lane, laneKey, storedLaneKey } from "../../src/delivery/lane.js";

const destination = (over: Partial<Destination> = {}): Destination => ({
  tenant: "default",
  slug: "d",
  url: "http://127.0.0.1/hook",
  headers: {},
  timeout: 5_000,
  retry: { schedule: [0], maxAge: 60_000, jitter: 0 },
  signing: { scheme: "none", secrets: [] },
  maxConcurrency: 4,
  rateLimit: null,
  ordering: "none",
  allowPrivateNetwork: undefined,
  ...over,
});

describe("laneKey", () => {
  it("is one key per (tenant, slug), the same for rows that name no tenant and the default tenant", () => {
    expect(laneKey("a", "b")).not.toBe(laneKey("a/b", ""));
    expect(storedLaneKey({ destination: "d" })).toBe(laneKey("default", "d"));
    expect(storedLaneKey({ destination: "d", tenant: "t" })).toBe(laneKey("t", "d"));
  });
});

describe("Lane", () => {
  it("counts slots against maxConcurrency", () => {
    const lane = new Lane(destination(), undefined, true, 0);
    expect(lane.budget(0)).toBe(4);
    lane.startSlot(0);
    lane.startSlot(0);
    expect(lane.budget(0)).toBe(2);
    lane.endSlot();
    expect(lane.budget(0)).toBe(3);
  });

  it("holds to its rate with a local bucket only when the store does not", () => {
    const rate = { count: 2, perMs: 60_000 };
    const local = new Lane(destination({ rateLimit: rate }), undefined, true, 0);
    local.startSlot(0);
    local.endSlot();
    local.startSlot(0);
    local.endSlot();
    expect(local.budget(0)).toBe(0);
    expect(local.snapshot(0, 1_000).heldUntil).toBe(30_000);
    const shared = new Lane(destination({ rateLimit: rate }), undefined, false, 0);
    shared.startSlot(0);
    shared.startSlot(0);
    shared.startSlot(0);
    expect(shared.budget(0)).toBe(1);
  });

  it("keeps its slots in flight through an update, and starts a new bucket for a new rate", () => {
    const lane = new Lane(destination({ rateLimit: { count: 1, perMs: 60_000 } }), undefined, true, 0);
    lane.startSlot(0);
    expect(lane.budget(0)).toBe(0);
    lane.update(destination({ maxConcurrency: 3, rateLimit: { count: 5, perMs: 60_000 } }), 0);
    expect(lane.inFlight).toBe(1);
    expect(lane.budget(0)).toBe(2);
  });

  it("hands off only once a claim has shown the store holds nothing due, and not once new work is stored", () => {
    const lane = new Lane(destination(), undefined, true, 0);
    expect(lane.mayHandOff(0)).toBe(false);
    const mark = lane.beginClaim(0);
    expect(lane.mayHandOff(0)).toBe(false);
    lane.endClaim();
    lane.settleClear(mark, 500);
    expect(lane.mayHandOff(0)).toBe(true);
    expect(lane.mayHandOff(500)).toBe(false);
    lane.markBacklog();
    expect(lane.mayHandOff(0)).toBe(false);
  });

  it("lets a claim that began before a change leave the change standing", () => {
    const lane = new Lane(destination(), undefined, true, 0);
    const mark = lane.beginClaim(0);
    lane.markBacklog();
    lane.endClaim();
    lane.settleClear(mark, null);
    expect(lane.mayHaveBacklog(0)).toBe(true);
  });

  it("never hands off in fifo order or once retired", () => {
    const fifo = new Lane(destination({ ordering: "fifo" }), undefined, true, 0);
    fifo.settleClear(fifo.beginClaim(0), null);
    fifo.endClaim();
    expect(fifo.mayHandOff(0)).toBe(false);
    const lane = new Lane(destination(), undefined, true, 0);
    lane.settleClear(lane.beginClaim(0), null);
    lane.endClaim();
    lane.retired = true;
    expect(lane.mayHandOff(0)).toBe(false);
  });

  it("lets at most maxConcurrency deliveries wait in memory, and is idle once none is held", () => {
    const lane = new Lane(destination({ maxConcurrency: 2 }), undefined, true, 0);
    lane.settleClear(lane.beginClaim(0), null);
    lane.endClaim();
    lane.reserve();
    expect(lane.mayWaitInMemory(0, () => true)).toBe(true);
    expect(lane.mayWaitInMemory(0, () => false)).toBe(false);
    lane.reserve();
    expect(lane.mayWaitInMemory(0, () => true)).toBe(false);
    expect(lane.idle).toBe(false);
    lane.unreserve();
    lane.unreserve();
    expect(lane.idle).toBe(true);
  });

  it("reads ahead up to maxConcurrency held in memory, never in fifo order, under a rate or when not active", () => {
    const lane = new Lane(destination({ maxConcurrency: 3 }), undefined, true, 0);
    expect(lane.readAhead(0)).toBe(3);
    lane.startSlot(0);
    lane.startSlot(0);
    lane.startSlot(0);
    expect(lane.readAhead(0)).toBe(3); // every slot taken: the next ones may still wait
    lane.reserve();
    expect(lane.readAhead(0)).toBe(2);
    expect(lane.snapshot(0, 1_000, true)).toMatchObject({ readAhead: 2, budget: 0 });
    expect(lane.snapshot(0, 1_000).readAhead).toBe(0);
    expect(new Lane(destination({ ordering: "fifo" }), undefined, true, 0).readAhead(0)).toBe(0);
    const rated = new Lane(destination({ rateLimit: { count: 5, perMs: 1_000 } }), undefined, true, 0);
    expect(rated.readAhead(0)).toBe(0);
    const disabled = new Lane(destination(), undefined, true, 0);
    disabled.adopt({ ...disabled.state, state: "disabled" });
    expect(disabled.readAhead(0)).toBe(0);
    const retired = new Lane(destination(), undefined, true, 0);
    retired.retired = true;
    expect(retired.readAhead(0)).toBe(0);
  });
});
