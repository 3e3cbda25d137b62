import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import type { AppOptions } from "../../src/app.js";
import type { Clock } from "../../src/core/clock.js";
import { newEventId } from "../../src/core/ids.js";
import { sampleEvent } from "../../src/vercel/index.js";
import { ADMIN_TOKEN, api, startTestApp, TEST_STORE, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { metricValue, openRaw } from "../support/raw-http.js";
import { sendVercel } from "../support/send.js";
import { SseClient, sseMessages } from "../support/sse.js";

// GET /api/v1/events/stream end to end, over a socket: what it sends, from where, to whom, and
// that a reconnect with Last-Event-ID gets every event once.

const OTHER_SECRET = "other-source-secret";
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(streams: AppOptions["streams"] = {}, clock?: Clock): Promise<TestApp> {
  const app = await startTestApp(
    {
      sources: [
        { slug: "vercel", kind: "vercel", secrets: VERCEL_SECRETS },
        { slug: "other", kind: "vercel", secrets: [OTHER_SECRET] },
      ],
    },
    { app: { streams }, ...(clock ? { clock } : {}) },
  );
  cleanups.push(() => app.stop());
  return app;
}

async function open(app: TestApp, path: string, headers: Record<string, string> = {}) {
  const client = await SseClient.open(app.url, path, headers);
  cleanups.push(() => client.close());
  return client;
}

let sent = 0;
/** Ingests an event of `type` on a source; resolves with its Switchyard id. */
async function ingest(app: TestApp, type = "deployment.created", source = "vercel"): Promise<string> {
  const secret = source === "vercel" ? (VERCEL_SECRETS[0] as string) : OTHER_SECRET;
  const res = await sendVercel(app.url, { ...sampleEvent(type), id: `stream-${++sent}` }, secret, source);
  expect(res.status).toBe(200);
  return res.body.eventId as string;
}

/** Resolves once no stream is open and the streams' loop and timers have stopped. */
async function streamsIdle(app: TestApp): Promise<void> {
  while (app.eventStreams.open > 0 || app.eventStreams.active) await once(app.eventStreams, "change");
}

describe("GET /api/v1/events/stream", () => {
  it("sends the events stored after it connects, oldest first, each as the list shows it", async () => {
    const app = await setUp();
    const earlier = await ingest(app);
    const stream = await open(app, "/api/v1/events/stream");
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(stream.response.headers.get("cache-control")).toBe("no-store");
    expect(await stream.next()).toEqual({ retry: 1000 });

    const ids = [await ingest(app), await ingest(app, "project.created"), await ingest(app)];
    const got = await stream.events(3);
    expect(got.map((e) => e.id)).toEqual(ids);
    expect(ids).not.toContain(earlier);
    const listed = (await api(app, "/api/v1/events?limit=3")).body.data as Record<string, unknown>[];
    expect(got.map((e) => e.data)).toEqual(listed.reverse());
  });

  it("sends only what its source and type filters let through; a type may be a glob", async () => {
    const app = await setUp();
    const stream = await open(app, "/api/v1/events/stream?source=vercel&type=deployment.*");
    const wanted = await ingest(app, "deployment.created");
    await ingest(app, "project.created");
    await ingest(app, "deployment.created", "other");
    const alsoWanted = await ingest(app, "deployment.ready");
    const exact = await open(app, "/api/v1/events/stream?type=project.created");
    const project = await ingest(app, "project.created");
    expect((await stream.events(2)).map((e) => e.id)).toEqual([wanted, alsoWanted]);
    expect((await exact.events(1)).map((e) => e.id)).toEqual([project]);
    // Nothing filtered out was sent in between: the next event is the next one that matches.
    await ingest(app, "project.created", "other");
    const last = await ingest(app, "deployment.error");
    expect((await stream.events(1)).map((e) => e.id)).toEqual([last]);
  });

  it("sends a tenant's stream only that tenant's events, and will not resume after another's", async () => {
    const app = await setUp();
    const created = await api(app, "/api/v1/sources?tenant=acme", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ slug: "acme-hook", kind: "vercel" }),
    });
    expect(created.status).toBe(201);
    const acmeSecret = (created.body.secrets as string[])[0] as string;
    const acme = await open(app, "/api/v1/events/stream?tenant=acme");
    const mine = await open(app, "/api/v1/events/stream");

    const ours = await ingest(app);
    const theirs = await sendVercel(
      app.url,
      { ...sampleEvent("deployment.created"), id: "acme-1" },
      acmeSecret,
      "acme-hook",
    );
    const oursToo = await ingest(app);
    const acmeEvents = await acme.events(1);
    expect(acmeEvents.map((e) => [e.id, e.data.tenant])).toEqual([[theirs.body.eventId, "acme"]]);
    expect((await mine.events(2)).map((e) => e.id)).toEqual([ours, oursToo]);

    // Another tenant's event id is no event of this tenant: nothing to resume after.
    for (const [path, id] of [
      ["/api/v1/events/stream?tenant=acme", ours],
      ["/api/v1/events/stream", theirs.body.eventId as string],
    ] as const) {
      const refused = await fetch(`${app.url}${path}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "last-event-id": id },
      });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { code: string }).code).toBe("invalid_last_event_id");
    }
  });

  it("resumes after Last-Event-ID with every event stored since, each once, then goes on live", async () => {
    // Pages of two: catching up takes several reads.
    const app = await setUp({ pageSize: 2 });
    const first = await open(app, "/api/v1/events/stream");
    const before = [await ingest(app), await ingest(app), await ingest(app)];
    const [a, b] = await first.events(2);
    first.close();
    await streamsIdle(app);

    const missed = [await ingest(app), await ingest(app), await ingest(app, "project.created")];
    const again = await open(app, "/api/v1/events/stream", { "last-event-id": b?.id as string });
    const caughtUp = await again.events(4);
    expect(caughtUp.map((e) => e.id)).toEqual([before[2], ...missed]);
    const live = await ingest(app);
    expect((await again.events(1)).map((e) => e.id)).toEqual([live]);
    expect([a?.id, b?.id]).toEqual(before.slice(0, 2));

    // The same through ?lastEventId=, for clients that cannot set headers; the header wins.
    const viaQuery = await open(app, `/api/v1/events/stream?lastEventId=${missed[2]}`);
    const both = await open(app, `/api/v1/events/stream?lastEventId=${before[0]}`, {
      "last-event-id": live,
    });
    const next = await ingest(app);
    expect((await viaQuery.events(2)).map((e) => e.id)).toEqual([live, next]);
    expect((await both.events(1)).map((e) => e.id)).toEqual([next]);
  });

  it("starts at since: the events received from then on", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const app = await setUp({}, { now: () => now });
    await ingest(app);
    now += 1000;
    const newer = await ingest(app);
    const stream = await open(app, `/api/v1/events/stream?since=${new Date(now - 500).toISOString()}`);
    now += 1000;
    const next = await ingest(app);
    expect((await stream.events(2)).map((e) => e.id)).toEqual([newer, next]);
  });

  it("refuses a malformed or unknown Last-Event-ID, and a malformed since, with their codes", async () => {
    const app = await setUp();
    const refusals: [string, Record<string, string>, string][] = [
      ["/api/v1/events/stream", { "last-event-id": "42" }, "invalid_last_event_id"],
      ["/api/v1/events/stream?lastEventId=evt_nope", {}, "invalid_last_event_id"],
      [
        "/api/v1/events/stream",
        { "last-event-id": "evt_01HF7YAT038DMD119EC40S994Q" },
        "invalid_last_event_id",
      ],
      ["/api/v1/events/stream?since=yesterday", {}, "invalid_query"],
      ["/api/v1/events/stream?tenant=a%20b", {}, "invalid_query"],
    ];
    for (const [path, headers, code] of refusals) {
      const res = await fetch(`${app.url}${path}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
      });
      expect([path, res.status, ((await res.json()) as { code: string }).code]).toEqual([path, 400, code]);
    }
    expect((await fetch(`${app.url}/api/v1/events/stream`)).status).toBe(401);
    expect(app.eventStreams.open).toBe(0);
  });

  it("sends heartbeats, and a client that goes releases its stream, reader and timers", async () => {
    const app = await setUp({ heartbeatMs: 20 });
    const stream = await open(app, "/api/v1/events/stream");
    const other = await open(app, "/api/v1/events/stream?tenant=acme");
    expect(app.eventStreams.open).toBe(2);
    for (;;) {
      const message = await stream.next();
      if (message?.comment !== undefined) break;
    }
    stream.close();
    other.close();
    await streamsIdle(app);
    expect(app.eventStreams.active).toBe(false);
    // A new stream starts them again.
    const again = await open(app, "/api/v1/events/stream");
    const id = await ingest(app);
    expect((await again.events(1)).map((e) => e.id)).toEqual([id]);
  });

  it.skipIf(TEST_STORE !== "postgres")(
    "sends the events another node stores, from its own reads",
    async () => {
      const app = await setUp();
      // Another node on the same database: its ingest does not wake this node's streams.
      const other = await startTestApp({}, { dir: app.dir });
      cleanups.push(() => other.close());
      const stream = await open(app, "/api/v1/events/stream");
      const theirs = await ingest(other);
      expect((await stream.events(1)).map((e) => e.id)).toEqual([theirs]);
      const ours = await ingest(app);
      expect((await stream.events(1)).map((e) => e.id)).toEqual([ours]);
    },
  );

  it("ends its streams cleanly when the server shuts down", async () => {
    const app = await startTestApp({}, { app: {} });
    const stream = await SseClient.open(app.url, "/api/v1/events/stream");
    expect(await stream.next()).toEqual({ retry: 1000 });
    await app.stop();
    expect(await stream.next()).toBeNull();
  });
});

