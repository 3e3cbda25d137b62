import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { sampleEvent } from "../src/vercel/index.js";
import { api, OutcomeLog, startTestApp, TEST_STORE, VERCEL_SECRETS } from "./support/app.js";
import { sendVercel } from "./support/send.js";
import { FakeClock, Sink } from "./support/sink.js";

// A due delivery of a new event is leased to the worker in the event's own commit and sent from
// memory (SQLite, one process). A shared store hands nothing off: its claims hold the limits.
const SECRET = VERCEL_SECRETS[0] as string;
const handsOff = TEST_STORE === "sqlite";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  destination: Record<string, unknown>,
  clock?: FakeClock,
  others: Record<string, unknown>[] = [],
) {
  const sink = await Sink.start();
  const app = await startTestApp(
    {
      delivery: { allowPrivateNetworks: true },
      destinations: [{ slug: "ops", url: sink.url, ...destination }, ...others],
      routes: [
        { slug: "all", source: "vercel", destinations: ["ops", ...others.map((o) => o.slug as string)] },
      ],
    },
    { ...(clock ? { clock } : {}), app: { random: () => 0.5, ...(clock ? { pollMs: 3_600_000 } : {}) } },
  );
  cleanups.push(async () => {
    await app.stop();
    await sink.close();
  });
  // Count the worker's claims from here on.
  const claims = { count: 0 };
  const claim = app.store.claimDeliveries.bind(app.store);
  app.store.claimDeliveries = (...args) => {
    claims.count++;
    return claim(...args);
  };
  return { app, sink, claims, log: new OutcomeLog(app) };
}

const event = (id: string) => sampleEvent("deployment.created", { id });

/** What a worker starting now could claim of `ops`: only deliveries no lease holds. */
const claimAsNextRun = (app: Awaited<ReturnType<typeof setup>>["app"], clock: FakeClock) =>
  app.store.claimDeliveries(
    [{ tenant: "default", destination: "ops", limit: 10, fifo: false, maxConcurrency: 10, rate: null }],
    clock.now(),
    clock.now() + 60_000,
    "next-run",
  );
const idOf = (body: Buffer) => (JSON.parse(body.toString()) as { id: string }).id;

describe("hand-off of new deliveries to the worker", () => {
  it("sends a new event's delivery without a claim once the store holds nothing due", async () => {
    const clock = new FakeClock();
    const { app, sink, claims, log } = await setup({}, clock);
    // The first delivery finds the worker not yet sure the store is empty; after it, it is.
    await sendVercel(app.url, event("first"), SECRET);
    await log.next();
    await log.idleAfter(1);
    const before = claims.count;
    for (const id of ["a", "b", "c"]) {
      const res = await sendVercel(app.url, event(id), SECRET);
      expect(res.status).toBe(200);
    }
    for (let i = 0; i < 3; i++) expect((await log.next()).status).toBe("succeeded");
    expect(sink.received.map((r) => idOf(r.body))).toEqual(["first", "a", "b", "c"]);
    if (handsOff) expect(claims.count).toBe(before);
    else expect(claims.count).toBeGreaterThan(before);
    const list = await api(app, "/api/v1/deliveries?status=succeeded&limit=10");
    expect(list.body.data).toHaveLength(4);
    for (const d of list.body.data as { attempts: number }[]) expect(d.attempts).toBe(1);
  });

  it("sends a repeated event once, and gives its slot back", async () => {
    const { app, sink, log } = await setup({ maxConcurrency: 1 });
    await sendVercel(app.url, event("once"), SECRET);
    const repeat = await sendVercel(app.url, event("once"), SECRET);
    expect(repeat.body.duplicate).toBe(true);
    await sendVercel(app.url, event("next"), SECRET);
    await log.next();
    await log.next();
    await log.idleAfter(2);
    expect(sink.received.map((r) => idOf(r.body))).toEqual(["once", "next"]);
  });

  it("lets deliveries waiting in the store go first: no new one overtakes them", async () => {
    const { app, sink, log } = await setup({ maxConcurrency: 1 });
    sink.reply = () => "hang";
    await sendVercel(app.url, event("e1"), SECRET); // in flight, held by the sink
    await sink.waitFor(1);
    await sendVercel(app.url, event("e2"), SECRET); // no slot: waits in the store
    await sendVercel(app.url, event("e3"), SECRET);
    sink.answerOldest(200);
    await sink.waitFor(2);
    sink.answerOldest(200); // e2 done: its slot frees while e3 still waits in the store
    await sendVercel(app.url, event("e4"), SECRET);
    sink.reply = () => ({ status: 200 });
    await sink.waitFor(3);
    sink.answerOldest(200);
    await sink.waitFor(4);
    sink.answerOldest(200);
    for (let i = 0; i < 4; i++) await log.next();
    expect(sink.received.map((r) => idOf(r.body))).toEqual(["e1", "e2", "e3", "e4"]);
  });
});

