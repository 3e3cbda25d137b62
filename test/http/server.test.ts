import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startTestApp, type TestApp } from "../support/app.js";

// The one node:http server: ingest on its raw path, the rest through the Hono app's listener.

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

describe("the server's two paths", () => {
  it("carries the request id through the adapter, on answers and refusals", async () => {
    const ok = await fetch(`${app.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "x-request-id": "through-1" },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-request-id")).toBe("through-1");
    expect(ok.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const refused = await fetch(`${app.url}/api/v1/events`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends /ingest/:source, with or without a trailing slash, to ingest and nothing else there", async () => {
    for (const path of ["/ingest/vercel", "/ingest/vercel/"]) {
      const res = await fetch(`${app.url}${path}`);
      expect(res.status, path).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
      // Ingest is answered on the raw path, without the app's middleware.
      expect(res.headers.get("x-request-id")).toBeNull();
    }
    const deeper = await fetch(`${app.url}/ingest/vercel/more`, { method: "POST" });
    expect(deeper.status).toBe(404);
    expect(await deeper.json()).toEqual({ code: "not_found", message: "no such route" });
  });

  it("reads an API body through the adapter", async () => {
    const res = await fetch(`${app.url}/api/v1/replay`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ all: true, dryRun: true }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ matched: 0, dryRun: true });
    const big = await fetch(`${app.url}/api/v1/replay`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: "x".repeat(300 * 1024),
    });
    expect(big.status).toBe(413);
  });
});
