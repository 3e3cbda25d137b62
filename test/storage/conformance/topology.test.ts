// Run-time topology rows in the storage port, on every backend: sources, destinations and routes
// keyed (tenant, slug), secrets apart from the definition, and a version bumped by every change.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { type Store, TOPOLOGY_KINDS } from "../../../src/storage/port.js";
import { storeHarness, T } from "./harness.js";

const harness = storeHarness();
let store: Store;
beforeEach(async () => {
  store = (await harness.fresh()).store;
});
afterAll(() => harness.cleanup());

describe(`topology rows on ${harness.dialect}`, () => {
  for (const kind of TOPOLOGY_KINDS) {
    it(`creates, reads, updates and deletes ${kind}, bumping the version once per change`, async () => {
      const table = store.forTenant("acme")[kind];
      const v0 = await store.topologyVersion();
      const created = await table.create("one", { url: "https://example.com/a", n: 1 }, ["k1"], T);
      expect(created).toEqual({
        tenant: "acme",
        slug: "one",
        definition: { url: "https://example.com/a", n: 1 },
        secrets: ["k1"],
        createdAt: T,
        updatedAt: T,
      });
      expect(await store.topologyVersion()).toBe(v0 + 1);
      // A repeat of the slug is refused and changes nothing.
      expect(await table.create("one", { other: true }, null, T + 1)).toBeNull();
      expect(await store.topologyVersion()).toBe(v0 + 1);
      await table.create("two", { n: 2 }, null, T + 2);
      expect((await table.list()).map((r) => r.slug)).toEqual(["one", "two"]);

      const updated = await table.update("one", { n: 3 }, ["k2", "k1"], T + 5);
      expect(updated).toMatchObject({
        definition: { n: 3 },
        secrets: ["k2", "k1"],
        createdAt: T,
        updatedAt: T + 5,
      });
      expect(await table.get("one")).toEqual(updated);
      expect(await table.update("missing", {}, null, T)).toBeNull();

      expect(await table.delete("one")).toBe(true);
      expect(await table.delete("one")).toBe(false);
      expect(await table.get("one")).toBeNull();
      expect(await store.topologyVersion()).toBe(v0 + 4);
    });
  }

  it("keeps one tenant's rows from another: same slug, separate rows; the other's slug finds and changes nothing", async () => {
    const acme = store.forTenant("acme");
    const bolt = store.forTenant("bolt");
    await acme.destinations.create("hook", { url: "https://acme.example/h" }, ["a-secret"], T);
    await bolt.destinations.create("hook", { url: "https://bolt.example/h" }, ["b-secret"], T);
    await bolt.routes.create("only-bolt", { to: ["hook"] }, null, T);
    expect(await acme.routes.get("only-bolt")).toBeNull();
    expect(await acme.routes.list()).toEqual([]);
    expect(await acme.routes.update("only-bolt", { to: [] }, null, T + 1)).toBeNull();
    expect(await acme.routes.delete("only-bolt")).toBe(false);
    expect(await bolt.routes.get("only-bolt")).toMatchObject({ definition: { to: ["hook"] } });
    expect(await acme.destinations.get("hook")).toMatchObject({ secrets: ["a-secret"] });
    expect(await bolt.destinations.get("hook")).toMatchObject({ secrets: ["b-secret"] });
  });

  it("reads every tenant's rows with the version they are at; a source's slug is unique across tenants", async () => {
    await store.forTenant("acme").sources.create("shared-url", { kind: "vercel" }, ["a"], T);
    expect(
      await store.forTenant("bolt").sources.create("shared-url", { kind: "vercel" }, ["b"], T),
    ).toBeNull();
    await store.forTenant("bolt").destinations.create("hook", { url: "https://bolt.example/h" }, null, T);
    await store.forTenant("acme").routes.create("r", { to: ["hook"] }, null, T);
    const all = await store.readAllTopology();
    expect(all.version).toBe(await store.topologyVersion());
    expect(all.sources.map((r) => [r.tenant, r.slug, r.secrets])).toEqual([["acme", "shared-url", ["a"]]]);
    expect(all.destinations).toEqual([
      {
        tenant: "bolt",
        slug: "hook",
        definition: { url: "https://bolt.example/h" },
        secrets: null,
        createdAt: T,
        updatedAt: T,
      },
    ]);
    expect(all.routes.map((r) => [r.tenant, r.slug])).toEqual([["acme", "r"]]);
  });

  it.runIf(harness.dialect === "postgres")("tells another node of a change once it commits", async () => {
    const db = await harness.fresh();
    const other = await db.again();
    let told!: () => void;
    const notified = new Promise<void>((resolve) => {
      told = resolve;
    });
    const stop = await other.subscribeTopology?.(() => told());
    expect(stop).toBeDefined();
    await db.store.forTenant("acme").sources.create("s", { kind: "vercel" }, null, T);
    await notified;
    expect(await other.topologyVersion()).toBe(1);
    await stop?.();
  });
});
