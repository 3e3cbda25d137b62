import { Hono } from "hono";
import { tenantName } from "../../core/tenant.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { jsonResponse } from "../json-response.js";

/** `DELETE /api/v1/tenants/:tenant`, mounted at `/api/v1`: the tenant and everything it owns, gone in one transaction. */
export function tenantRoutes({ operations }: Pick<ApiDeps, "operations">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.delete("/tenants/:tenant", async (c) => {
    const tenant = c.req.param("tenant");
    if (!tenantName.safeParse(tenant).success) throw new HttpError("not_found", "no tenant has that name");
    return jsonResponse(200, { tenant, deleted: await operations.tenants.purge(tenant) });
  });
  return app;
}
