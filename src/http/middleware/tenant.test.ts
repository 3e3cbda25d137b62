import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../log.js";
import type { ApiEnv } from "../api-env.js";
import { answerError } from "./error-answers.js";
import { tenantParam } from "./tenant.js";

function app() {
  const a = new Hono<ApiEnv>();
  a.onError(answerError(createLogger("silent")));
  a.use("*", tenantParam());
  a.get("/t", (c) => c.json({ tenant: c.var.tenant }));
  return a;
}

describe("tenantParam", () => {
  it("acts for the default tenant without ?tenant=", async () => {
    expect(await (await app().request("/t")).json()).toEqual({ tenant: "default" });
  });

  it("acts for the tenant named", async () => {
    expect(await (await app().request("/t?tenant=icfg_abc123")).json()).toEqual({ tenant: "icfg_abc123" });
  });

  it("refuses a malformed tenant with invalid_query", async () => {
    for (const bad of ["", "a/b", "a%0Ab", "-x", "x".repeat(129)]) {
      const res = await app().request(`/t?tenant=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe("invalid_query");
    }
  });
});
