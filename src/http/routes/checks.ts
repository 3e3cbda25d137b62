import { Hono } from "hono";
import type { ActionRun, ActionRunDetail, ActionStatus } from "../../storage/actions-port.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { jsonResponse } from "../json-response.js";
import { RUN_ID, STATUSES, storyJson } from "./actions.js";
import { iso } from "./item-json.js";
import { parseLimit, parseText } from "./query.js";

function checkJson(r: ActionRun) {
  return {
    id: r.id,
    installationId: r.tenant,
    deploymentId: r.deploymentId,
    name: r.action,
    /** Vercel's id of the check, once created. */
    checkId: r.externalId,
    projectId: r.projectId,
    eventId: r.eventId,
    status: r.status,
    statusText: r.statusText,
    pending: r.phase,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

const detailJson = (detail: ActionRunDetail) => ({ ...checkJson(detail.run), ...storyJson(detail) });

/** `GET /api/v1/checks` and `GET /api/v1/checks/:id`, mounted at `/api/v1`: the runs of deployment checks. */
export function checkRoutes({ operations }: Pick<ApiDeps, "operations">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get("/checks", async (c) => {
    const query = (name: string) => c.req.query(name) ?? null;
    const status = query("status");
    if (status !== null && !STATUSES.includes(status as ActionStatus))
      throw new HttpError("invalid_query", `status must be one of ${STATUSES.join(", ")}`);
    const cursor = query("cursor");
    if (cursor !== null && !RUN_ID.test(cursor))
      throw new HttpError("invalid_query", "cursor is not one this API gave");
    const page = await operations.actions.list({
      kind: "check",
      tenant: parseText("installation", query("installation")),
      deploymentId: parseText("deployment", query("deployment")),
      status: (status ?? undefined) as ActionStatus | undefined,
      before: cursor ?? undefined,
      limit: parseLimit(query("limit")),
    });
    return jsonResponse(200, { data: page.data.map(checkJson), nextCursor: page.nextCursor });
  });
  app.get("/checks/:id", async (c) => {
    const id = c.req.param("id");
    if (!RUN_ID.test(id)) throw new HttpError("not_found", "no check run has that id");
    return jsonResponse(200, detailJson(await operations.actions.get(id, undefined, "check")));
  });
  return app;
}
