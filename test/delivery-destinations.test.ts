import { afterEach, describe, expect, it } from "vitest";
import { destinationSchema } from "../src/config/routing-schema.js";
import type { Destination } from "../src/core/destination.js";
import { DEFAULT_TENANT } from "../src/core/types.js";
import { destinationOf } from "../src/delivery/destinations.js";
import { sampleEvent } from "../src/vercel/index.js";
import { api, OutcomeLog, startTestApp, type TestApp, VERCEL_SECRETS } from "./support/app.js";
import { sendVercel } from "./support/send.js";
import { Sink } from "./support/sink.js";

const SECRET = VERCEL_SECRETS[0] as string;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An app delivering every event to `d` and `e`, each on a sink of its own. */
async function setup(d: Record<string, unknown> = {}, e: Record<string, unknown> = {}) {
  const sinkD = await Sink.start();
  const sinkE = await Sink.start();
  const app: TestApp = await startTestApp({
    delivery: { allowPrivateNetworks: true },
    destinations: [
      { slug: "d", url: sinkD.url, ...d },
      { slug: "e", url: sinkE.url, ...e },
    ],
    routes: [{ slug: "r", source: "vercel", destinations: ["d", "e"] }],
  });
  cleanups.push(async () => {
    await sinkD.close();
    await sinkE.close();
    await app.stop();
  });
  return { app, sinkD, sinkE, log: new OutcomeLog(app) };
}

const destination = (fields: Record<string, unknown>): Destination =>
  destinationOf(destinationSchema.parse(fields));

const send = (app: TestApp, id: string) =>
  sendVercel(app.url, { ...sampleEvent("deployment.created"), id }, SECRET);

async function pendingFor(app: TestApp, destination: string): Promise<number> {
  const list = await api(app, `/api/v1/deliveries?destination=${destination}&status=pending`);
  return (list.body.data ?? []).length;
}

describe("a destination set that changes while the worker runs", () => {
  it("removeDestination: the attempt in flight finishes and is recorded; nothing more is claimed for it", async () => {
    const { app, sinkD, sinkE, log } = await setup();
    sinkE.reply = () => "hang";
    await send(app, "x1");
    await sinkE.waitFor(1);
    expect((await log.next()).status).toBe("succeeded");
    expect(app.worker.removeDestination(DEFAULT_TENANT, "e")).toBe(true);
    expect(app.worker.removeDestination(DEFAULT_TENANT, "e")).toBe(false);
    sinkE.answerOldest();
    expect((await log.next()).status).toBe("succeeded");
    await send(app, "x2");
    expect((await log.next()).status).toBe("succeeded");
    await log.idleAfter(3);
    expect(sinkD.received.map((r) => r.json.id)).toEqual(["x1", "x2"]);
    expect(sinkE.received.map((r) => r.json.id)).toEqual(["x1"]);
    expect(await pendingFor(app, "e")).toBe(1);
  });

  it("removeDestination: what waits in memory for it is not sent, and stays pending", async () => {
    const { app, sinkE, log } = await setup({}, { maxConcurrency: 1 });
    await send(app, "x0");
    for (let i = 0; i < 2; i++) await log.next();
    await log.idleAfter(2);
    sinkE.reply = () => "hang";
    await send(app, "x1"); // in flight to e
    await sinkE.waitFor(2);
    await send(app, "x2"); // e's one slot taken: waits in memory (SQLite) or in the store
    for (let i = 0; i < 2; i++) expect((await log.next()).status).toBe("succeeded"); // both to d
    app.worker.removeDestination(DEFAULT_TENANT, "e");
    sinkE.answerOldest();
    expect((await log.next()).status).toBe("succeeded");
    await log.idleAfter(5);
    expect(sinkE.received.map((r) => r.json.id)).toEqual(["x0", "x1"]);
    expect(await pendingFor(app, "e")).toBe(1);
  });

  it("addDestination: a destination added at run time gets its pending deliveries", async () => {
    const { app, sinkE, log } = await setup();
    app.worker.removeDestination(DEFAULT_TENANT, "e");
    await send(app, "x1");
    expect((await log.next()).status).toBe("succeeded");
    await log.idleAfter(1);
    expect(sinkE.received).toHaveLength(0);
    await app.worker.addDestination(destination({ slug: "e", url: sinkE.url }));
    expect((await log.next()).status).toBe("succeeded");
    expect(sinkE.received.map((r) => r.json.id)).toEqual(["x1"]);
    expect(await pendingFor(app, "e")).toBe(0);
  });

  it("updateDestination: new limits and URL apply to what starts next; requests in flight stay counted", async () => {
    const { app, sinkD, log } = await setup({ maxConcurrency: 1 });
    const next = await Sink.start();
    cleanups.push(() => next.close());
    let most = 0;
    const hang = () => {
      most = Math.max(most, sinkD.hangingCount + next.hangingCount + 1);
      return "hang" as const;
    };
    sinkD.reply = hang;
    next.reply = hang;
    for (let i = 0; i < 4; i++) await send(app, `u${i}`);
    await sinkD.waitFor(1);
    const updated = destination({ slug: "d", url: next.url, maxConcurrency: 3 });
    expect(app.worker.updateDestination(updated)).toBe(true);
    expect(app.worker.updateDestination({ ...updated, slug: "nowhere" })).toBe(false);
    // One still in flight on the old URL: two more may start, on the new one.
    await next.waitFor(2);
    sinkD.answerOldest();
    await next.waitFor(3);
    while (next.answerOldest()) {}
    for (let i = 0; i < 8; i++) await log.next();
    expect(sinkD.received).toHaveLength(1);
    expect(next.received.map((r) => r.json.id).sort()).toEqual(["u1", "u2", "u3"]);
    expect(most).toBe(3);
  });
});
