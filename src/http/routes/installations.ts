import { Hono } from "hono";
import { tenantName } from "../../core/tenant.js";
import type { InstallationSummary } from "../../storage/port.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { jsonResponse } from "../json-response.js";
import { iso } from "./item-json.js";
import { parseLimit } from "./query.js";

/** An installation as the API shows it: never its token. */
function installationJson(i: InstallationSummary) {
  return {
    id: i.id,
    teamId: i.teamId,
    userId: i.userId,
    status: i.status,
    scopes: i.scopes,
    projects: i.projects,
    createdAt: iso(i.createdAt),
    updatedAt: iso(i.updatedAt),
    removedAt: iso(i.removedAt),
    removed: i.removedCounts,
  };
}

/** An installation id from a path; anything that cannot be one is no installation. */
function installationId(text: string): string {
  if (!tenantName.safeParse(text).success) throw new HttpError("not_found", "no installation has that id");
  return text;
}

/**
 * `GET /api/v1/installations`, `GET|DELETE /api/v1/installations/:id`, mounted at `/api/v1`: the
 * Vercel integration's installations, each a tenant (its id is the tenant's name).
 */
export function installationRoutes({ operations }: Pick<ApiDeps, "operations">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get("/installations", async (c) => {
    const limit = parseLimit(c.req.query("limit") ?? null);
    const cursorText = c.req.query("cursor");
    const cursor = cursorText === undefined ? null : Buffer.from(cursorText, "base64url").toString("utf8");
    if (cursor !== null && !tenantName.safeParse(cursor).success)
      throw new HttpError("invalid_query", "cursor is not one this API gave");
    const page = await operations.installations.list(cursor, limit);
    return jsonResponse(200, {
      data: page.data.map(installationJson),
      nextCursor: page.nextCursor === null ? null : Buffer.from(page.nextCursor).toString("base64url"),
    });
  });
  app.get("/installations/:id", async (c) =>
    jsonResponse(
      200,
      installationJson(await operations.installations.get(installationId(c.req.param("id")))),
    ),
  );
  app.delete("/installations/:id", async (c) => {
    const id = installationId(c.req.param("id"));
    return jsonResponse(200, { id, removed: await operations.installations.remove(id) });
  });
  return app;
}
