import { describe, expect, it } from "vitest";
import { type LaneSnapshot, LEASE_MARGIN_MS, planClaims } from "../../src/delivery/claim-planner.js";

const lane = (over: Partial<LaneSnapshot> = {}): LaneSnapshot => ({
  key: "default/d",
  tenant: "default",
  slug: "d",
  fifo: false,
  maxConcurrency: 10,
  rate: null,
  timeout: 5_000,
  inFlight: 0,
  waitingInMemory: false,
  skip: false,
  budget: 10,
  heldUntil: null,
  ...over,
});

describe("planClaims", () => {
  it("asks for as many as the lane's budget and the worker's free slots allow, leased past the timeout", () => {
    const plan = planClaims([lane({ budget: 7 })], 64);
    expect(plan.claims).toEqual([
      {
        key: "default/d",
        request: {
          tenant: "default",
          destination: "d",
          limit: 7,
          fifo: false,
          maxConcurrency: 10,
          rate: null,
        },
      },
    ]);
    expect(plan.leaseMs).toBe(5_000 + LEASE_MARGIN_MS);
    expect(plan.waiting.size).toBe(0);
  });

  it("shares the free slots in order and leases for the longest timeout asked for", () => {
    const plan = planClaims(
      [lane({ budget: 6 }), lane({ key: "default/e", slug: "e", budget: 10, timeout: 9_000 })],
      8,
    );
    expect(plan.claims.map((c) => [c.key, c.request.limit])).toEqual([
      ["default/d", 6],
      ["default/e", 2],
    ]);
    expect(plan.leaseMs).toBe(9_000 + LEASE_MARGIN_MS);
  });

  it("claims nothing for a lane whose deliveries wait in memory, nor for one known to be clear", () => {
    const plan = planClaims([lane({ waitingInMemory: true }), lane({ key: "default/e", skip: true })], 64);
    expect(plan.claims).toEqual([]);
    expect([...plan.waiting]).toEqual([["default/d", null]]);
  });

  it("waits for a lane without budget until it may have room, or for a slot when the worker has none", () => {
    expect([...planClaims([lane({ budget: 0, heldUntil: 1_234 })], 64).waiting]).toEqual([
      ["default/d", 1_234],
    ]);
    expect([...planClaims([lane({ heldUntil: 1_234 })], 0).waiting]).toEqual([["default/d", null]]);
  });

  it("while requests are in flight, waits for a quarter of the slots before claiming again (not in fifo)", () => {
    expect(planClaims([lane({ inFlight: 8, budget: 2 })], 64).claims).toEqual([]);
    expect(planClaims([lane({ inFlight: 7, budget: 3 })], 64).claims).toHaveLength(1);
    expect(planClaims([lane({ inFlight: 1, budget: 0, fifo: true })], 64).claims).toEqual([]);
    const fifo = planClaims([lane({ maxConcurrency: 10, inFlight: 0, budget: 1, fifo: true })], 64);
    expect(fifo.claims[0]?.request).toMatchObject({ limit: 1, fifo: true });
  });
});
