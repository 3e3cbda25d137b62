// Reading a tenant's events as a stream, on every backend: in the order they were stored, paged,
// scoped to the tenant, from now, from an event or from a time, with every event read once.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Store, StreamPosition, TenantStore } from "../../../src/storage/port.js";
import { event, storeHarness, T } from "./harness.js";

const harness = storeHarness();
let store: Store;
beforeEach(async () => {
  store = (await harness.fresh()).store;
});
afterAll(() => harness.cleanup());

/**
 * The events of `view` after `from`, read in pages of `limit` until `count` came, and where
 * reading reached. On PostgreSQL a transaction of another session on the server (transaction ids
 * are the cluster's) may hold events back for a moment: reading goes on until they come.
 */
async function readOn(view: TenantStore, from: StreamPosition, count: number, limit = 100) {
  const read: string[] = [];
  let at = from;
  do {
    const page = await view.readStream(at, limit);
    read.push(...page.events.map((e) => e.event.id));
    expect(page.reached >= at).toBe(true);
    at = page.reached;
  } while (read.length < count);
  return { ids: read, reached: at };
}

describe(`the event stream on ${harness.dialect}`, () => {
  it("reads the events stored after the head, in the order they were stored, each once", async () => {
    await store.insertEvents([event(T), event(T)]);
    const view = store.forTenant("default");
    const head = await store.streamHead();
    expect(await readOn(view, head, 0)).toMatchObject({ ids: [] });

    const first = [event(T + 1), event(T + 2), event(T + 3)];
    await store.insertEvents(first);
    const second = [event(T + 4)];
    await store.insertEvents(second);
    const { ids, reached } = await readOn(view, head, 4);
    expect(ids).toEqual([...first, ...second].map((e) => e.id));
    // From where reading reached, only what is stored afterwards.
    const third = event(T + 5);
    await store.insertEvents([third]);
    expect((await readOn(view, reached, 1)).ids).toEqual([third.id]);
  });

  it("gives an event's summary as the list does, and positions in order", async () => {
    const head = await store.streamHead();
    const e = event(T, { externalId: "x-1", schemaIssues: ["a: expected string"], unknownType: true });
    await store.insertEvents([e, event(T + 1)]);
    const view = store.forTenant("default");
    let page = await view.readStream(head, 10);
    while (page.events.length < 2) page = await view.readStream(head, 10);
    const [listed] = await view.listEvents({ limit: 1, before: page.events[1]?.event.id });
    expect(page.events[0]?.event).toEqual(listed);
    const [a, b] = page.events.map((p) => p.position) as [string, string];
    expect(a > head && b > a && page.reached >= b).toBe(true);
  });

  it("pages: a full page reaches its last event, and the rest follows from there", async () => {
    const head = await store.streamHead();
    const stored = Array.from({ length: 7 }, (_, i) => event(T + i));
    await store.insertEvents(stored);
    const view = store.forTenant("default");
    let page = await view.readStream(head, 3);
    while (page.events.length < 3) page = await view.readStream(head, 3);
    expect(page.reached).toBe(page.events[2]?.position);
    expect((await readOn(view, head, 7, 3)).ids).toEqual(stored.map((e) => e.id));
  });

  it("reads only the tenant's events, and finds no position for another tenant's", async () => {
    const head = await store.streamHead();
    const mine = event(T, { tenant: "acme" });
    const theirs = event(T, { tenant: "bolt" });
    await store.insertEvents([mine, theirs]);
    const acme = store.forTenant("acme");
    expect((await readOn(acme, head, 1)).ids).toEqual([mine.id]);
    expect(await acme.streamPositionOf(theirs.id)).toBeNull();
    expect(await acme.streamPositionOf(mine.id)).not.toBeNull();
  });

  it("goes on after an event's position: what was stored after it, not it", async () => {
    const head = await store.streamHead();
    const [a, b, c] = [event(T), event(T + 1), event(T + 2)];
    await store.insertEvents([a, b]);
    await store.insertEvents([c]);
    const view = store.forTenant("default");
    const afterA = (await view.streamPositionOf(a.id)) as string;
    expect(afterA > head).toBe(true);
    expect((await readOn(view, afterA, 2)).ids).toEqual([b.id, c.id]);
  });

  it("starts at a time: the events received at or after it, none before", async () => {
    const before = [event(T - 2000), event(T - 1)];
    const since = [event(T), event(T + 1000)];
    await store.insertEvents(before);
    await store.insertEvents(since);
    const view = store.forTenant("default");
    const { ids } = await readOn(view, await view.streamPositionAt(T), 2);
    expect(ids).toEqual(since.map((e) => e.id));
    // A time after every event: from now on.
    const later = event(T + 5000);
    const at = await view.streamPositionAt(T + 2000);
    await store.insertEvents([later]);
    expect((await readOn(view, at, 1)).ids).toEqual([later.id]);
  });

  it("never reads behind a reader: after the newest events are deleted, new ones still come after", async () => {
    await store.insertEvents([event(T, { tenant: "acme" })]);
    const head = await store.streamHead();
    const gone = [event(T + 1, { tenant: "bolt" }), event(T + 2, { tenant: "bolt" })];
    await store.insertEvents(gone);
    const acme = store.forTenant("acme");
    // The reader has read past bolt's events (its position is the head after them).
    const { reached } = await readOn(acme, await store.streamHead(), 0);
    await store.purgeTenant("bolt");
    const next = event(T + 3, { tenant: "acme" });
    await store.insertEvents([next]);
    expect((await readOn(acme, reached, 1)).ids).toEqual([next.id]);
    expect((await readOn(acme, head, 1)).ids).toEqual([next.id]);
  });
});
