// Tenants in the storage port, on every backend: a tenant view never reads or changes another
// tenant's records, claims and destination states are keyed (tenant, destination), and a tenant
// is removed with everything it owns, its topology rows too.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_CIRCUIT_POLICY } from "../../../src/core/circuit-breaker.js";
import type { DestinationState } from "../../../src/core/delivery-types.js";
import type { Store } from "../../../src/storage/port.js";
import { attemptAt, DAY, delivery, event, ids, outcome, storeHarness, T, want } from "./harness.js";

const harness = storeHarness();
let store: Store;
beforeEach(async () => {
  store = (await harness.fresh()).store;
});
afterAll(() => harness.cleanup());

const A = "acme";
const B = "bolt";

/** One event per tenant, the same source, external id and destination slug, each with a delivery. */
async function twoTenants() {
  const made = [A, B].map((tenant) => {
    const d = delivery("hook", T);
    const e = event(T, { tenant, externalId: "same", deliveries: [d] });
    return { tenant, event: e, delivery: d };
  });
  const results = await store.insertEvents(made.map((m) => m.event));
  expect(results.map((r) => r.duplicate)).toEqual([false, false]);
  const [a, b] = made as [(typeof made)[number], (typeof made)[number]];
  return { a, b };
}

/** Fails a tenant's delivery for good, with an attempt and a change to its destination's state. */
async function failFor(tenant: string, deliveryId: string, at: number) {
  await store.recordOutcomes(
    [
      outcome(deliveryId, {
        attempt: attemptAt(at, 500),
        status: "failed",
        lastStatus: 500,
        lastError: "HTTP 500",
        destinationChange: {
          tenant,
          destination: "hook",
          ok: false,
          at,
          disable: null,
          circuit: DEFAULT_CIRCUIT_POLICY,
        },
      }),
    ],
    at,
  );
}

