import { Hono } from "hono";
import { z } from "zod";
import { tenantName } from "../../core/tenant.js";
import type { RunItem } from "../../operations/run-settings.js";
import type { InstallationSummary } from "../../storage/port.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { readJson } from "../json-body.js";
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

/**
 * Where the declared deployment actions and checks run for an installation, as `PUT …/runs` takes
 * it: each item `all`, `off` or a list of the installation's project ids; an item left out runs for
 * every project. `description` is what `GET` shows, ignored here, so an answer can be sent back.
 */
const runsBody = z.strictObject({
  data: z
    .array(
      z.strictObject({
        kind: z.enum(["action", "check"]),
        name: z.string().min(1).max(100),
        runs: z.union([
          z.enum(["all", "off"]),
          z
            .array(z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "expected a project id"))
            .min(1, 'choose at least one project, or "off"')
            .max(1000),
        ]),
        description: z.string().optional(),
      }),
    )
    .max(1000),
});

const runsJson = (items: readonly RunItem[]) => ({
  data: items.map((i) => ({ kind: i.kind, name: i.name, description: i.description, runs: i.runs })),
});

/** An installation id from a path; anything that cannot be one is no installation. */
function installationId(text: string): string {
  if (!tenantName.safeParse(text).success) throw new HttpError("not_found", "no installation has that id");
  return text;
}

/**
 * `GET /api/v1/installations`, `GET|DELETE /api/v1/installations/:id` and `GET|PUT
 * /api/v1/installations/:id/runs`, mounted at `/api/v1`: the Vercel integration's installations,
 * each a tenant (its id is the tenant's name), and which deployment actions and checks run for each.
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
  app.get("/installations/:id/runs", async (c) =>
    jsonResponse(200, runsJson(await operations.runSettings.get(installationId(c.req.param("id"))))),
  );
  app.put("/installations/:id/runs", async (c) => {
    const id = installationId(c.req.param("id"));
    const body = await readJson(c.req.raw, runsBody);
    return jsonResponse(200, runsJson(await operations.runSettings.save(id, body.data)));
  });
  app.delete("/installations/:id", async (c) => {
    const id = installationId(c.req.param("id"));
    return jsonResponse(200, { id, removed: await operations.installations.remove(id) });
  });
  return app;
}