describe("hand-off beside a destination that waits in the store", () => {
  it("keeps handing off to one destination while another's deliveries wait for claims", async () => {
    const clock = new FakeClock();
    const ordered = await Sink.start();
    const { app, sink, log } = await setup({}, clock, [
      { slug: "ordered", url: ordered.url, ordering: "fifo" },
    ]);
    cleanups.push(() => ordered.close());
    const claimedFor = new Map<string, number>();
    const claim = app.store.claimDeliveries.bind(app.store);
    app.store.claimDeliveries = (requests, ...rest) => {
      for (const r of requests) claimedFor.set(r.destination, (claimedFor.get(r.destination) ?? 0) + 1);
      return claim(requests, ...rest);
    };
    await sendVercel(app.url, event("first"), SECRET);
    await log.next();
    await log.next();
    await log.idleAfter(2);
    const before = claimedFor.get("ops") ?? 0;
    for (const id of ["a", "b", "c"]) await sendVercel(app.url, event(id), SECRET);
    for (let i = 0; i < 6; i++) expect((await log.next()).status).toBe("succeeded");
    expect(sink.received.map((r) => idOf(r.body))).toEqual(["first", "a", "b", "c"]);
    expect(ordered.received.map((r) => idOf(r.body))).toEqual(["first", "a", "b", "c"]);
    expect(claimedFor.get("ordered") ?? 0).toBeGreaterThan(0);
    if (handsOff) expect(claimedFor.get("ops") ?? 0).toBe(before);
  });
});

describe("limits with hand-offs and claims together", () => {
  it("never has more requests in flight to a destination than its maxConcurrency", async () => {
    const { app, sink, log } = await setup({ maxConcurrency: 2 });
    sink.reply = () => "hang";
    let most = 0;
    sink.on("request", () => {
      most = Math.max(most, sink.hangingCount);
    });
    const sent = ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"].map((id) =>
      sendVercel(app.url, event(id), SECRET),
    );
    await Promise.all(sent);
    // Answer one at a time, each once both slots are taken (while enough are left to take them).
    for (let done = 0; done < 8; done++) {
      while (sink.hangingCount < Math.min(2, 8 - done)) await once(sink, "request");
      sink.answerOldest(200);
    }
    for (let i = 0; i < 8; i++) expect((await log.next()).status).toBe("succeeded");
    expect(sink.received.map((r) => idOf(r.body)).sort()).toEqual([
      "p1",
      "p2",
      "p3",
      "p4",
      "p5",
      "p6",
      "p7",
      "p8",
    ]);
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBe(2);
  });
});

/**
 * A destination with one slot: "first" delivered (the store then known to hold nothing due),
 * "held" in flight at a sink that hangs, "waits" waiting for the slot.
 */
async function oneWaiting(destination: Record<string, unknown>, clock: FakeClock) {
  const started = await setup(destination, clock);
  const { app, sink, log } = started;
  await sendVercel(app.url, event("first"), SECRET);
  await log.next();
  await log.idleAfter(1);
  sink.reply = () => "hang";
  await sendVercel(app.url, event("held"), SECRET);
  await sink.waitFor(2);
  await sendVercel(app.url, event("waits"), SECRET);
  return started;
}

describe("deliveries waiting in memory for a slot", () => {
  it("keeps a new delivery in memory while every slot is taken, and sends it with no claim", async () => {
    const clock = new FakeClock();
    const { app, sink, claims, log } = await setup({ maxConcurrency: 2 }, clock);
    await sendVercel(app.url, event("first"), SECRET);
    await log.next();
    await log.idleAfter(1);
    const before = claims.count;
    sink.reply = () => "hang";
    for (const id of ["q1", "q2", "q3", "q4"]) await sendVercel(app.url, event(id), SECRET);
    await sink.waitFor(3); // first, q1, q2: both slots taken, q3 and q4 wait
    for (let done = 0; done < 4; done++) {
      while (sink.hangingCount < Math.min(2, 4 - done)) await once(sink, "request");
      expect(sink.hangingCount).toBeLessThanOrEqual(2);
      sink.answerOldest(200);
    }
    for (let i = 0; i < 4; i++) expect((await log.next()).status).toBe("succeeded");
    expect(sink.received.map((r) => idOf(r.body))).toEqual(["first", "q1", "q2", "q3", "q4"]);
    if (handsOff) expect(claims.count).toBe(before);
  });

  it("leaves one whose lease can no longer cover an attempt to the store, sent once", async () => {
    const clock = new FakeClock();
    const { sink, claims, log } = await oneWaiting({ maxConcurrency: 1, timeout: "1s" }, clock);
    const before = claims.count;
    clock.advance(60_000); // past the lease of the one waiting
    sink.reply = () => ({ status: 200 });
    sink.answerOldest(200);
    await log.next();
    expect((await log.next()).status).toBe("succeeded");
    await log.idleAfter(3);
    expect(sink.received.map((r) => idOf(r.body))).toEqual(["first", "held", "waits"]);
    if (handsOff) expect(claims.count).toBeGreaterThan(before); // it came back through a claim
  });
});

