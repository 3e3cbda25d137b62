import { Hono } from "hono";
import { type ActionRun, type ActionRunDetail, checkNameOf, isCheckRun } from "../../storage/actions-port.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { jsonResponse } from "../json-response.js";
import { RUN_ID, runQuery, storyJson } from "./actions.js";
import { iso } from "./item-json.js";

function checkJson(r: ActionRun) {
  return {
    id: r.id,
    installationId: r.tenant,
    deploymentId: r.deploymentId,
    /** The configured check's; a checks-v2 run's is Vercel's check's, null until read. */
    name: checkNameOf(r),
    /** Vercel's id of the check: a v1 check's once created, a checks-v2 run's project check. */
    checkId: isCheckRun(r) ? r.action : r.externalId,
    /** Vercel's id of the checks-v2 run; null for a v1 check. */
    checkRunId: isCheckRun(r) ? r.externalId : null,
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
    const page = await operations.actions.list({ ...runQuery(c), kind: "check" });
    return jsonResponse(200, { data: page.data.map(checkJson), nextCursor: page.nextCursor });
  });
  app.get("/checks/:id", async (c) => {
    const id = c.req.param("id");
    if (!RUN_ID.test(id)) throw new HttpError("not_found", "no check run has that id");
    return jsonResponse(200, detailJson(await operations.actions.get(id, undefined, "check")));
  });
  return app;
}
