import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newDeliveryId, newEventId } from "../../src/core/ids.js";
import type { IncomingEvent } from "../../src/core/types.js";
import { type ApiTestApp, apiTestApp } from "../support/api-app.js";

// The management API of the run-time topology, through app.request() on a real store.

let t: ApiTestApp;
beforeAll(async () => {
  t = await apiTestApp({
    destinations: [{ slug: "ops", url: "https://ops.example.com/hook" }],
    routes: [{ slug: "all", source: "vercel", destinations: ["ops"] }],
  });
});
afterAll(() => t.close());

const json = (method: string, body: unknown) => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

async function call(path: string, init?: RequestInit) {
  const res = await t.call(path, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe("destinations at run time", () => {
  it("creates one, shows its signing secret once, and lists it beside the config's", async () => {
    const created = await call(
      "/api/v1/destinations?tenant=icfg_one",
      json("POST", {
        slug: "hook",
        url: "https://one.example.com/hook?token=abc",
        signing: { scheme: "standard-webhooks" },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      slug: "hook",
      tenant: "icfg_one",
      managedBy: "api",
      state: "active",
    });
    expect(created.body.secrets).toHaveLength(1);
    expect(created.body.secrets[0]).toMatch(/^whsec_/);
    expect(created.body.url).not.toContain("abc");

    const shown = await call("/api/v1/destinations/hook?tenant=icfg_one");
    expect(shown.status).toBe(200);
    expect(shown.body.secrets).toBeUndefined();
    expect(shown.body.signing).toEqual({ scheme: "standard-webhooks", secrets: 1 });

    const listed = await call("/api/v1/destinations?tenant=icfg_one");
    expect(listed.body.data.map((d: { slug: string }) => d.slug)).toEqual(["hook"]);
    const defaults = await call("/api/v1/destinations");
    expect(defaults.body.data.map((d: { slug: string; managedBy: string }) => [d.slug, d.managedBy])).toEqual(
      [["ops", "config"]],
    );
  });

  it("keeps the secret sealed in the store", async () => {
    const created = await call(
      "/api/v1/destinations?tenant=icfg_sealed",
      json("POST", {
        slug: "hook",
        url: "https://sealed.example.com/",
        signing: { scheme: "vercel", secrets: ["plain-secret-value"] },
      }),
    );
    expect(created.body.secrets).toEqual(["plain-secret-value"]);
    const rows = await t.deps.store.readAllTopology();
    const row = rows.destinations.find((r) => r.tenant === "icfg_sealed");
    expect(JSON.stringify(row)).not.toContain("plain-secret-value");
    expect(row?.secrets?.[0]).toMatch(/^v1\./);
  });

  it("validates with the config's schema and names each bad field", async () => {
    const bad = await call(
      "/api/v1/destinations?tenant=icfg_one",
      json("POST", { slug: "Bad Slug", url: "ftp://x" }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("invalid_request");
    expect(bad.body.message).toMatch(/slug: a slug/);
    expect(bad.body.message).toMatch(/url: expected an http/);
    const notObject = await call("/api/v1/destinations", json("POST", [1, 2]));
    expect(notObject.body.code).toBe("invalid_request");
  });

  it("refuses a slug taken in the tenant, but not one of another tenant", async () => {
    const again = await call(
      "/api/v1/destinations?tenant=icfg_one",
      json("POST", { slug: "hook", url: "https://x.example.com/" }),
    );
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("conflict");
    const other = await call(
      "/api/v1/destinations?tenant=icfg_two",
      json("POST", { slug: "hook", url: "https://two.example.com/" }),
    );
    expect(other.status).toBe(201);
  });

  it("patches a definition (merge patch) and keeps secrets not named", async () => {
    const patched = await call(
      "/api/v1/destinations/hook?tenant=icfg_one",
      json("PATCH", { maxConcurrency: 3, timeout: "5s" }),
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      maxConcurrency: 3,
      timeout: "5s",
      signing: { scheme: "standard-webhooks", secrets: 1 },
    });
    expect(patched.body.secrets).toBeUndefined();
    expect(t.deps.topology.destination("icfg_one", "hook")?.config.maxConcurrency).toBe(3);
    const renamed = await call("/api/v1/destinations/hook?tenant=icfg_one", json("PATCH", { slug: "other" }));
    expect(renamed.body.code).toBe("invalid_request");
    const invalid = await call(
      "/api/v1/destinations/hook?tenant=icfg_one",
      json("PATCH", { timeout: "1ms" }),
    );
    expect(invalid.body.code).toBe("invalid_request");
  });

  it("refuses to change or delete what the config file defines", async () => {
    for (const [method, path, body] of [
      ["PATCH", "/api/v1/destinations/ops", { timeout: "5s" }],
      ["DELETE", "/api/v1/destinations/ops", undefined],
      ["PATCH", "/api/v1/routes/all", { types: ["deployment.*"] }],
      ["DELETE", "/api/v1/routes/all", undefined],
      ["DELETE", "/api/v1/sources/vercel", undefined],
    ] as const) {
      const res = await call(path, body === undefined ? { method } : json(method, body));
      expect(res.status, path).toBe(409);
      expect(res.body.code, path).toBe("managed_by_config");
    }
    const created = await call(
      "/api/v1/destinations",
      json("POST", { slug: "ops", url: "https://x.example.com/" }),
    );
    expect(created.body.code).toBe("conflict");
  });
});

describe("routes and sources at run time", () => {
  it("creates a source whose slug is unique across tenants, with a generated secret shown once", async () => {
    const created = await call(
      "/api/v1/sources?tenant=icfg_one",
      json("POST", { slug: "one-hooks", kind: "vercel" }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      slug: "one-hooks",
      kind: "vercel",
      ingestPath: "/ingest/one-hooks",
    });
    // Shown in clear this once; afterwards only how many there are.
    expect(created.body.secrets).toEqual([expect.stringMatching(/^[0-9a-f]{48}$/)]);
    expect((await call("/api/v1/sources/one-hooks?tenant=icfg_one")).body.secrets).toBe(1);
    const taken = await call(
      "/api/v1/sources?tenant=icfg_two",
      json("POST", { slug: "one-hooks", kind: "vercel", secrets: ["s"] }),
    );
    expect(taken.status).toBe(409);
    const config = await call(
      "/api/v1/sources?tenant=icfg_two",
      json("POST", { slug: "vercel", kind: "vercel", secrets: ["s"] }),
    );
    expect(config.status).toBe(409);
    const builtIn = await call(
      "/api/v1/sources?tenant=icfg_two",
      json("POST", { slug: "switchyard", kind: "vercel", secrets: ["s"] }),
    );
    expect(builtIn.body.code).toBe("invalid_request");
  });

  it("creates a route only over the tenant's own sources and destinations, with a filter and code that compile", async () => {
    const foreign = await call(
      "/api/v1/routes?tenant=icfg_two",
      json("POST", { slug: "r", source: "one-hooks", destinations: ["hook"] }),
    );
    expect(foreign.status).toBe(400);
    expect(foreign.body.message).toContain('source[0]: no source "one-hooks"');
    const missing = await call(
      "/api/v1/routes?tenant=icfg_one",
      json("POST", { slug: "r", source: "one-hooks", destinations: ["nope"] }),
    );
    expect(missing.body.message).toContain('destinations[0]: no destination "nope"');
    const code = await call(
      "/api/v1/routes?tenant=icfg_one",
      json("POST", {
        slug: "r",
        source: "one-hooks",
        destinations: ["hook"],
        transform: { code: "function transform(e) { return e.(; }" },
      }),
    );
    expect(code.status).toBe(400);
    expect(code.body.message).toMatch(/transform\.code: /);
    const file = await call(
      "/api/v1/routes?tenant=icfg_one",
      json("POST", {
        slug: "r",
        source: "one-hooks",
        destinations: ["hook"],
        transform: { file: "/etc/passwd" },
      }),
    );
    expect(file.body.code).toBe("invalid_request");
    const ok = await call(
      "/api/v1/routes?tenant=icfg_one",
      json("POST", {
        slug: "r",
        source: ["one-hooks", "switchyard"],
        types: ["deployment.*"],
        destinations: ["hook"],
      }),
    );
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      slug: "r",
      tenant: "icfg_one",
      managedBy: "api",
      types: ["deployment.*"],
    });
    expect(t.deps.topology.routes("icfg_one", "one-hooks").map((r) => r.slug)).toEqual(["r"]);
  });

  it("refuses to delete a destination or source a route names, then deletes them once it is gone", async () => {
    const inUse = await call("/api/v1/destinations/hook?tenant=icfg_one", { method: "DELETE" });
    expect(inUse.status).toBe(409);
    expect(inUse.body.code).toBe("in_use");
    expect(inUse.body.message).toContain('"r"');
    expect((await call("/api/v1/sources/one-hooks?tenant=icfg_one", { method: "DELETE" })).body.code).toBe(
      "in_use",
    );
    expect((await call("/api/v1/routes/r?tenant=icfg_one", { method: "DELETE" })).status).toBe(204);
    expect((await call("/api/v1/sources/one-hooks?tenant=icfg_one", { method: "DELETE" })).status).toBe(204);
    expect(t.deps.topology.source("one-hooks")).toBeUndefined();
    expect((await call("/api/v1/routes/r?tenant=icfg_one")).status).toBe(404);
  });
});

describe("one tenant's ids in another tenant's name", () => {
  it("find nothing and change nothing", async () => {
    const store = t.deps.store;
    const now = Date.now();
    const eventId = newEventId(now);
    const deliveryId = newDeliveryId(now);
    const event: IncomingEvent = {
      id: eventId,
      tenant: "icfg_one",
      source: "one-src",
      externalId: "ext-1",
      type: "deployment.created",
      originalType: "deployment.created",
      receivedAt: now,
      unknownType: false,
      schemaIssues: [],
      body: Buffer.from('{"id":"ext-1","type":"deployment.created","payload":{}}'),
      deliveries: [
        {
          id: deliveryId,
          destination: "hook",
          routes: [],
          nextAttemptAt: now + 3_600_000,
          deadlineAt: now + 86_400_000,
          trigger: "initial",
        },
      ],
    };
    await store.insertEvents([event]);
    const as = (tenant: string, path: string, init?: RequestInit) =>
      call(`${path}${path.includes("?") ? "&" : "?"}tenant=${tenant}`, init);

    // The owner sees them.
    expect((await as("icfg_one", `/api/v1/events/${eventId}`)).status).toBe(200);
    expect((await as("icfg_one", `/api/v1/deliveries/${deliveryId}`)).status).toBe(200);
    // Another tenant: every read and write by these ids finds nothing.
    for (const [method, path, body] of [
      ["GET", `/api/v1/events/${eventId}`, undefined],
      ["POST", `/api/v1/events/${eventId}/replay`, {}],
      ["GET", `/api/v1/deliveries/${deliveryId}`, undefined],
      ["POST", `/api/v1/deliveries/${deliveryId}/retry`, undefined],
      ["GET", "/api/v1/destinations/hook", undefined],
      ["PATCH", "/api/v1/destinations/hook", { timeout: "9s" }],
      ["POST", "/api/v1/destinations/hook/disable", undefined],
      ["DELETE", "/api/v1/destinations/hook", undefined],
    ] as const) {
      const res = await as("icfg_three", path, body === undefined ? { method } : json(method, body));
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
    const events = await as("icfg_three", "/api/v1/events");
    expect(events.body.data).toEqual([]);
    const deliveries = await as("icfg_three", `/api/v1/deliveries?event=${eventId}`);
    expect(deliveries.body.data).toEqual([]);
    const bulk = await as(
      "icfg_three",
      "/api/v1/replay",
      json("POST", { status: "failed", all: true, dryRun: true }),
    );
    expect(bulk.body.matched).toBe(0);
    // And the owner's records are as they were.
    const owned = await as("icfg_one", `/api/v1/deliveries/${deliveryId}`);
    expect(owned.body).toMatchObject({ status: "pending", attempts: 0 });
    expect(t.deps.topology.destination("icfg_one", "hook")?.config.timeout).toBe(5_000);
    const listed = await as("icfg_one", "/api/v1/destinations/hook");
    expect(listed.body).toMatchObject({ state: "active", pending: 1 });
    const theirs = await as("icfg_two", "/api/v1/destinations/hook");
    expect(theirs.body.pending).toBe(0);
  });

  it("purges a tenant with everything it owns and nothing of another's", async () => {
    const purged = await call("/api/v1/tenants/icfg_one", { method: "DELETE" });
    expect(purged.status).toBe(200);
    expect(purged.body.deleted).toMatchObject({ events: 1, deliveries: 1, destinations: 1 });
    expect(t.deps.topology.destination("icfg_one", "hook")).toBeUndefined();
    expect(t.deps.topology.destination("icfg_two", "hook")).toBeDefined();
    expect((await call("/api/v1/destinations/hook?tenant=icfg_two")).status).toBe(200);
    expect((await call("/api/v1/tenants/default", { method: "DELETE" })).body.code).toBe("invalid_request");
  });

  it("refuses a malformed tenant", async () => {
    const res = await call("/api/v1/events?tenant=a/b");
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_query");
  });
});
