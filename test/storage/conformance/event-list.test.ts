// The events list's filters and its bounded body search, on every backend.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { listEventPage, typeQuery } from "../../../src/operations/event-list.js";
import type { Store, TenantStore } from "../../../src/storage/port.js";
import { event, type FreshStore, ids, storeHarness, T } from "./harness.js";

const harness = storeHarness();
let db: FreshStore;
let store: Store;
let view: TenantStore;
beforeEach(async () => {
  db = await harness.fresh();
  store = db.store;
  view = store.forTenant("list");
});
afterAll(() => harness.cleanup());

const MIN = 60_000;

describe(`events list filters on ${harness.dialect}`, () => {
  it("matches a type glob against every spelling of known types and against unknown types", async () => {
    const created = event(T, {
      tenant: "list",
      type: "deployment.created",
      originalType: "deployment.created",
    });
    const ready = event(T + 1, {
      tenant: "list",
      type: "deployment.ready",
      originalType: "deployment.ready",
    });
    const project = event(T + 2, {
      tenant: "list",
      type: "project.created",
      originalType: "project.created",
    });
    // Stored under its canonical name; the glob is written in the other spelling.
    const cert = event(T + 3, {
      tenant: "list",
      type: "domain.certificate-add",
      originalType: "domain.certificate-add",
    });
    const unknown = event(T + 4, {
      tenant: "list",
      type: "custom.thing.created",
      originalType: "custom.thing.created",
      unknownType: true,
    });
    // Characters GLOB and LIKE treat as wildcards are literal in a type glob.
    const odd = event(T + 5, {
      tenant: "list",
      type: "odd_[x]?%",
      originalType: "odd_[x]?%",
      unknownType: true,
    });
    const otherTenant = event(T + 6, { tenant: "other", type: "deployment.created" });
    await store.insertEvents([created, ready, project, cert, unknown, odd, otherTenant]);
    const list = async (type: string) => ids(await view.listEvents({ ...typeQuery(type), limit: 50 }));
    expect(await list("deployment.*")).toEqual([ready.id, created.id]);
    expect(await list("*.created")).toEqual([unknown.id, project.id, created.id]);
    expect(await list("project.*")).toEqual([project.id]);
    expect(await list("domain.certificate.*")).toEqual([cert.id]);
    expect(await list("custom.*")).toEqual([unknown.id]);
    expect(await list("odd_[x]?%")).toEqual([odd.id]);
    expect(await list("odd_[x]*")).toEqual([odd.id]);
    expect(await list("odd__x_*")).toEqual([]);
    expect(await list("odd%")).toEqual([]);
    expect(await list("*")).toHaveLength(6);
    // An exact type in the other spelling is still normalized.
    expect(await list("domain.certificate.add")).toEqual([cert.id]);
    expect(
      ids(await store.forTenant("other").listEvents({ ...typeQuery("deployment.*"), limit: 50 })),
    ).toEqual([otherTenant.id]);
  });

  it("bounds by receipt time, since inclusive and until exclusive", async () => {
    const at = [0, 1, 2, 3].map((i) => event(T + i * MIN, { tenant: "list" }));
    await store.insertEvents([...at, event(T + MIN, { tenant: "other" })]);
    const [e0, e1, e2, e3] = at.map((e) => e.id);
    expect(ids(await view.listEvents({ since: T + MIN, until: T + 3 * MIN, limit: 50 }))).toEqual([e2, e1]);
    expect(ids(await view.listEvents({ until: T + MIN, limit: 50 }))).toEqual([e0]);
    expect(ids(await view.listEvents({ since: T + 3 * MIN, limit: 50 }))).toEqual([e3]);
    expect(await view.listEvents({ since: T + 4 * MIN, limit: 50 })).toEqual([]);
  });

  it("finds an event by its id or by the sender's id, never another tenant's", async () => {
    const mine = event(T, { tenant: "list", externalId: "vercel-evt-1" });
    const second = event(T + 1, { tenant: "list", externalId: "vercel-evt-2" });
    const theirs = event(T + 2, { tenant: "other", externalId: "vercel-evt-3" });
    await store.insertEvents([mine, second, theirs]);
    expect(ids(await view.listEvents({ id: mine.id, limit: 50 }))).toEqual([mine.id]);
    expect(ids(await view.listEvents({ id: "vercel-evt-2", limit: 50 }))).toEqual([second.id]);
    expect(await view.listEvents({ id: theirs.id, limit: 50 })).toEqual([]);
    expect(await view.listEvents({ id: "vercel-evt-3", limit: 50 })).toEqual([]);
  });

  it("searches raw bodies, ASCII letters in either case, bytes that are not text too", async () => {
    const json = event(T, {
      tenant: "list",
      body: Buffer.from('{"name":"My-App","url":"my-app.vercel.app"}'),
    });
    const other = event(T + 1, { tenant: "list", body: Buffer.from('{"name":"else"}') });
    const binary = event(T + 2, {
      tenant: "list",
      body: Buffer.from([0xff, 0x00, ...Buffer.from("my-app"), 0xfe]),
    });
    const theirs = event(T + 3, { tenant: "other", body: Buffer.from('{"name":"my-app"}') });
    await store.insertEvents([json, other, binary, theirs]);
    const search = (text: string) => view.searchEvents({ text, scanLimit: 100, limit: 50 });
    expect(ids((await search("my-app")).events)).toEqual([binary.id, json.id]);
    expect(ids((await search("MY-APP")).events)).toContain(json.id);
    expect(await search("nothing like it")).toEqual({ events: [], scannedTo: null });
    expect(
      ids((await view.searchEvents({ text: "my-app", id: json.id, scanLimit: 100, limit: 50 })).events),
    ).toEqual([json.id]);
  });

  it("stops a search at its scan bound, says where, and continues there without skipping a match", async () => {
    // 23 events, matches bunched and apart, and a scan bound of 4: some pages fill before the
    // bound, some stop at it with a match or none.
    const hits = new Set([0, 1, 2, 10, 20, 21, 22]);
    const all = Array.from({ length: 23 }, (_, i) =>
      event(T + i * 1000, {
        tenant: "list",
        body: Buffer.from(hits.has(i) ? `{"hit":"needle ${i}"}` : "{}"),
      }),
    );
    await store.insertEvents([...all, event(T + 500, { tenant: "other", body: Buffer.from("needle") })]);
    const first = await view.searchEvents({ text: "needle", scanLimit: 4, limit: 50 });
    expect(ids(first.events)).toEqual([all[22]?.id, all[21]?.id, all[20]?.id]);
    expect(first.scannedTo).toBe(all[19]?.id);
    const beyond = await view.searchEvents({ text: "needle", scanLimit: 4, limit: 50, before: all[3]?.id });
    expect(ids(beyond.events)).toEqual([all[2]?.id, all[1]?.id, all[0]?.id]);
    expect(beyond.scannedTo).toBeNull();
    const found: string[] = [];
    let before: string | undefined;
    let pages = 0;
    let stoppedEmpty = 0;
    do {
      const page = await listEventPage(view, { text: "needle", before, limit: 2 }, 4);
      found.push(...ids(page.events));
      if (page.events.length === 0 && page.next !== null) stoppedEmpty++;
      if (page.searchedBackTo !== null) expect(page.searchedBackTo).toBeGreaterThanOrEqual(T);
      before = page.next ?? undefined;
      pages++;
    } while (before !== undefined && pages < 50);
    const wanted = all
      .filter((_, i) => hits.has(i))
      .map((e) => e.id)
      .reverse();
    expect(found).toEqual(wanted);
    expect(stoppedEmpty).toBeGreaterThan(0);
  });

  it("refuses a since after until, and a type that no event type can be", async () => {
    await expect(listEventPage(view, { since: T + 1, until: T, limit: 10 }, 10)).rejects.toMatchObject({
      code: "invalid_request",
      message: expect.stringContaining("since"),
    });
    expect(() => typeQuery("deployment created")).toThrow(/type/);
    expect(() => typeQuery("x".repeat(201))).toThrow(/type/);
  });
});
