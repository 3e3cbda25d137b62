import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../log.js";
import type { ApiEnv } from "../api-env.js";
import { adminAuth } from "./admin-auth.js";
import { answerError } from "./error-answers.js";

const TOKEN = "admin-token-0123456789";

/** An app with the middleware on `/api/*` once, and a count of the handler runs behind it. */
function testApp() {
  const runs = { count: 0 };
  const app = new Hono<ApiEnv>();
  app.onError(answerError(createLogger("silent")));
  app.use("/api/*", adminAuth(TOKEN));
  app.get("/api/a", (c) => {
    runs.count++;
    return c.text("a");
  });
  app.post("/api/b/:id", (c) => {
    runs.count++;
    return c.text("b");
  });
  app.get("/open", (c) => c.text("open"));
  return { app, runs };
}

describe("adminAuth", () => {
  it("lets the token through to every route under /api", async () => {
    const { app, runs } = testApp();
    const headers = { authorization: `Bearer ${TOKEN}` };
    expect((await app.request("/api/a", { headers })).status).toBe(200);
    expect((await app.request("/api/b/1", { method: "POST", headers })).status).toBe(200);
    expect((await app.request("/api/a", { headers: { authorization: `BEARER   ${TOKEN}` } })).status).toBe(
      200,
    );
    expect(runs.count).toBe(3);
  });

  it.each([
    ["no header", undefined],
    ["a wrong token", `Bearer ${TOKEN}x`],
    ["a prefix of the token", `Bearer ${TOKEN.slice(0, -1)}`],
    ["the token without the scheme", TOKEN],
    ["another scheme", `Basic ${TOKEN}`],
    ["two tokens", `Bearer ${TOKEN} ${TOKEN}`],
  ])("refuses %s with 401 unauthorized, before the handler runs", async (_name, authorization) => {
    const { app, runs } = testApp();
    for (const [method, path] of [
      ["GET", "/api/a"],
      ["POST", "/api/b/1"],
      ["GET", "/api/unknown"],
    ] as const) {
      const res = await app.request(path, {
        method,
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="switchyard"');
      expect(((await res.json()) as { code: string }).code).toBe("unauthorized");
    }
    expect(runs.count).toBe(0);
  });

  it("leaves routes outside /api alone", async () => {
    const { app } = testApp();
    expect((await app.request("/open")).status).toBe(200);
  });
});