describe("stopping with deliveries waiting in memory", () => {
  it("releases their leases: the store holds them pending and unleased", async () => {
    const clock = new FakeClock();
    const { app, sink } = await oneWaiting({ maxConcurrency: 1 }, clock);
    const stopping = app.worker.stop();
    sink.answerOldest(200); // lets the attempt in flight end, so stop() can finish
    await stopping;
    const pending = await app.store.forTenant("default").listDeliveries({ status: "pending", limit: 10 });
    expect(pending).toHaveLength(1);
    // Claimable at once by a worker that starts now: no lease of the stopped one holds it.
    const claimed = await claimAsNextRun(app, clock);
    expect(claimed.deliveries.map((d) => d.id)).toEqual(pending.map((d) => d.id));
  });
});

/**
 * A stored backlog of six deliveries to a destination with two slots, whose sink hangs: the
 * destination disabled while the events come in, then enabled. Records each claim's limit and
 * how many it took.
 */
async function storedBacklog(clock: FakeClock) {
  const started = await setup({ maxConcurrency: 2 }, clock);
  const { app, sink } = started;
  const disable = await api(app, "/api/v1/destinations/ops/disable", { method: "POST" });
  expect(disable.status).toBe(200);
  for (const id of ["b1", "b2", "b3", "b4", "b5", "b6"]) await sendVercel(app.url, event(id), SECRET);
  const asked: [limit: number, took: number][] = [];
  const claim = app.store.claimDeliveries.bind(app.store);
  app.store.claimDeliveries = async (requests, ...rest) => {
    const result = await claim(requests, ...rest);
    asked.push([requests[0]?.limit ?? 0, result.deliveries.length]);
    return result;
  };
  sink.reply = () => "hang";
  const enable = await api(app, "/api/v1/destinations/ops/enable", { method: "POST" });
  expect(enable.status).toBe(200);
  await sink.waitFor(2);
  return { ...started, asked };
}

describe("reading a stored backlog ahead", () => {
  it("claims past the free slots, keeps the rest in memory, and sends all in order, never more at once than the slots", async () => {
    const clock = new FakeClock();
    const { sink, asked, log } = await storedBacklog(clock);
    // The sole claimer asks for its two slots and two more to wait in memory; a shared store, for its slots.
    expect(asked[0]).toEqual(handsOff ? [4, 4] : [2, 2]);
    let most = 0;
    sink.on("request", () => {
      most = Math.max(most, sink.hangingCount);
    });
    for (let done = 0; done < 6; done++) {
      while (sink.hangingCount < Math.min(2, 6 - done)) await once(sink, "request");
      sink.answerOldest(200);
    }
    for (let i = 0; i < 6; i++) expect((await log.next()).status).toBe("succeeded");
    expect(sink.received.map((r) => idOf(r.body))).toEqual(["b1", "b2", "b3", "b4", "b5", "b6"]);
    expect(most).toBe(2);
    expect(asked.reduce((n, [, took]) => n + took, 0)).toBe(6);
  });

  it("releases what it read ahead when it stops: the store holds it pending and unleased", async () => {
    const clock = new FakeClock();
    const { app, sink } = await storedBacklog(clock);
    const stopping = app.worker.stop();
    sink.answerOldest(200);
    sink.answerOldest(200);
    await stopping;
    const pending = await app.store.forTenant("default").listDeliveries({ status: "pending", limit: 10 });
    expect(pending).toHaveLength(4);
    const claimed = await claimAsNextRun(app, clock);
    expect(claimed.deliveries.map((d) => d.id).sort()).toEqual(pending.map((d) => d.id).sort());
  });
});
