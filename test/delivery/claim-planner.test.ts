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
  waiting: 0,
  readAhead: 0,
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
    const plan = planClaims([lane({ waiting: 3 }), lane({ key: "default/e", skip: true })], 64);
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

  it("reads ahead: claims past the free slots up to the places left in memory, leased for the wait", () => {
    const plan = planClaims([lane({ budget: 4, readAhead: 10 })], 64, 6);
    expect(plan.claims[0]?.request.limit).toBe(10);
    expect(plan.leaseMs).toBe(2 * 5_000 + LEASE_MARGIN_MS);
    // Every slot taken: still claims ahead, once half of the places are free.
    expect(
      planClaims([lane({ inFlight: 10, budget: 0, readAhead: 5 })], 54, 64).claims[0]?.request.limit,
    ).toBe(5);
    expect(planClaims([lane({ inFlight: 10, budget: 0, readAhead: 4 })], 54, 64).claims).toEqual([]);
    // The free slots go first to what already waits in memory.
    const waiting = planClaims([lane({ inFlight: 2, budget: 8, waiting: 6, readAhead: 4 })], 62, 64);
    expect(waiting.claims[0]?.request.limit).toBe(2 + 4);
  });

  it("shares the places in memory in order, and leaves a lane with waiters and no place unclaimed", () => {
    const plan = planClaims(
      [
        lane({ budget: 0, inFlight: 10, readAhead: 10 }),
        lane({ key: "default/e", slug: "e", budget: 0, inFlight: 10, waiting: 2, readAhead: 8 }),
      ],
      44,
      10,
    );
    expect(plan.claims.map((c) => [c.key, c.request.limit])).toEqual([["default/d", 10]]);
    expect([...plan.waiting]).toEqual([["default/e", null]]);
  });
});
