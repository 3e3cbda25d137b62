import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncomingEvent } from "../../src/core/types.js";
import { event } from "../storage/conformance/harness.js";
import { type ApiTestApp, apiTestApp } from "../support/api-app.js";
import { FakeClock } from "../support/sink.js";

// GET /api/v1/events's filters: type globs, times (and durations), ids, and the bounded search.

const clock = new FakeClock(Date.UTC(2026, 2, 1, 12, 0));
const NOW = clock.now();
const MIN = 60_000;
let t: ApiTestApp;

function stored(minutesAgo: number, over: Partial<IncomingEvent> = {}): IncomingEvent {
  return event(NOW - minutesAgo * MIN, over);
}

const created = stored(300, { externalId: "vercel-1", body: Buffer.from('{"name":"Alpha-App"}') });
const ready = stored(120, { type: "deployment.ready", originalType: "deployment.ready" });
const project = stored(30, {
  type: "project.created",
  originalType: "project.created",
  body: Buffer.from('{"name":"alpha-app"}'),
});
const recent = stored(5, { type: "deployment.error", originalType: "deployment.error" });
const theirs = stored(1, {
  tenant: "other",
  externalId: "vercel-9",
  body: Buffer.from('{"name":"alpha-app"}'),
});

beforeAll(async () => {
  t = await apiTestApp({}, { clock });
  await t.deps.store.insertEvents([created, ready, project, recent, theirs]);
});
afterAll(() => t.close());

async function list(query: string) {
  const res = await t.call(`/api/v1/events?${query}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const idsOf = (body: Record<string, unknown>) => (body.data as { id: string }[]).map((e) => e.id);

describe("GET /api/v1/events filters", () => {
  it("takes a type glob, in the stream's grammar", async () => {
    expect(idsOf((await list("type=deployment.*")).body)).toEqual([recent.id, ready.id, created.id]);
    expect(idsOf((await list("type=*.created")).body)).toEqual([project.id, created.id]);
    expect(idsOf((await list("type=project.*")).body)).toEqual([project.id]);
    expect(idsOf((await list("type=deployment.ready")).body)).toEqual([ready.id]);
  });

  it("takes since and until as ISO times, and since as a duration before now", async () => {
    const iso = (m: number) => new Date(NOW - m * MIN).toISOString();
    expect(idsOf((await list(`since=${iso(200)}&until=${iso(10)}`)).body)).toEqual([project.id, ready.id]);
    expect(idsOf((await list("since=1h")).body)).toEqual([recent.id, project.id]);
    expect(idsOf((await list("since=15m")).body)).toEqual([recent.id]);
    expect(idsOf((await list("since=1d")).body)).toHaveLength(4);
  });

  it("finds an event by its id or Vercel's, never another tenant's", async () => {
    expect(idsOf((await list(`id=${ready.id}`)).body)).toEqual([ready.id]);
    expect(idsOf((await list("id=vercel-1")).body)).toEqual([created.id]);
    expect(idsOf((await list(`id=${theirs.id}`)).body)).toEqual([]);
    expect(idsOf((await list("id=vercel-9")).body)).toEqual([]);
  });

  it("searches bodies; a search stopped at its bound says how far back it looked and continues there", async () => {
    const all = await list("q=ALPHA-app");
    expect(idsOf(all.body)).toEqual([project.id, created.id]);
    expect(all.body.searchedBackTo).toBeNull();
    t.deps.operations.deliveries.searchScanLimit = 2;
    try {
      const first = await list("q=alpha-app");
      expect(idsOf(first.body)).toEqual([project.id]);
      expect(first.body.searchedBackTo).toBe(new Date(project.receivedAt).toISOString());
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await list(`q=alpha-app&cursor=${first.body.nextCursor}`);
      expect(idsOf(second.body)).toEqual([created.id]);
      // It examined its bound, so it cannot tell there is nothing older: the next page says so.
      expect(second.body.searchedBackTo).toBe(new Date(created.receivedAt).toISOString());
      const third = await list(`q=alpha-app&cursor=${second.body.nextCursor}`);
      expect(third.body).toEqual({ data: [], nextCursor: null, searchedBackTo: null });
      // Nothing found on a page that stopped early: the cursor still goes on.
      const none = await list("q=alpha-app&type=deployment.*");
      expect(idsOf(none.body)).toEqual([]);
      expect(none.body.nextCursor).toEqual(expect.any(String));
      expect(
        idsOf((await list(`q=alpha-app&type=deployment.*&cursor=${none.body.nextCursor}`)).body),
      ).toEqual([created.id]);
    } finally {
      t.deps.operations.deliveries.searchScanLimit = 20_000;
    }
  });

  it("refuses a bad type, a bad time, since after until, and a long search, naming the parameter", async () => {
    for (const [query, word] of [
      ["type=deployment%20created", "type"],
      ["since=yesterday", "since"],
      ["since=5x", "since"],
      ["until=2026-13-01T00:00Z", "until"],
      ["since=2026-03-01T12:00:00Z&until=2026-03-01T11:00:00Z", "since"],
      [`q=${"a".repeat(201)}`, "q"],
    ] as const) {
      const res = await list(query);
      expect(res.status, query).toBe(400);
      expect(res.body.code, query).toBe("invalid_query");
      expect(res.body.message, query).toContain(word);
    }
  });
});

describe("GET /api/v1/events/:id/raw", () => {
  it("answers the stored body byte for byte, and another tenant's event is not found", async () => {
    const res = await t.call(`/api/v1/events/${created.id}/raw`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from(created.body));
    const theirsRes = await t.call(`/api/v1/events/${theirs.id}/raw`);
    expect(theirsRes.status).toBe(404);
    expect(((await theirsRes.json()) as { code: string }).code).toBe("not_found");
    const other = await t.call(`/api/v1/events/${theirs.id}/raw?tenant=other`);
    expect(Buffer.from(await other.arrayBuffer())).toEqual(Buffer.from(theirs.body));
  });
});