describe(`tenants on ${harness.dialect}`, () => {
  it("claims, and tells what is due, per (tenant, destination)", async () => {
    const { a, b } = await twoTenants();
    const claimedA = await store.claimDeliveries([want("hook", 10, false, A)], T, T + 1000, "w");
    expect(ids(claimedA.deliveries)).toEqual([a.delivery.id]);
    expect(claimedA.deliveries[0]?.tenant).toBe(A);
    // A's delivery is leased; B's is due.
    expect(await store.nextDueAt([{ tenant: A, destination: "hook" }])).toBeNull();
    expect(await store.nextDueAt([{ tenant: B, destination: "hook" }])).toBe(T);
    const fifoB = await store.claimDeliveries([want("hook", 1, true, B)], T, T + 1000, "w");
    expect(ids(fifoB.deliveries)).toEqual([b.delivery.id]);
  });

  it("keeps destination states apart: a change to one tenant's destination leaves the other's", async () => {
    const { a } = await twoTenants();
    await failFor(A, a.delivery.id, T + 1);
    const [stateA] = await store.forTenant(A).listDestinationStates();
    expect(stateA).toMatchObject({ tenant: A, destination: "hook", consecutiveFailures: 1 });
    expect(await store.forTenant(B).listDestinationStates()).toEqual([]);
  });

  it("finds nothing and changes nothing through one tenant's view with the other tenant's ids", async () => {
    const { a, b } = await twoTenants();
    await failFor(A, a.delivery.id, T + 1);
    await failFor(B, b.delivery.id, T + 2);
    const viewA = store.forTenant(A);
    const viewB = store.forTenant(B);
    const bBefore = await viewB.getDelivery(b.delivery.id);
    const bStatesBefore = await viewB.listDestinationStates();

    // Reads.
    expect(await viewA.getEvent(b.event.id)).toBeNull();
    expect(ids(await viewA.listEvents({ limit: 10 }))).toEqual([a.event.id]);
    expect(await viewA.getDelivery(b.delivery.id)).toBeNull();
    expect(ids(await viewA.listDeliveries({ limit: 10 }))).toEqual([a.delivery.id]);
    expect(await viewA.listDeliveries({ limit: 10, eventId: b.event.id })).toEqual([]);
    expect(await viewA.listDeliveries({ limit: 10, before: b.delivery.id })).toEqual([]);
    expect((await viewA.listDestinationStates()).map((s) => s.tenant)).toEqual([A]);

    // Writes.
    expect(await viewA.retryDelivery(b.delivery.id, T + 10, T + 10 + DAY)).toBeNull();
    expect(await viewA.addDeliveries(b.event.id, [delivery("hook", T + 10)], T + 10)).toBe(false);
    await expect(
      viewA.saveDestinationState({ ...(bStatesBefore[0] as DestinationState), state: "disabled" }),
    ).rejects.toThrow(/tenant/);
    const requeued = await viewA.requeueDeliveries(
      { status: "failed", dryRun: false },
      T + 20,
      () => T + 20 + DAY,
    );
    expect(requeued).toEqual({ matched: 1, enqueued: 1 });

    // The other tenant's records are as they were.
    expect(await viewB.getDelivery(b.delivery.id)).toEqual(bBefore);
    expect(ids(await viewB.listDeliveries({ limit: 10 }))).toEqual([b.delivery.id]);
    expect(await viewB.listDestinationStates()).toEqual(bStatesBefore);
    // And the view's own writes did what they say.
    expect((await viewA.getDelivery(a.delivery.id))?.delivery).toMatchObject({ status: "pending" });
    expect(await viewA.addDeliveries(a.event.id, [delivery("hook", T + 30)], T + 30)).toBe(true);
    expect(await viewA.listDeliveries({ limit: 10 })).toHaveLength(2);
  });

  it("deletes everything one tenant owns in one call, and nothing of another's", async () => {
    const { a, b } = await twoTenants();
    await failFor(A, a.delivery.id, T + 1);
    await failFor(B, b.delivery.id, T + 2);
    const bDelivery = await store.forTenant(B).getDelivery(b.delivery.id);
    const bStates = await store.forTenant(B).listDestinationStates();

    await store.forTenant(A).sources.create("acme-in", { kind: "vercel" }, ["s"], T);
    await store.forTenant(A).destinations.create("hook", { url: "https://acme.example/h" }, null, T);
    await store.forTenant(B).destinations.create("hook", { url: "https://bolt.example/h" }, ["d"], T);
    const version = await store.topologyVersion();

    expect(await store.purgeTenant(A)).toEqual({
      events: 1,
      deliveries: 1,
      attempts: 1,
      destinationStates: 1,
      sources: 1,
      destinations: 1,
      routes: 0,
      actionRuns: 0,
      actionReports: 0,
    });
    expect(await store.topologyVersion()).toBe(version + 1);
    expect(await store.forTenant(A).sources.list()).toEqual([]);
    expect(await store.forTenant(A).destinations.list()).toEqual([]);
    expect(await store.forTenant(B).destinations.get("hook")).toMatchObject({ tenant: B, secrets: ["d"] });

    const viewA = store.forTenant(A);
    expect(await viewA.listEvents({ limit: 10 })).toEqual([]);
    expect(await viewA.listDeliveries({ limit: 10 })).toEqual([]);
    expect(await viewA.listDestinationStates()).toEqual([]);
    const viewB = store.forTenant(B);
    expect(ids(await viewB.listEvents({ limit: 10 }))).toEqual([b.event.id]);
    expect(await viewB.getDelivery(b.delivery.id)).toEqual(bDelivery);
    expect(bDelivery?.attempts).toHaveLength(1);
    expect(await viewB.listDestinationStates()).toEqual(bStates);
    expect(await store.purgeTenant(A)).toMatchObject({ events: 0, deliveries: 0, attempts: 0, sources: 0 });
  });
});