/** The body of a chunked HTTP/1.1 response as received, up to where it was cut. */
function dechunk(received: string): string {
  let rest = received.slice(received.indexOf("\r\n\r\n") + 4);
  let body = "";
  for (;;) {
    const line = rest.indexOf("\r\n");
    if (line === -1) break;
    const size = Number.parseInt(rest.slice(0, line), 16);
    if (!(size > 0)) break;
    const chunk = rest.slice(line + 2, line + 2 + size);
    body += chunk;
    if (chunk.length < size) break;
    rest = rest.slice(line + 2 + size + 2);
  }
  return Buffer.from(body, "latin1").toString("utf8");
}

/** Stores `count` events of about 4 KB of JSON each straight into the store, and wakes the streams. */
async function storeBigEvents(app: TestApp, count: number): Promise<string[]> {
  const issues = Array.from({ length: 16 }, (_, i) => `payload.field${i}: ${"x".repeat(200)}`);
  const events = Array.from({ length: count }, () => ({
    id: newEventId(),
    tenant: "default",
    source: "vercel",
    externalId: null,
    type: "deployment.created",
    originalType: "deployment.created",
    receivedAt: Date.now(),
    unknownType: false,
    schemaIssues: issues,
    body: Buffer.from("{}"),
    deliveries: [],
  }));
  await app.store.insertEvents(events);
  app.eventStreams.wake();
  return events.map((e) => e.id);
}

