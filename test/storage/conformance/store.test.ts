// The storage port's conformance suite: every backend runs it, each test on a fresh database
// (a SQLite file, or a PostgreSQL schema with SWITCHYARD_TEST_STORE=postgres).
import { randomBytes } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_CIRCUIT_POLICY } from "../../../src/core/circuit-breaker.js";
import type { NewDelivery } from "../../../src/core/delivery-types.js";
import type { Store } from "../../../src/storage/port.js";
import { failingInsert } from "../../support/database.js";
import {
  attemptAt,
  DAY,
  delivery,
  event,
  type FreshStore,
  ids,
  key,
  outcome,
  storeHarness,
  T,
  want,
} from "./harness.js";

const harness = storeHarness();
let db: FreshStore;
let store: Store;
beforeEach(async () => {
  db = await harness.fresh();
  store = db.store;
});
afterAll(() => harness.cleanup());

describe(`storage port on ${harness.dialect}`, () => {
  it("applies its migrations on a fresh database, none on a second open, and answers a ping", async () => {
    expect(store.capabilities.dialect).toBe(harness.dialect);
    expect(store.appliedMigrations.length).toBeGreaterThan(0);
    expect(store.appliedMigrations).toEqual([...store.appliedMigrations].sort((a, b) => a - b));
    await store.ping();
    // SQLite serves one process, one store at a time: there, the second open follows a close.
    if (!store.capabilities.multiNode) await store.close();
    expect((await db.again()).appliedMigrations).toEqual([]);
  });

  it("dedupes on (tenant, source, externalId), within a batch too, and plans deliveries only for new events", async () => {
    const a = event(T, { externalId: "x1", deliveries: [delivery("dedupe", T)] });
    const b = event(T, { externalId: "x1", deliveries: [delivery("dedupe", T)] });
    const c = event(T, { deliveries: [delivery("dedupe", T)] });
    const other = event(T, { externalId: "x1", source: "other", deliveries: [delivery("dedupe", T)] });
    expect(await store.insertEvents([a, b, c, other])).toEqual([
      { eventId: a.id, duplicate: false },
      { eventId: a.id, duplicate: true },
      { eventId: c.id, duplicate: false },
      { eventId: other.id, duplicate: false },
    ]);
    const d = event(T + 1, { externalId: "x1", deliveries: [delivery("dedupe", T)] });
    const e = event(T + 1, { externalId: "x2", deliveries: [delivery("dedupe", T)] });
    const f = event(T + 1, { externalId: "x2", deliveries: [delivery("dedupe", T)] });
    expect(await store.insertEvents([d, e, f])).toEqual([
      { eventId: a.id, duplicate: true },
      { eventId: e.id, duplicate: false },
      { eventId: e.id, duplicate: true },
    ]);
    const planned = await store.forTenant("default").listDeliveries({ destination: "dedupe", limit: 100 });
    expect(planned.map((x) => x.eventId).sort()).toEqual([a.id, c.id, other.id, e.id].sort());
    expect(await store.forTenant("default").getEvent(b.id)).toBeNull();
  });

  it("stores each key once when batches sharing keys, in opposite orders, commit at once", async () => {
    // Enough rows that the batches' inserts overlap on PostgreSQL, where rows taken in another
    // order than a concurrent batch's would deadlock.
    const keys = Array.from({ length: 2000 }, (_, i) => `k${String(i).padStart(4, "0")}`);
    const rounds = 2;
    for (let round = 0; round < rounds; round++) {
      const batch = (order: string[]) =>
        order.map((k) =>
          event(T + round, { externalId: `${round}-${k}`, deliveries: [delivery("race", T)] }),
        );
      const forward = batch(keys);
      const backward = batch([...keys].reverse());
      // As many batches as the store takes at once, and one more, all sharing every key.
      const batches = [forward, backward, batch(keys.filter((_, i) => i % 2 === 0))];
      const results = await Promise.all(batches.map((b) => store.insertEvents(b)));
      const stored = new Map<string, string>();
      results.forEach((result, i) => {
        result.forEach((r, j) => {
          const key = batches[i]?.[j]?.externalId as string;
          if (!r.duplicate) {
            expect(stored.has(key), `${key} stored twice`).toBe(false);
            stored.set(key, r.eventId);
          }
        });
      });
      expect(stored.size).toBe(keys.length);
      // Every duplicate answers the id of the one stored event of its key.
      results.forEach((result, i) => {
        result.forEach((r, j) => {
          expect(r.eventId).toBe(stored.get(batches[i]?.[j]?.externalId as string));
        });
      });
    }
    const planned = await store
      .forTenant("default")
      .listDeliveries({ destination: "race", limit: keys.length * rounds + 1 });
    expect(planned).toHaveLength(keys.length * rounds);
  });

  it("returns the stored body byte for byte, with the summary", async () => {
    const body = Buffer.concat([randomBytes(4096), Buffer.from([0, 0xff, 0xfe, 0x80])]);
    const e = event(T, { body, unknownType: true, schemaIssues: ["payload.x: missing"], type: "x.unknown" });
    await store.insertEvents([e]);
    const got = await store.forTenant("default").getEvent(e.id);
    expect(Buffer.compare(Buffer.from(got?.body ?? []), body)).toBe(0);
    expect(got).toMatchObject({
      id: e.id,
      externalId: null,
      receivedAt: T,
      unknownType: true,
      schemaIssues: ["payload.x: missing"],
      type: "x.unknown",
    });
    expect(await store.forTenant("default").getEvent("evt_missing")).toBeNull();
  });

  it("gives back every body byte for byte, UTF-8 or not, when read and when claimed", async () => {
    const bodies = {
      "UTF-8 with multi-byte characters": Buffer.from('{"name":"café ☕ 🚀","q":"\\"x\\""}'),
      "a byte-order mark": Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
      "U+FFFD itself, valid UTF-8": Buffer.from('{"x":"\uFFFD"}'),
      "a NUL byte": Buffer.from([0x7b, 0x00, 0x7d]),
      "a lone continuation byte": Buffer.from([0x7b, 0x80, 0x7d]),
      "an overlong encoding": Buffer.from([0x7b, 0xc0, 0xaf, 0x7d]),
      "an encoded surrogate": Buffer.from([0x7b, 0xed, 0xa0, 0x80, 0x7d]),
      "a sequence cut short at the end": Buffer.from([0x7b, 0x7d, 0xe2, 0x82]),
      "nothing at all": Buffer.alloc(0),
    };
    const events = Object.values(bodies).map((body) =>
      event(T, { body, deliveries: [delivery("bytes", T)] }),
    );
    await store.insertEvents(events);
    const claimed = (await store.claimDeliveries([want("bytes", 100)], T, T + 60_000, "w")).deliveries;
    for (const [what, body] of Object.entries(bodies)) {
      const e = events.find((x) => x.body === body);
      const read = await store.forTenant("default").getEvent(e?.id ?? "");
      expect(Buffer.compare(Buffer.from(read?.body ?? []), body), `${what}, read`).toBe(0);
      const sent = claimed.find((d) => d.eventId === e?.id);
      expect(Buffer.compare(Buffer.from(sent?.body ?? []), body), `${what}, claimed`).toBe(0);
    }
  });

  it("stores an event whose id and type hold a lone surrogate, and dedupes it", async () => {
    // A sender's JSON may escape half a surrogate pair ("\ud800"); JSON.parse keeps it as is.
    const lone = "evt\ud800x";
    const e = event(T, {
      externalId: lone,
      type: "deployment.\udfff",
      deliveries: [delivery("lone", T)],
    });
    const [first] = await store.insertEvents([e]);
    expect(first).toEqual({ eventId: e.id, duplicate: false });
    const again = await store.insertEvents([event(T, { externalId: lone })]);
    expect(again[0]).toEqual({ eventId: e.id, duplicate: true });
    expect(await store.forTenant("default").getEvent(e.id)).toMatchObject({ id: e.id });
    expect(await store.forTenant("default").listDeliveries({ destination: "lone", limit: 10 })).toHaveLength(
      1,
    );
  });

  it("stores NUL in an id, a type or a schema issue as U+FFFD, dedupes on that, and fails no other event", async () => {
    const e = event(T, {
      externalId: "evt\u0000x",
      type: "deployment.\u0000",
      originalType: "deployment.\u0000",
      schemaIssues: ["payload.meta.k\u0000: expected string"],
      deliveries: [delivery("nul", T)],
    });
    const neighbour = event(T, { externalId: "plain", deliveries: [delivery("nul", T)] });
    expect(await store.insertEvents([e, neighbour])).toEqual([
      { eventId: e.id, duplicate: false },
      { eventId: neighbour.id, duplicate: false },
    ]);
    expect(await store.forTenant("default").getEvent(e.id)).toMatchObject({
      externalId: "evt\uFFFDx",
      type: "deployment.\uFFFD",
      originalType: "deployment.\uFFFD",
      schemaIssues: ["payload.meta.k\uFFFD: expected string"],
    });
    // The same key whichever way it was spelt: as sent, or as stored.
    const again = await store.insertEvents([event(T, { externalId: "evt\u0000x" })]);
    expect(again[0]).toEqual({ eventId: e.id, duplicate: true });
    expect((await store.insertEvents([event(T, { externalId: "evt\uFFFDx" })]))[0]).toEqual({
      eventId: e.id,
      duplicate: true,
    });
    expect(await store.forTenant("default").listDeliveries({ destination: "nul", limit: 10 })).toHaveLength(
      2,
    );
  });

  it("lists events newest first, paged by cursor and filtered", async () => {
    const list = [0, 1, 2, 3, 4].map((i) =>
      event(T + i * 1000, { tenant: "paging", type: i % 2 ? "odd" : "even" }),
    );
    await store.insertEvents(list);
    const [e0, e1, e2, e3, e4] = list.map((e) => e.id);
    const page1 = await store.forTenant("paging").listEvents({ limit: 2 });
    expect(ids(page1)).toEqual([e4, e3]);
    const page2 = await store.forTenant("paging").listEvents({ limit: 2, before: page1.at(-1)?.id });
    expect(ids(page2)).toEqual([e2, e1]);
    const page3 = await store.forTenant("paging").listEvents({ limit: 2, before: page2.at(-1)?.id });
    expect(ids(page3)).toEqual([e0]);
    expect(ids(await store.forTenant("paging").listEvents({ type: "odd", limit: 10 }))).toEqual([e3, e1]);
    expect(ids(await store.forTenant("paging").listEvents({ since: T + 2000, limit: 10 }))).toEqual([
      e4,
      e3,
      e2,
    ]);
    expect(await store.forTenant("paging").listEvents({ source: "nope", limit: 10 })).toEqual([]);
  });

  it("leases claimed deliveries until the lease expires, and tells when unleased work is due", async () => {
    const e = event(T, { deliveries: [delivery("lease", T), delivery("lease", T + 5000)] });
    await store.insertEvents([e]);
    const w = [want("lease", 10)];
    const first = (await store.claimDeliveries(w, T, T + 60_000, "worker-a")).deliveries;
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      eventId: e.id,
      eventType: "deployment.created",
      source: "vercel",
      attempts: 0,
      scheduleBase: 0,
      trigger: "initial",
      leaseUntil: T + 60_000,
    });
    expect(Buffer.from(first[0]?.body ?? []).toString()).toBe("{}");
    // A leased delivery is in flight: the next due is the other one.
    expect(await store.nextDueAt([key("lease"), key("none")])).toBe(T + 5000);
    expect((await store.claimDeliveries(w, T + 59_999, T + 120_000, "worker-b")).deliveries).toHaveLength(1);
    expect((await store.claimDeliveries(w, T + 59_999, T + 120_000, "worker-b")).deliveries).toEqual([]);
    // Worker A died holding its lease: once it has expired, another worker takes the delivery.
    const again = (await store.claimDeliveries(w, T + 60_001, T + 120_000, "worker-c")).deliveries;
    expect(ids(again)).toEqual(ids(first));
    await store.releaseLeases("worker-c");
    expect(ids((await store.claimDeliveries(w, T + 60_002, T + 120_000, "worker-d")).deliveries)).toEqual(
      ids(first),
    );
    await store.releaseLeases(null);
    expect(await store.nextDueAt([key("lease"), key("none")])).toBe(T);
    expect((await store.claimDeliveries(w, T + 60_003, T + 120_000, "worker-e")).deliveries).toHaveLength(2);
    expect(await store.nextDueAt([key("none")])).toBeNull();
  });

  it("yields only the head of a fifo destination, and says when it may yield again", async () => {
    const head = delivery("fifo", T + 1000);
    const second = delivery("fifo", T);
    await store.insertEvents([event(T, { deliveries: [head] }), event(T, { deliveries: [second] })]);
    const fifo = [want("fifo", 5, true)];
    // The second is due, the head is not: nothing until the head is due.
    expect(await store.claimDeliveries(fifo, T + 500, T + 10_000, "a")).toMatchObject({
      deliveries: [],
      held: [{ destination: "fifo", until: T + 1000 }],
    });
    expect(ids((await store.claimDeliveries(fifo, T + 1000, T + 10_000, "a")).deliveries)).toEqual([head.id]);
    // The head is in flight: nothing until it is done.
    expect(await store.claimDeliveries(fifo, T + 2000, T + 20_000, "b")).toMatchObject({
      deliveries: [],
      held: [{ destination: "fifo", until: null }],
    });
    await store.recordOutcomes([outcome(head.id)], T + 3000);
    expect(ids((await store.claimDeliveries(fifo, T + 3000, T + 20_000, "b")).deliveries)).toEqual([
      second.id,
    ]);
  });

  it("records attempts, delivery state and alerts in one go", async () => {
    const d = delivery("record", T);
    await store.insertEvents([event(T, { deliveries: [d] })]);
    await store.claimDeliveries([want("record", 1)], T, T + 1000, "w");
    const alert = event(T + 1, {
      type: "switchyard.delivery.failed",
      tenant: "alerts",
      source: "switchyard",
    });
    const attempt = {
      ...attemptAt(T, 500),
      durationMs: 12,
      error: "http_status",
      errorMessage: "HTTP 500",
      responseHeaders: { "content-type": "text/plain" },
      responseBody: "boom",
      responseBodyEncoding: "utf8" as const,
    };
    await store.recordOutcomes(
      [
        outcome(d.id, {
          attempt,
          status: "pending",
          nextAttemptAt: T + 60_000,
          lastStatus: 500,
          lastError: "HTTP 500",
          alert,
        }),
      ],
      T + 20,
    );
    const got = await store.forTenant("default").getDelivery(d.id);
    expect(got?.delivery).toMatchObject({
      status: "pending",
      attempts: 1,
      nextAttemptAt: T + 60_000,
      nextTrigger: "retry",
      updatedAt: T + 20,
      lastStatus: 500,
      lastError: "HTTP 500",
    });
    expect(got?.attempts).toEqual([attempt]);
    expect(ids(await store.forTenant("alerts").listEvents({ limit: 10 }))).toEqual([alert.id]);
    // A finished delivery shows no next attempt; a null status keeps the last one seen.
    await store.recordOutcomes(
      [outcome(d.id, { status: "failed", lastStatus: null, lastError: "x" })],
      T + 30,
    );
    expect((await store.forTenant("default").getDelivery(d.id))?.delivery).toMatchObject({
      status: "failed",
      nextAttemptAt: null,
      lastStatus: 500,
      attempts: 1,
    });
    expect(await store.forTenant("default").getDelivery("dlv_missing")).toBeNull();
  });

  it("stores any response body and error text: base64 bodies as given, NUL in texts as U+FFFD", async () => {
    const deliveries = [delivery("texts", T), delivery("texts", T)];
    await store.insertEvents([event(T, { deliveries })]);
    await store.claimDeliveries([want("texts", 2)], T, T + 1000, "w");
    const [binary, nul] = deliveries as [NewDelivery, NewDelivery];
    const gzip = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0xff]).toString("base64");
    await store.recordOutcomes(
      [
        outcome(binary.id, {
          attempt: { ...attemptAt(T, 200), responseBody: gzip, responseBodyEncoding: "base64" },
        }),
        outcome(nul.id, {
          attempt: {
            ...attemptAt(T, null as unknown as number),
            status: null,
            error: "transform_failed",
            errorMessage: "bad\u0000thing \ud800",
          },
          status: "failed",
          lastStatus: null,
          lastError: "transform_failed: bad\u0000thing",
          transform: "failed",
        }),
      ],
      T + 1,
    );
    expect((await store.forTenant("default").getDelivery(binary.id))?.attempts[0]).toMatchObject({
      responseBody: gzip,
      responseBodyEncoding: "base64",
    });
    const failed = await store.forTenant("default").getDelivery(nul.id);
    expect(failed?.delivery).toMatchObject({
      status: "failed",
      lastError: "transform_failed: bad\uFFFDthing",
    });
    expect(failed?.attempts[0]).toMatchObject({
      errorMessage: "bad\uFFFDthing \uFFFD",
      responseBody: null,
      responseBodyEncoding: null,
    });
  });

  it("records an outcome the database refuses reduced, alone, and the others of its batch in full", async () => {
    const deliveries = [delivery("refused", T), delivery("refused", T), delivery("refused", T)];
    await store.insertEvents([event(T, { deliveries })]);
    await store.claimDeliveries([want("refused", 3)], T, T + 1000, "w");
    await db.exec(failingInsert("attempts", "NEW.response_body = 'poison'"));
    const attempt = (body: string) => ({
      ...attemptAt(T, 500),
      responseHeaders: { "content-type": "text/plain" },
      responseBody: body,
      responseBodyEncoding: "utf8" as const,
    });
    const [before, refused, after] = deliveries as [NewDelivery, NewDelivery, NewDelivery];
    const failing = (id: string, body: string) =>
      outcome(id, {
        attempt: attempt(body),
        status: "pending",
        nextAttemptAt: T + 60_000,
        lastStatus: 500,
        lastError: "HTTP 500",
        destinationChange: {
          tenant: "default",
          destination: "refused",
          ok: false,
          at: T + 1,
          disable: null,
          circuit: DEFAULT_CIRCUIT_POLICY,
        },
      });
    await store.recordOutcomes(
      [failing(before.id, "first"), failing(refused.id, "poison"), failing(after.id, "third")],
      T + 1,
    );
    for (const [d, body] of [
      [before, "first"],
      [after, "third"],
    ] as const) {
      const got = await store.forTenant("default").getDelivery(d.id);
      expect(got?.delivery).toMatchObject({ status: "pending", attempts: 1, lastError: "HTTP 500" });
      expect(got?.attempts).toEqual([attempt(body)]);
    }
    // Refused in full: left as decided (pending, retried on schedule, unleased), its response not kept.
    const got = await store.forTenant("default").getDelivery(refused.id);
    expect(got?.delivery).toMatchObject({
      status: "pending",
      attempts: 1,
      nextAttemptAt: T + 60_000,
      lastStatus: 500,
      lastError: expect.stringMatching(/^the outcome could not be stored in full: /),
    });
    expect(got?.attempts).toEqual([
      {
        ...attemptAt(T, 500),
        errorMessage: expect.stringMatching(/^the outcome could not be stored in full: /),
      },
    ]);
    expect((await store.claimDeliveries([want("refused", 3)], T + 2, T + 1000, "w")).deliveries).toEqual([]);
    // Each of the three failures counted against the destination.
    const states = await store.forTenant("default").listDestinationStates();
    expect(states.find((x) => x.destination === "refused")?.consecutiveFailures).toBe(3);
  });

  it("applies each attempt's change to the stored destination state, so failures add up", async () => {
    const circuit = { ...DEFAULT_CIRCUIT_POLICY, threshold: 3 };
    const fail = (at: number) => ({
      tenant: "default",
      destination: "cb",
      ok: false,
      at,
      disable: null,
      circuit,
    });
    const plan = [delivery("cb", T), delivery("cb", T), delivery("cb", T), delivery("cb", T)];
    await store.insertEvents([event(T, { deliveries: plan })]);
    const [a, b, c, d] = ids(plan);
    await store.recordOutcomes([outcome(a as string, { status: "pending", destinationChange: fail(T) })], T);
    await store.recordOutcomes(
      [outcome(b as string, { status: "pending", destinationChange: fail(T + 1) })],
      T + 1,
    );
    expect(
      (await store.forTenant("default").listDestinationStates()).find((s) => s.destination === "cb"),
    ).toMatchObject({
      consecutiveFailures: 2,
      circuitOpenUntil: null,
      lastFailureAt: T + 1,
    });
    await store.recordOutcomes(
      [outcome(c as string, { status: "pending", destinationChange: fail(T + 2) })],
      T + 2,
    );
    expect(
      (await store.forTenant("default").listDestinationStates()).find((s) => s.destination === "cb"),
    ).toMatchObject({
      consecutiveFailures: 3,
      circuitOpenUntil: T + 2 + circuit.baseCooldownMs,
    });
    await store.recordOutcomes(
      [
        outcome(d as string, {
          destinationChange: {
            tenant: "default",
            destination: "cb",
            ok: true,
            at: T + 5,
            disable: null,
            circuit,
          },
        }),
      ],
      T + 5,
    );
    const closed = (await store.forTenant("default").listDestinationStates()).find(
      (s) => s.destination === "cb",
    );
    expect(closed).toMatchObject({ consecutiveFailures: 0, circuitOpenUntil: null, lastSuccessAt: T + 5 });
    await store.forTenant("default").saveDestinationState({
      ...(closed as NonNullable<typeof closed>),
      state: "disabled",
      disabledReason: "manual",
    });
    expect(
      (await store.forTenant("default").listDestinationStates()).find((s) => s.destination === "cb"),
    ).toMatchObject({
      state: "disabled",
      disabledReason: "manual",
    });
  });

  it("retries a delivery now, counting its schedule from the attempts made", async () => {
    const d = delivery("retry", T);
    await store.insertEvents([event(T, { deliveries: [d] })]);
    await store.recordOutcomes(
      [outcome(d.id, { attempt: attemptAt(T, 500), status: "failed", lastStatus: 500 })],
      T,
    );
    const retried = await store.forTenant("default").retryDelivery(d.id, T + 100, T + 100 + DAY);
    expect(retried).toMatchObject({
      status: "pending",
      nextAttemptAt: T + 100,
      nextTrigger: "manual",
      deadlineAt: T + 100 + DAY,
    });
    const [claimed] = (await store.claimDeliveries([want("retry", 1)], T + 100, T + 200, "w")).deliveries;
    expect(claimed).toMatchObject({ id: d.id, attempts: 1, scheduleBase: 1, trigger: "manual" });
    expect(await store.forTenant("default").retryDelivery("dlv_missing", T, T)).toBeNull();
  });

  it("adds deliveries to a stored event", async () => {
    const e = event(T);
    await store.insertEvents([e]);
    const added = [delivery("replay-a", T + 5, { trigger: "replay" }), delivery("replay-b", T + 5)];
    await store.forTenant("default").addDeliveries(e.id, added, T + 5);
    const listed = await store.forTenant("default").listDeliveries({ eventId: e.id, limit: 10 });
    expect(ids(listed)).toEqual(ids(added).reverse());
    expect(listed[1]).toMatchObject({
      nextTrigger: "replay",
      createdAt: T + 5,
      routes: ["r"],
      tenant: "default",
    });
    const page = await store
      .forTenant("default")
      .listDeliveries({ eventId: e.id, limit: 10, before: listed[0]?.id });
    expect(ids(page)).toEqual([added[0]?.id]);
  });

  it("requeues finished deliveries, counting them on a dry run", async () => {
    const kept = delivery("requeue-a", T);
    const gone = delivery("requeue-gone", T);
    const ok = delivery("requeue-a", T);
    await store.insertEvents([event(T, { type: "rq.type", deliveries: [kept, gone, ok] })]);
    await store.recordOutcomes(
      [outcome(kept.id, { status: "failed" }), outcome(gone.id, { status: "failed" }), outcome(ok.id)],
      T + 10,
    );
    const deadlineFor = (dest: string) => (dest === "requeue-a" ? T + 999 : Number.POSITIVE_INFINITY);
    const query = { status: "failed" as const, type: "rq.type", since: T + 10, until: T + 11 };
    expect(
      await store.forTenant("default").requeueDeliveries({ ...query, dryRun: true }, T + 50, deadlineFor),
    ).toEqual({
      matched: 2,
      enqueued: 0,
    });
    expect((await store.forTenant("default").getDelivery(kept.id))?.delivery.status).toBe("failed");
    expect(
      await store.forTenant("default").requeueDeliveries({ ...query, dryRun: false }, T + 50, deadlineFor),
    ).toEqual({
      matched: 2,
      enqueued: 1,
    });
    expect((await store.forTenant("default").getDelivery(kept.id))?.delivery).toMatchObject({
      status: "pending",
      nextTrigger: "replay",
      nextAttemptAt: T + 50,
      deadlineAt: T + 999,
      updatedAt: T + 50,
    });
    expect((await store.forTenant("default").getDelivery(gone.id))?.delivery.status).toBe("failed");
    expect(
      await store
        .forTenant("default")
        .requeueDeliveries({ status: "succeeded", destination: "requeue-a", dryRun: true }, T, deadlineFor),
    ).toEqual({ matched: 1, enqueued: 0 });
  });

  it("lists dead letters by type and by when they died, newest first, a page at a time", async () => {
    const early = delivery("dl-a", T);
    const late = delivery("dl-a", T + 1);
    const otherType = delivery("dl-a", T + 1);
    const alive = delivery("dl-a", T + 1);
    // One commit each: a list is in the order deliveries were stored.
    for (const e of [
      event(T, { type: "dl.type", deliveries: [early] }),
      event(T + 1, { type: "dl.type", deliveries: [late, alive] }),
      event(T + 1, { type: "dl.other", deliveries: [otherType] }),
      // Another tenant's dead letter of the same type and destination never shows.
      event(T, { tenant: "acme", type: "dl.type", deliveries: [delivery("dl-a", T)] }),
    ])
      await store.insertEvents([e]);
    const acme = (await store.forTenant("acme").listDeliveries({ limit: 10 }))[0];
    await store.recordOutcomes(
      [
        outcome(early.id, { status: "failed" }),
        outcome(otherType.id, { status: "failed" }),
        outcome(acme?.id ?? "", { status: "failed" }),
      ],
      T + 10,
    );
    await store.recordOutcomes([outcome(late.id, { status: "failed" })], T + 20);
    const view = store.forTenant("default");
    const dead = { status: "failed" as const, type: "dl.type", limit: 10 };
    expect(ids(await view.listDeliveries(dead))).toEqual([late.id, early.id]);
    expect(ids(await view.listDeliveries({ ...dead, since: T + 20 }))).toEqual([late.id]);
    expect(ids(await view.listDeliveries({ ...dead, until: T + 20 }))).toEqual([early.id]);
    expect(ids(await view.listDeliveries({ ...dead, since: T + 11, until: T + 20 }))).toEqual([]);
    expect(ids(await view.listDeliveries({ ...dead, limit: 1, before: late.id }))).toEqual([early.id]);
    expect(ids(await view.listDeliveries({ status: "failed", limit: 10 }))).toEqual([
      otherType.id,
      late.id,
      early.id,
    ]);
  });

  it("purges old finished deliveries, their attempts and events no pending delivery needs", async () => {
    const old = 1_000_000;
    const done = delivery("purge", old);
    const waiting = delivery("purge", old);
    const finished = event(old, { deliveries: [done] });
    const pending = event(old, { deliveries: [waiting] });
    const bare = event(old);
    const recent = event(T + 100 * DAY);
    await store.insertEvents([finished, pending, bare, recent]);
    await store.recordOutcomes([outcome(done.id, { attempt: attemptAt(old) })], old + 1);
    expect(await db.attemptRows(done.id)).toBe(1);
    expect(await store.purge(old + 10)).toEqual({ events: 2, deliveries: 1 });
    expect(await store.forTenant("default").getEvent(finished.id)).toBeNull();
    expect(await store.forTenant("default").getEvent(bare.id)).toBeNull();
    expect(await store.forTenant("default").getEvent(pending.id)).not.toBeNull();
    expect(await store.forTenant("default").getEvent(recent.id)).not.toBeNull();
    expect(await store.forTenant("default").getDelivery(done.id)).toBeNull();
    expect(await db.attemptRows(done.id)).toBe(0);
  });

  it("reports queue stats", async () => {
    expect(await store.queueStats()).toEqual({
      byStatus: { pending: 0, succeeded: 0, failed: 0, skipped: 0 },
      pendingByDestination: {},
      oldestPendingCreatedAt: null,
    });
    const a = delivery("a", T);
    const [a2, b1] = [delivery("a", T), delivery("b", T)];
    await store.insertEvents([event(T, { deliveries: [a, a2, b1] })]);
    await store.insertEvents([event(T + 5, { deliveries: [delivery("b", T + 5)] })]);
    // Counts are of the whole store: another tenant's deliveries add to the same statuses.
    const theirs = delivery("c", T + 6);
    await store.insertEvents([event(T + 6, { tenant: "other", deliveries: [theirs, delivery("c", T + 6)] })]);
    await store.recordOutcomes([outcome(a.id, { status: "failed" })], T + 9);
    await store.recordOutcomes([outcome(theirs.id, { status: "failed" })], T + 9);
    expect(await store.queueStats()).toEqual({
      byStatus: { pending: 4, succeeded: 0, failed: 2, skipped: 0 },
      pendingByDestination: { a: 1, b: 2, c: 1 },
      oldestPendingCreatedAt: T,
    });
    // Every status, in tenants on both sides of "default" and "other" in sort order.
    const [done1, done2, done3, dropped1, dropped2] = [1, 2, 3, 4, 5].map(() => delivery("d", T + 7)) as [
      NewDelivery,
      NewDelivery,
      NewDelivery,
      NewDelivery,
      NewDelivery,
    ];
    await store.insertEvents([
      event(T + 7, { tenant: "a-tenant", deliveries: [done1, dropped1] }),
      event(T + 7, { tenant: "z-tenant", deliveries: [done2, dropped2] }),
      event(T + 7, { deliveries: [done3] }),
    ]);
    await store.recordOutcomes(
      [
        ...[done1, done2, done3].map((d) => outcome(d.id)),
        ...[dropped1, dropped2].map((d) => outcome(d.id, { status: "skipped" })),
      ],
      T + 10,
    );
    expect(await store.queueStats()).toEqual({
      byStatus: { pending: 4, succeeded: 3, failed: 2, skipped: 2 },
      pendingByDestination: { a: 1, b: 2, c: 1 },
      oldestPendingCreatedAt: T,
    });
    // The oldest waiting ones done: the oldest left is another destination's, and "a" waits for none.
    await store.recordOutcomes([outcome(a2.id), outcome(b1.id)], T + 11);
    expect(await store.queueStats()).toEqual({
      byStatus: { pending: 2, succeeded: 5, failed: 2, skipped: 2 },
      pendingByDestination: { b: 1, c: 1 },
      oldestPendingCreatedAt: T + 5,
    });
  });

  it("reads a tenant's recent attempts newest first, since a time, bounded, never another tenant's", async () => {
    const early = delivery("recent-a", T);
    const late = delivery("recent-b", T);
    const theirs = delivery("recent-a", T);
    await store.insertEvents([
      event(T, { deliveries: [early, late] }),
      event(T, { tenant: "other", deliveries: [theirs] }),
    ]);
    const failed = {
      ...attemptAt(T + 20, 503),
      durationMs: 40,
      error: "http_status",
      errorMessage: "answered 503",
    };
    await store.recordOutcomes(
      [
        outcome(early.id, { attempt: { ...attemptAt(T + 5), durationMs: 7 } }),
        outcome(late.id, { attempt: failed, status: "pending", nextAttemptAt: T + 100 }),
        outcome(theirs.id, { attempt: attemptAt(T + 30) }),
      ],
      T + 40,
    );
    const view = store.forTenant("default");
    expect(await view.recentAttempts(T, 10)).toEqual([
      {
        destination: "recent-b",
        startedAt: T + 20,
        durationMs: 40,
        status: 503,
        error: "http_status",
        errorMessage: "answered 503",
      },
      {
        destination: "recent-a",
        startedAt: T + 5,
        durationMs: 7,
        status: 200,
        error: null,
        errorMessage: null,
      },
    ]);
    expect((await view.recentAttempts(T + 6, 10)).map((a) => a.destination)).toEqual(["recent-b"]);
    expect((await view.recentAttempts(T, 1)).map((a) => a.startedAt)).toEqual([T + 20]);
    expect((await store.forTenant("other").recentAttempts(T, 10)).map((a) => a.startedAt)).toEqual([T + 30]);
    expect(await store.forTenant("nobody").recentAttempts(T, 10)).toEqual([]);
  });

  it("keeps what it committed across a close and a reopen", async () => {
    const e = event(T, { externalId: "kept", deliveries: [delivery("kept", T)] });
    await store.insertEvents([e]);
    await store.close();
    const reopened = await db.again();
    expect((await reopened.forTenant("default").getEvent(e.id))?.externalId).toBe("kept");
    expect(await reopened.insertEvents([event(T, { externalId: "kept" })])).toEqual([
      { eventId: e.id, duplicate: true },
    ]);
    expect(
      await reopened.forTenant("default").listDeliveries({ destination: "kept", limit: 10 }),
    ).toHaveLength(1);
  });
});
