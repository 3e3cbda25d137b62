import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newEventId } from "../../src/core/ids.js";
import type { IncomingEvent } from "../../src/core/types.js";
import { type ApiTestApp, apiTestApp } from "../support/api-app.js";
import { ADMIN_TOKEN } from "../support/app.js";

// The API's handlers called through app.request(): no socket, a real store.

let t: ApiTestApp;
beforeAll(async () => {
  t = await apiTestApp();
});
afterAll(() => t.close());

function storedEvent(externalId: string, body: string): IncomingEvent {
  const now = Date.now();
  return {
    id: newEventId(now),
    tenant: "default",
    source: "vercel",
    externalId,
    type: "deployment.created",
    originalType: "deployment.created",
    receivedAt: now,
    unknownType: false,
    schemaIssues: [],
    body: Buffer.from(body),
    deliveries: [],
  };
}

const ROUTES = [
  ["GET", "/api/v1/events"],
  ["GET", `/api/v1/events/${newEventId()}`],
  ["POST", `/api/v1/events/${newEventId()}/replay`],
  ["POST", "/api/v1/replay"],
  ["GET", "/api/v1/deliveries"],
  ["GET", "/api/v1/destinations"],
  ["POST", "/api/v1/destinations/x/enable"],
  ["POST", "/api/v1/routes/test"],
  ["GET", "/api/v1/no-such-route"],
] as const;

describe("the admin token", () => {
  it.each(ROUTES)("guards %s %s: 401 unauthorized with www-authenticate", async (method, path) => {
    for (const authorization of [undefined, `Bearer ${ADMIN_TOKEN}x`, ADMIN_TOKEN, "Basic abc"]) {
      const res = await t.app.request(path, {
        method,
        headers: authorization === undefined ? {} : { authorization },
        body: method === "POST" ? JSON.stringify({ all: true }) : null,
      });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="switchyard"');
      expect(await res.json()).toEqual({
        code: "unauthorized",
        message: "a valid admin token is required: Authorization: Bearer <token>",
      });
    }
  });

  it("is taken with the scheme in any case", async () => {
    const res = await t.app.request("/api/v1/events", {
      headers: { authorization: `bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
  });

  it("is not asked for by /healthz, /readyz and /metrics", async () => {
    expect(await (await t.app.request("/healthz")).json()).toEqual({ ok: true });
    const ready = await t.app.request("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, store: t.deps.store.capabilities.dialect });
    const metrics = await t.app.request("/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toBe(t.deps.metrics.registry.contentType);
    expect(await metrics.text()).toContain("switchyard_");
  });
});

describe("events", () => {
  it("lists stored events and answers one with its stored body spliced in, as JSON with its length", async () => {
    const body = '{"id":"e1", "type":"deployment.created",  "payload":{"deep":[1,2]}}';
    const [stored] = await t.deps.store.insertEvents([storedEvent("e1", body)]);
    const list = await t.call("/api/v1/events?source=vercel&limit=1");
    expect(list.status).toBe(200);
    expect(list.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const page = (await list.json()) as { data: { id: string; externalId: string }[]; nextCursor: null };
    expect(page.data.map((e) => e.externalId)).toEqual(["e1"]);

    const one = await t.call(`/api/v1/events/${stored?.eventId}`);
    const text = await one.text();
    expect(one.headers.get("content-length")).toBe(String(Buffer.byteLength(text)));
    expect(text.endsWith(`"payload":${body}}`)).toBe(true);
    expect(JSON.parse(text)).toMatchObject({ id: stored?.eventId, externalId: "e1", source: "vercel" });
  });

  it("answers 404 not_found for an id that is none", async () => {
    const res = await t.call("/api/v1/events/evt_%00");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: "not_found", message: "no event has that id" });
  });

  it("answers 400 invalid_query for a bad parameter", async () => {
    const res = await t.call("/api/v1/events?limit=0");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("invalid_query");
  });
});

describe("routing", () => {
  it("takes a trailing slash", async () => {
    expect((await t.call("/api/v1/deliveries/")).status).toBe(200);
  });

  it.each([
    ["GET", "/nope"],
    ["GET", "/api/v1/no-such-route"],
    ["GET", "/api/v1/replay"],
    ["DELETE", "/api/v1/events"],
  ])("answers %s %s with 404 not_found", async (method, path) => {
    const res = await t.call(path, { method });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: "not_found", message: "no such route" });
  });

  it("serves only health and metrics when the API is off (--role worker)", async () => {
    const worker = await apiTestApp({}, { serveApi: false });
    try {
      expect((await worker.call("/healthz")).status).toBe(200);
      const res = await worker.call("/api/v1/events");
      expect(res.status).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe("not_found");
    } finally {
      await worker.close();
    }
  });
});

describe("JSON bodies", () => {
  const replay = (body: string, headers: Record<string, string> = {}) =>
    t.call("/api/v1/replay", { method: "POST", body, headers });

  it("answers invalid_json for a body that is not JSON", async () => {
    const res = await replay("{");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: "invalid_json", message: "the body is not valid JSON" });
  });

  it("answers invalid_request naming each bad field", async () => {
    const res = await replay(JSON.stringify({ all: "yes", extra: 1 }));
    expect(res.status).toBe(400);
    const error = (await res.json()) as { code: string; message: string };
    expect(error.code).toBe("invalid_request");
    expect(error.message).toContain("all");
  });

  it("answers 413 payload_too_large for a body over 256 KiB, declared or streamed", async () => {
    const big = "x".repeat(256 * 1024 + 1);
    const declared = await replay(big);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { code: string }).code).toBe("payload_too_large");
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(64 * 1024).fill(32));
      },
    });
    const request = new Request("http://localhost/api/v1/replay", {
      method: "POST",
      body: stream,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      duplex: "half",
    } as RequestInit);
    const streamed = await t.app.request(request);
    expect(streamed.status).toBe(413);
    // It stopped reading at the cap instead of draining an endless body.
    expect(pulls).toBeLessThan(10);
  });

  it("reads an empty body as {}", async () => {
    const res = await replay("");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('"all": true');
  });

  it("answers a dry run with what it would requeue", async () => {
    const res = await replay(JSON.stringify({ all: true, dryRun: true }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ matched: 0, dryRun: true });
  });
});
