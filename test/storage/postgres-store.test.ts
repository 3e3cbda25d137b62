import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewDelivery } from "../../src/core/delivery-types.js";
import { newDeliveryId, newEventId } from "../../src/core/ids.js";
import type { IncomingEvent } from "../../src/core/types.js";
import { openStore } from "../../src/storage/open.js";
import { type DeliveryOutcome, StoreUnavailableError } from "../../src/storage/port.js";
import { migrations } from "../../src/storage/postgres/migrations.js";
import { PostgresStore } from "../../src/storage/postgres/store.js";

const URL = process.env.SWITCHYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const admin = postgres(URL, { onnotice: () => {}, max: 1 });
const schemas: string[] = [];
const opened: PostgresStore[] = [];

/** A schema name no other test file uses; dropped when the file ends. */
function freshSchema(): string {
  const name = `sy_test_${randomBytes(6).toString("hex")}`;
  schemas.push(name);
  return name;
}

async function open(schema: string): Promise<PostgresStore> {
  const store = await PostgresStore.open(URL, { schema });
  opened.push(store);
  return store;
}

const schema = freshSchema();
let store: PostgresStore;
beforeAll(async () => {
  store = await open(schema);
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  for (const s of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await admin.end();
});

const T = 1_700_000_000_000;
const DAY = 86_400_000;

function delivery(destination: string, at: number, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    id: newDeliveryId(at),
    destination,
    routes: ["r"],
    nextAttemptAt: at,
    deadlineAt: at + DAY,
    trigger: "initial",
    ...overrides,
  };
}

function event(at: number, overrides: Partial<IncomingEvent> = {}): IncomingEvent {
  return {
    id: newEventId(at),
    tenant: "default",
    source: "vercel",
    externalId: null,
    type: "deployment.created",
    originalType: "deployment.created",
    receivedAt: at,
    unknownType: false,
    schemaIssues: [],
    body: Buffer.from("{}"),
    deliveries: [],
    ...overrides,
  };
}

function outcome(deliveryId: string, overrides: Partial<DeliveryOutcome> = {}): DeliveryOutcome {
  return {
    deliveryId,
    attempt: null,
    status: "succeeded",
    nextAttemptAt: null,
    lastStatus: 200,
    lastError: null,
    destinationState: null,
    alert: null,
    ...overrides,
  };
}

const ids = (list: readonly { id: string }[]) => list.map((x) => x.id);