describe("the bound on what is held for a client", () => {
  it("does not cut off a client that reads along, through a burst many times the bound", async () => {
    const app = await setUp({ maxBufferedBytes: 64 * 1024, pageSize: 10 });
    const stream = await open(app, "/api/v1/events/stream");
    const burst = await storeBigEvents(app, 1000);
    expect((await stream.events(burst.length)).map((e) => e.id)).toEqual(burst);
    expect(await metricValue(app.url, "switchyard_event_streams_dropped_total")).toBe(0);
    expect(app.eventStreams.open).toBe(1);
  });

  it("cuts off a client that stops reading, holds no more for it, and lets it resume with every event once", async () => {
    const bound = 64 * 1024;
    // Pages of ten events of about 4 KB: at most the bound and one page are held.
    const app = await setUp({ maxBufferedBytes: bound, pageSize: 10 });
    const page = 10 * 5 * 1024;
    const raw = await openRaw(app.url);
    cleanups.push(() => void raw.socket.destroy());
    raw.socket.write(
      `GET /api/v1/events/stream HTTP/1.1\r\nhost: test\r\nauthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n`,
    );
    // It never reads: what the server sends piles up in the sockets, then in the server.
    raw.socket.pause();
    while (app.eventStreams.open === 0) await once(app.eventStreams, "change");

    // Events of about 4 KB each, stored straight into the store, far more than any socket holds.
    const stored: string[] = [];
    const batch = async () => stored.push(...(await storeBigEvents(app, 200)));
    while (app.eventStreams.open > 0) {
      expect(stored.length, "200 MB of events went by and the client was not cut off").toBeLessThan(50_000);
      await batch();
    }
    expect(await metricValue(app.url, "switchyard_event_streams_dropped_total")).toBe(1);
    const peak = await metricValue(app.url, "switchyard_event_stream_buffered_bytes_peak");
    expect(peak).toBeGreaterThan(bound);
    expect(peak).toBeLessThanOrEqual(bound + page);
    // More events flow: nothing more is held for it.
    await batch();
    expect(await metricValue(app.url, "switchyard_event_stream_buffered_bytes_peak")).toBe(peak);
    expect(app.eventStreams.open).toBe(0);

    // What it got before the cut is a prefix of the events, whole messages only.
    raw.socket.resume();
    await raw.closed;
    const got = sseMessages(dechunk(raw.received()))
      .filter((m) => m.event === "event")
      .map((m) => m.id as string);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(stored.slice(0, got.length));

    // Resumed after the last whole message, it gets the rest, each once.
    const again = await open(app, "/api/v1/events/stream", { "last-event-id": got.at(-1) as string });
    const rest = await again.events(stored.length - got.length);
    expect(rest.map((e) => e.id)).toEqual(stored.slice(got.length));
    const live = await ingest(app);
    expect((await again.events(1)).map((e) => e.id)).toEqual([live]);
  });
});
