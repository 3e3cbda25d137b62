import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { sampleEvent } from "../src/vercel/index.js";
import { ADMIN_TOKEN, startTestApp, TEST_STORE, type TestApp } from "./support/app.js";
import { sendVercel } from "./support/send.js";
import { Sink } from "./support/sink.js";

// Sources, destinations and routes created at run time carry events end to end, for their tenant.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function call(app: { url: string }, path: string, method = "GET", body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function setUp(): Promise<{ app: TestApp; sink: Sink }> {
  const sink = await Sink.start();
  cleanups.push(() => sink.close());
  const app = await startTestApp({ delivery: { allowPrivateNetworks: true } });
  cleanups.push(() => app.stop());
  return { app, sink };
}

const TENANT = "icfg_runtime";

describe("a topology created through the API", () => {
  it("takes events on its source, routes them by its routes, and keeps them to its tenant", async () => {
    const { app, sink } = await setUp();
    const source = await call(app, `/api/v1/sources?tenant=${TENANT}`, "POST", {
      slug: "rt",
      kind: "vercel",
    });
    expect(source.status).toBe(201);
    const secret = source.body.secrets[0] as string;
    expect(
      (await call(app, `/api/v1/destinations?tenant=${TENANT}`, "POST", { slug: "sink", url: sink.url }))
        .status,
    ).toBe(201);
    const route = await call(app, `/api/v1/routes?tenant=${TENANT}`, "POST", {
      slug: "ids",
      source: "rt",
      destinations: ["sink"],
      transform: { code: "function transform(event) { return { id: event.id, v: 1 }; }" },
    });
    expect(route.status).toBe(201);

    const event = { ...sampleEvent("deployment.created"), id: "evt_runtime_1" };
    const accepted = await sendVercel(app.url, event, secret, "rt");
    expect(accepted.status).toBe(200);
    const [first] = await sink.waitFor(1);
    expect(first?.json).toEqual({ id: "evt_runtime_1", v: 1 });

    // The event is the tenant's, not the default tenant's.
    const mine = await call(app, `/api/v1/events?tenant=${TENANT}`);
    expect(
      mine.body.data.map((e: { externalId: string; tenant: string }) => [e.externalId, e.tenant]),
    ).toEqual([["evt_runtime_1", TENANT]]);
    expect((await call(app, "/api/v1/events")).body.data).toEqual([]);

    // A changed transform applies to the next event.
    const patched = await call(app, `/api/v1/routes/ids?tenant=${TENANT}`, "PATCH", {
      transform: { code: "function transform(event) { return { id: event.id, v: 2 }; }" },
    });
    expect(patched.status).toBe(200);
    await sendVercel(app.url, { ...event, id: "evt_runtime_2" }, secret, "rt");
    const [, second] = await sink.waitFor(2);
    expect(second?.json).toEqual({ id: "evt_runtime_2", v: 2 });

    // Without the route, an event is stored with no delivery.
    expect((await call(app, `/api/v1/routes/ids?tenant=${TENANT}`, "DELETE")).status).toBe(204);
    const third = await sendVercel(app.url, { ...event, id: "evt_runtime_3" }, secret, "rt");
    expect(third.status).toBe(200);
    const deliveries = await call(app, `/api/v1/deliveries?tenant=${TENANT}&event=${third.body.eventId}`);
    expect(deliveries.body.data).toEqual([]);
    expect(sink.received).toHaveLength(2);

    // A deleted source answers like one that never was.
    expect((await call(app, `/api/v1/sources/rt?tenant=${TENANT}`, "DELETE")).status).toBe(204);
    expect((await sendVercel(app.url, { ...event, id: "evt_runtime_4" }, secret, "rt")).status).toBe(404);
  });

  it("is kept across a restart, its secrets opened with the same key", async () => {
    const { app, sink } = await setUp();
    const source = await call(app, `/api/v1/sources?tenant=${TENANT}`, "POST", {
      slug: "kept",
      kind: "vercel",
    });
    const secret = source.body.secrets[0] as string;
    await call(app, `/api/v1/destinations?tenant=${TENANT}`, "POST", { slug: "sink", url: sink.url });
    await call(app, `/api/v1/routes?tenant=${TENANT}`, "POST", {
      slug: "all",
      source: "kept",
      destinations: ["sink"],
    });
    const again = await app.restart();
    cleanups.push(() => again.stop());
    const accepted = await sendVercel(
      again.url,
      { ...sampleEvent("project.created"), id: "evt_kept" },
      secret,
      "kept",
    );
    expect(accepted.status).toBe(200);
    const [received] = await sink.waitFor(1);
    expect(received?.json).toMatchObject({ id: "evt_kept" });
  });

  it.runIf(TEST_STORE === "postgres")(
    "reaches another node sharing the database within a second",
    async () => {
      const { app } = await setUp();
      const other = await startTestApp({ delivery: { allowPrivateNetworks: true } }, { dir: app.dir });
      cleanups.push(() => other.close());
      const changed = once(other.topology, "change");
      const started = performance.now();
      const created = await call(app, `/api/v1/destinations?tenant=${TENANT}`, "POST", {
        slug: "shared",
        url: "https://shared.example.com/",
      });
      expect(created.status).toBe(201);
      await changed;
      expect(performance.now() - started).toBeLessThan(1000);
      expect(other.topology.destination(TENANT, "shared")?.config.url).toBe("https://shared.example.com/");
    },
  );
});