describe("PostgresStore", () => {
  it("declares its capabilities and answers a ping", async () => {
    expect(store.capabilities).toEqual({ dialect: "postgres", multiNode: true });
    await store.ping();
  });

  it("is what openStore opens for postgres:// and postgresql:// urls", async () => {
    // An unreachable server, so the test never migrates the default schema.
    for (const scheme of ["postgres", "postgresql"]) {
      await expect(openStore(`${scheme}://postgres@127.0.0.1:1/test`)).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
    }
  });

  it("applies its migrations once and reports none on a second open", async () => {
    expect(store.appliedMigrations).toEqual(migrations.map((m) => m.version));
    expect((await open(schema)).appliedMigrations).toEqual([]);
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
    const planned = await store.listDeliveries({ destination: "dedupe", limit: 100 });
    expect(planned.map((x) => x.eventId).sort()).toEqual([a.id, c.id, other.id, e.id].sort());
    expect(await store.getEvent(b.id)).toBeNull();
  });

  it("returns the stored body byte for byte, with the summary", async () => {
    const body = Buffer.concat([randomBytes(4096), Buffer.from([0, 0xff, 0xfe, 0x80])]);
    const e = event(T, { body, unknownType: true, schemaIssues: ["payload.x: missing"], type: "x.unknown" });
    await store.insertEvents([e]);
    const got = await store.getEvent(e.id);
    expect(Buffer.compare(Buffer.from(got?.body ?? []), body)).toBe(0);
    expect(got).toMatchObject({
      id: e.id,
      externalId: null,
      receivedAt: T,
      unknownType: true,
      schemaIssues: ["payload.x: missing"],
      type: "x.unknown",
    });
    expect(await store.getEvent("evt_missing")).toBeNull();
  });

  it("lists events newest first, paged by cursor and filtered", async () => {
    const base = T + 10 * DAY;
    const list = [0, 1, 2, 3, 4].map((i) =>
      event(base + i * 1000, { tenant: "paging", type: i % 2 ? "odd" : "even" }),
    );
    await store.insertEvents(list);
    const [e0, e1, e2, e3, e4] = list.map((e) => e.id);
    const page1 = await store.listEvents({ tenant: "paging", limit: 2 });
    expect(ids(page1)).toEqual([e4, e3]);
    const page2 = await store.listEvents({ tenant: "paging", limit: 2, before: page1.at(-1)?.id });
    expect(ids(page2)).toEqual([e2, e1]);
    const page3 = await store.listEvents({ tenant: "paging", limit: 2, before: page2.at(-1)?.id });
    expect(ids(page3)).toEqual([e0]);
    expect(ids(await store.listEvents({ tenant: "paging", type: "odd", limit: 10 }))).toEqual([e3, e1]);
    expect(ids(await store.listEvents({ tenant: "paging", since: base + 2000, limit: 10 }))).toEqual([
      e4,
      e3,
      e2,
    ]);
    expect(await store.listEvents({ tenant: "paging", source: "nope", limit: 10 })).toEqual([]);
  });

  it("leases claimed deliveries until the lease expires", async () => {
    const e = event(T, { deliveries: [delivery("lease", T), delivery("lease", T + 5000)] });
    await store.insertEvents([e]);
    const want = [{ destination: "lease", limit: 10, fifo: false }];
    const first = await store.claimDeliveries(want, T, T + 60_000, "worker-a");
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
    expect(await store.claimDeliveries(want, T + 59_999, T + 120_000, "worker-b")).toHaveLength(1);
    expect(await store.claimDeliveries(want, T + 59_999, T + 120_000, "worker-b")).toEqual([]);
    const again = await store.claimDeliveries(want, T + 60_001, T + 120_000, "worker-c");
    expect(ids(again)).toEqual(ids(first));
    await store.releaseLeases("worker-c");
    expect(ids(await store.claimDeliveries(want, T + 60_002, T + 120_000, "worker-d"))).toEqual(ids(first));
    await store.releaseLeases(null);
    expect(await store.claimDeliveries(want, T + 60_003, T + 120_000, "worker-e")).toHaveLength(2);
    expect(await store.nextDueAt(["lease", "none"])).toBe(T);
    expect(await store.nextDueAt(["none"])).toBeNull();
  });

  it("yields only the head of a fifo destination, and only while it is due and not leased", async () => {
    const head = delivery("fifo", T + 1000);
    const second = delivery("fifo", T);
    await store.insertEvents([event(T, { deliveries: [head] }), event(T, { deliveries: [second] })]);
    const fifo = [{ destination: "fifo", limit: 5, fifo: true }];
    // The second is due, the head is not: nothing.
    expect(await store.claimDeliveries(fifo, T + 500, T + 10_000, "a")).toEqual([]);
    expect(ids(await store.claimDeliveries(fifo, T + 1000, T + 10_000, "a"))).toEqual([head.id]);
    expect(await store.claimDeliveries(fifo, T + 2000, T + 20_000, "b")).toEqual([]);
    await store.recordOutcomes([outcome(head.id)], T + 3000);
    expect(ids(await store.claimDeliveries(fifo, T + 3000, T + 20_000, "b"))).toEqual([second.id]);
  });

  it("records attempts, delivery state, destination state and alerts in one go", async () => {
    const d = delivery("record", T);
    await store.insertEvents([event(T, { deliveries: [d] })]);
    await store.claimDeliveries([{ destination: "record", limit: 1, fifo: false }], T, T + 1000, "w");
    const state = {
      destination: "record",
      state: "active" as const,
      disabledReason: null,
      consecutiveFailures: 1,
      circuitOpenUntil: T + 30_000,
      circuitCooldownMs: 30_000,
      lastSuccessAt: null,
      lastFailureAt: T,
    };
    const alert = event(T + 1, {
      type: "switchyard.delivery.failed",
      tenant: "alerts",
      source: "switchyard",
    });
    await store.recordOutcomes(
      [
        outcome(d.id, {
          attempt: {
            number: 1,
            trigger: "initial",
            startedAt: T,
            durationMs: 12,
            status: 500,
            error: "http_status",
            errorMessage: "HTTP 500",
            responseHeaders: { "content-type": "text/plain" },
            responseBody: "boom",
          },
          status: "pending",
          nextAttemptAt: T + 60_000,
          lastStatus: 500,
          lastError: "HTTP 500",
          destinationState: state,
          alert,
        }),
      ],
      T + 20,
    );
    const got = await store.getDelivery(d.id);
    expect(got?.delivery).toMatchObject({
      status: "pending",
      attempts: 1,
      nextAttemptAt: T + 60_000,
      nextTrigger: "retry",
      updatedAt: T + 20,
      lastStatus: 500,
      lastError: "HTTP 500",
    });
    expect(got?.attempts).toEqual([
      {
        number: 1,
        trigger: "initial",
        startedAt: T,
        durationMs: 12,
        status: 500,
        error: "http_status",
        errorMessage: "HTTP 500",
        responseHeaders: { "content-type": "text/plain" },
        responseBody: "boom",
      },
    ]);
    expect((await store.getDestinationStates()).find((s) => s.destination === "record")).toEqual(state);
    expect(ids(await store.listEvents({ tenant: "alerts", limit: 10 }))).toEqual([alert.id]);
    // A finished delivery shows no next attempt; a null status keeps the last one seen.
    await store.recordOutcomes(
      [outcome(d.id, { status: "failed", lastStatus: null, lastError: "x" })],
      T + 30,
    );
    expect((await store.getDelivery(d.id))?.delivery).toMatchObject({
      status: "failed",
      nextAttemptAt: null,
      lastStatus: 500,
      attempts: 1,
    });
    await store.saveDestinationState({ ...state, state: "disabled", disabledReason: "manual" });
    expect((await store.getDestinationStates()).find((s) => s.destination === "record")).toMatchObject({
      state: "disabled",
      disabledReason: "manual",
    });
    expect(await store.getDelivery("dlv_missing")).toBeNull();
  });

  it("retries a delivery now, counting its schedule from the attempts made", async () => {
    const d = delivery("retry", T);
    await store.insertEvents([event(T, { deliveries: [d] })]);
    const attempt = {
      number: 1,
      trigger: "initial" as const,
      startedAt: T,
      durationMs: 1,
      status: 500,
      error: null,
      errorMessage: null,
      responseHeaders: null,
      responseBody: null,
    };
    await store.recordOutcomes([outcome(d.id, { attempt, status: "failed", lastStatus: 500 })], T);
    const retried = await store.retryDelivery(d.id, T + 100, T + 100 + DAY);
    expect(retried).toMatchObject({
      status: "pending",
      nextAttemptAt: T + 100,
      nextTrigger: "manual",
      deadlineAt: T + 100 + DAY,
    });
    const [claimed] = await store.claimDeliveries(
      [{ destination: "retry", limit: 1, fifo: false }],
      T + 100,
      T + 200,
      "w",
    );
    expect(claimed).toMatchObject({ id: d.id, attempts: 1, scheduleBase: 1, trigger: "manual" });
    expect(await store.retryDelivery("dlv_missing", T, T)).toBeNull();
  });

  it("adds deliveries to a stored event", async () => {
    const e = event(T);
    await store.insertEvents([e]);
    const added = [delivery("replay-a", T + 5, { trigger: "replay" }), delivery("replay-b", T + 5)];
    await store.addDeliveries("default", e.id, added, T + 5);
    const listed = await store.listDeliveries({ eventId: e.id, limit: 10 });
    expect(ids(listed)).toEqual(ids(added).reverse());
    expect(listed[1]).toMatchObject({
      nextTrigger: "replay",
      createdAt: T + 5,
      routes: ["r"],
      tenant: "default",
    });
    const page = await store.listDeliveries({ eventId: e.id, limit: 10, before: listed[0]?.id });
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
    expect(await store.requeueDeliveries({ ...query, dryRun: true }, T + 50, deadlineFor)).toEqual({
      matched: 2,
      enqueued: 0,
    });
    expect((await store.getDelivery(kept.id))?.delivery.status).toBe("failed");
    expect(await store.requeueDeliveries({ ...query, dryRun: false }, T + 50, deadlineFor)).toEqual({
      matched: 2,
      enqueued: 1,
    });
    expect((await store.getDelivery(kept.id))?.delivery).toMatchObject({
      status: "pending",
      nextTrigger: "replay",
      nextAttemptAt: T + 50,
      deadlineAt: T + 999,
      updatedAt: T + 50,
    });
    expect((await store.getDelivery(gone.id))?.delivery.status).toBe("failed");
    expect(
      await store.requeueDeliveries(
        { status: "succeeded", destination: "requeue-a", dryRun: true },
        T,
        deadlineFor,
      ),
    ).toEqual({ matched: 1, enqueued: 0 });
  });

  it("purges old finished deliveries and events no pending delivery needs", async () => {
    const old = 1_000_000;
    const done = delivery("purge", old);
    const waiting = delivery("purge", old);
    const finished = event(old, { deliveries: [done] });
    const pending = event(old, { deliveries: [waiting] });
    const bare = event(old);
    const recent = event(T + 100 * DAY);
    await store.insertEvents([finished, pending, bare, recent]);
    await store.recordOutcomes([outcome(done.id, { attempt: { ...attemptAt(old), number: 1 } })], old + 1);
    expect(await store.purge(old + 10)).toEqual({ events: 2, deliveries: 1 });
    expect(await store.getEvent(finished.id)).toBeNull();
    expect(await store.getEvent(bare.id)).toBeNull();
    expect(await store.getEvent(pending.id)).not.toBeNull();
    expect(await store.getEvent(recent.id)).not.toBeNull();
    expect(await store.getDelivery(done.id)).toBeNull();
    expect(
      await admin.unsafe(`SELECT 1 FROM ${schema}.attempts WHERE delivery_id = $1`, [done.id]),
    ).toHaveLength(0);
  });

  it("reports queue stats", async () => {
    const own = await open(freshSchema());
    expect(await own.queueStats()).toEqual({
      byStatus: { pending: 0, succeeded: 0, failed: 0, skipped: 0 },
      pendingByDestination: {},
      oldestPendingCreatedAt: null,
    });
    const a = delivery("a", T);
    await own.insertEvents([event(T, { deliveries: [a, delivery("a", T), delivery("b", T)] })]);
    await own.insertEvents([event(T + 5, { deliveries: [delivery("b", T + 5)] })]);
    await own.recordOutcomes([outcome(a.id, { status: "failed" })], T + 9);
    expect(await own.queueStats()).toEqual({
      byStatus: { pending: 3, succeeded: 0, failed: 1, skipped: 0 },
      pendingByDestination: { a: 1, b: 2 },
      oldestPendingCreatedAt: T,
    });
  });

  it("never hands one delivery to two nodes claiming at once", async () => {
    const nodeA = await open(schema);
    const nodeB = await open(schema);
    const planned = Array.from({ length: 60 }, (_, i) => delivery("race", T + i));
    await store.insertEvents(planned.map((d) => event(T, { deliveries: [d] })));
    await store.insertEvents([
      event(T, { deliveries: [delivery("race-fifo", T), delivery("race-fifo", T)] }),
    ]);
    const claimedBy = async (node: PostgresStore, owner: string) => {
      const got: string[] = [];
      for (;;) {
        const batch = await node.claimDeliveries(
          [
            { destination: "race", limit: 7, fifo: false },
            { destination: "race-fifo", limit: 1, fifo: true },
          ],
          T + 1000,
          T + 60_000,
          owner,
        );
        if (batch.length === 0) return got;
        got.push(...ids(batch));
      }
    };
    const [a, b] = await Promise.all([claimedBy(nodeA, "a"), claimedBy(nodeB, "b")]);
    const all = [...a, ...b];
    expect(new Set(all).size).toBe(all.length);
    // Every "race" delivery once, and exactly one fifo head between them.
    expect(all.length).toBe(planned.length + 1);
    expect(all).toEqual(expect.arrayContaining(ids(planned)));
  });

  it("stores a repeat sent to two nodes at once only once", async () => {
    const nodeA = await open(schema);
    const nodeB = await open(schema);
    const keys = Array.from({ length: 20 }, (_, i) => `concurrent-${i}`);
    const send = (node: PostgresStore) =>
      node.insertEvents(
        keys.map((externalId) => event(T, { externalId, deliveries: [delivery("concurrent", T)] })),
      );
    const [a, b] = await Promise.all([send(nodeA), send(nodeB)]);
    keys.forEach((_, i) => {
      expect(a[i]?.eventId).toBe(b[i]?.eventId);
      expect([a[i]?.duplicate, b[i]?.duplicate].sort()).toEqual([false, true]);
    });
    expect(await store.listDeliveries({ destination: "concurrent", limit: 100 })).toHaveLength(keys.length);
  });

  it("migrates a fresh schema from two nodes starting together", async () => {
    const fresh = freshSchema();
    const [a, b] = await Promise.all([open(fresh), open(fresh)]);
    expect([...a.appliedMigrations, ...b.appliedMigrations].sort()).toEqual(migrations.map((m) => m.version));
    await a.insertEvents([event(T)]);
    expect(await b.listEvents({ limit: 10 })).toHaveLength(1);
  });

  it("raises StoreUnavailableError when the server cannot be reached", async () => {
    await expect(PostgresStore.open("postgres://postgres@127.0.0.1:1/test")).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });
});

function attemptAt(at: number) {
  return {
    number: 1,
    trigger: "initial" as const,
    startedAt: at,
    durationMs: 1,
    status: 200,
    error: null,
    errorMessage: null,
    responseHeaders: null,
    responseBody: null,
  };
}
