import { type Context, Hono } from "hono";
import type { ActionRun, ActionRunDetail, ActionRunQuery, ActionStatus } from "../../storage/actions-port.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { jsonResponse } from "../json-response.js";
import { iso } from "./item-json.js";
import { parseLimit, parseText } from "./query.js";

export const STATUSES: readonly ActionStatus[] = [
  "queued",
  "running",
  "succeeded",
  "failed",
  "canceled",
  "cleaned",
];
export const RUN_ID = /^act_[0-9A-Z]{26}$/;

function runJson(r: ActionRun) {
  return {
    id: r.id,
    installationId: r.tenant,
    deploymentId: r.deploymentId,
    resourceId: r.resourceId,
    action: r.action,
    projectId: r.projectId,
    eventId: r.eventId,
    status: r.status,
    statusText: r.statusText,
    pending: r.phase,
    made: r.made,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

/** A run's steps and its reports to Vercel: their states and attempts, never their bodies (secrets). */
export function storyJson({ run, reports }: ActionRunDetail) {
  return {
    steps: run.steps.map((s) => ({ at: iso(s.at), text: s.text })),
    reports: reports.map((r) => ({
      id: r.id,
      state: r.state,
      createdAt: iso(r.createdAt),
      nextAttemptAt: iso(r.nextAttemptAt),
      attempts: r.attempts.map((a) => ({
        at: iso(a.at),
        status: a.status,
        durationMs: a.durationMs,
        error: a.error,
      })),
    })),
  };
}

/** The filters and page of a runs listing (`installation`, `deployment`, `status`, `cursor`, `limit`). */
export function runQuery(c: Context): ActionRunQuery {
  const query = (name: string) => c.req.query(name) ?? null;
  const status = query("status");
  if (status !== null && !STATUSES.includes(status as ActionStatus))
    throw new HttpError("invalid_query", `status must be one of ${STATUSES.join(", ")}`);
  const cursor = query("cursor");
  if (cursor !== null && !RUN_ID.test(cursor))
    throw new HttpError("invalid_query", "cursor is not one this API gave");
  return {
    tenant: parseText("installation", query("installation")),
    deploymentId: parseText("deployment", query("deployment")),
    status: (status ?? undefined) as ActionStatus | undefined,
    before: cursor ?? undefined,
    limit: parseLimit(query("limit")),
  };
}

function detailJson(detail: ActionRunDetail) {
  return { ...runJson(detail.run), ...storyJson(detail) };
}

/** `GET /api/v1/actions` and `GET /api/v1/actions/:id`, mounted at `/api/v1`: the runs of deployment integration actions. */
export function actionRoutes({ operations }: Pick<ApiDeps, "operations">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get("/actions", async (c) => {
    const page = await operations.actions.list(runQuery(c));
    return jsonResponse(200, { data: page.data.map(runJson), nextCursor: page.nextCursor });
  });
  app.get("/actions/:id", async (c) => {
    const id = c.req.param("id");
    if (!RUN_ID.test(id)) throw new HttpError("not_found", "no action run has that id");
    return jsonResponse(200, detailJson(await operations.actions.get(id)));
  });
  return app;
}
