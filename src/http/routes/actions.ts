import { z } from "zod";
import type { ActionRun, ActionRunDetail, ActionRunQuery, ActionStatus } from "../../storage/actions-port.js";
import type { ApiDeps } from "../api-env.js";
import type { ApiRoutes } from "../api-spec.js";
import { HttpError } from "../errors.js";
import { jsonResponse } from "../json-response.js";
import { iso as isoText } from "./item-json.js";
import { limitQuery, pageSchema, pathParam, queryParam, textQuery } from "./query.js";

export const STATUSES: readonly ActionStatus[] = [
  "queued",
  "running",
  "succeeded",
  "failed",
  "canceled",
  "cleaned",
];
export const RUN_ID = /^act_[0-9A-Z]{26}$/;
const EXAMPLE_RUN_ID = "act_01JHQ8Y6VB1B2C3D4E5F6G7H8J";

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
    createdAt: isoText(r.createdAt),
    updatedAt: isoText(r.updatedAt),
  };
}

/** A run's steps and its reports to Vercel: their states and attempts, never their bodies (secrets). */
export function storyJson({ run, reports }: ActionRunDetail) {
  return {
    steps: run.steps.map((s) => ({ at: isoText(s.at), text: s.text })),
    reports: reports.map((r) => ({
      id: r.id,
      state: r.state,
      createdAt: isoText(r.createdAt),
      nextAttemptAt: isoText(r.nextAttemptAt),
      attempts: r.attempts.map((a) => ({
        at: isoText(a.at),
        status: a.status,
        durationMs: a.durationMs,
        error: a.error,
      })),
    })),
  };
}

/** The filters and page of a runs listing (`installation`, `deployment`, `status`, `cursor`, `limit`). */
export const runQuery = z.object({
  status: queryParam(
    { description: "Only runs in this state.", enum: STATUSES, examples: ["failed"] },
    (t) => {
      if (t !== null && !STATUSES.includes(t as ActionStatus))
        throw new HttpError("invalid_query", `status must be one of ${STATUSES.join(", ")}`);
      return (t ?? undefined) as ActionStatus | undefined;
    },
  ),
  cursor: queryParam(
    {
      description: "The `nextCursor` of the page before.",
      examples: [EXAMPLE_RUN_ID],
      pattern: RUN_ID.source,
    },
    (t) => {
      if (t !== null && !RUN_ID.test(t))
        throw new HttpError("invalid_query", "cursor is not one this API gave");
      return t ?? undefined;
    },
  ),
  installation: textQuery("installation", "Only the runs of this installation.", "icfg_abc123"),
  deployment: textQuery("deployment", "Only the runs for this deployment.", "dpl_abc123"),
  limit: limitQuery,
});

/** The filters of a runs listing as the store takes them. */
export function runFilter(query: z.output<typeof runQuery>): ActionRunQuery {
  return {
    tenant: query.installation,
    deploymentId: query.deployment,
    status: query.status,
    before: query.cursor,
    limit: query.limit,
  };
}

/** A run id from a path; anything else is no run of this kind. */
export const runPath = (noun: string) =>
  z.object({
    id: pathParam(
      { description: `The ${noun}'s id.`, examples: [EXAMPLE_RUN_ID], pattern: RUN_ID.source },
      (t) => {
        if (!RUN_ID.test(t)) throw new HttpError("not_found", `no ${noun} has that id`);
        return t;
      },
    ),
  });

const iso = z.string().nullable().meta({ format: "date-time" });

/** What `storyJson` writes. */
export const storySchema = z.strictObject({
  steps: z.array(z.strictObject({ at: iso, text: z.string() })),
  reports: z.array(
    z.strictObject({
      id: z.string(),
      state: z.enum(["pending", "sent", "gone", "failed"]),
      createdAt: iso,
      nextAttemptAt: iso,
      attempts: z.array(
        z.strictObject({
          at: iso,
          status: z.number().int().nullable(),
          durationMs: z.number().nullable(),
          error: z.string().nullable(),
        }),
      ),
    }),
  ),
});

export const EXAMPLE_STORY = {
  steps: [{ at: "2026-01-31T12:00:01.000Z", text: "started" }],
  reports: [
    {
      id: "rpt_01JHQ8Y6VC1B2C3D4E5F6G7H8J",
      state: "sent",
      createdAt: "2026-01-31T12:00:02.000Z",
      nextAttemptAt: null,
      attempts: [{ at: "2026-01-31T12:00:02.100Z", status: 200, durationMs: 80, error: null }],
    },
  ],
};

/** The fields every run of either kind shows. */
export const runBase = {
  id: z.string(),
  installationId: z.string(),
  deploymentId: z.string(),
  projectId: z.string().nullable(),
  eventId: z.string().nullable(),
  status: z.enum(STATUSES as [ActionStatus, ...ActionStatus[]]),
  statusText: z.string().nullable(),
  pending: z.string().nullable().meta({ description: "The phase still to do, if any." }),
  createdAt: iso,
  updatedAt: iso,
};

const runSchema = z.strictObject({
  ...runBase,
  resourceId: z.string().nullable(),
  action: z.string(),
  made: z.record(z.string(), z.unknown()).nullable(),
});

const EXAMPLE_RUN = {
  id: EXAMPLE_RUN_ID,
  installationId: "icfg_abc123",
  deploymentId: "dpl_abc123",
  resourceId: "store_abc123",
  action: "branch-database",
  projectId: "prj_abc123",
  eventId: "evt_01JHQ8Y6V8Z3K5M2N4P6R8T0VW",
  status: "succeeded",
  statusText: null,
  pending: null,
  made: { branch: "preview-abc123" },
  createdAt: "2026-01-31T12:00:00.000Z",
  updatedAt: "2026-01-31T12:00:03.000Z",
};

function detailJson(detail: ActionRunDetail) {
  return { ...runJson(detail.run), ...storyJson(detail) };
}

/** `GET /api/v1/actions` and `GET /api/v1/actions/:id`, mounted at `/api/v1`: the runs of deployment integration actions. */
export function actionRoutes(api: ApiRoutes, { operations }: Pick<ApiDeps, "operations">): void {
  api.add(
    {
      method: "get",
      path: "/actions",
      tag: "Deployment actions and checks",
      summary: "List runs of deployment integration actions, newest first",
      query: runQuery,
      responses: {
        200: {
          description: "A page of runs.",
          schema: pageSchema(runSchema),
          example: { data: [EXAMPLE_RUN], nextCursor: null },
        },
      },
      errors: [],
    },
    async (_c, { query }) => {
      const page = await operations.actions.list(runFilter(query));
      return jsonResponse(200, { data: page.data.map(runJson), nextCursor: page.nextCursor });
    },
  );
  api.add(
    {
      method: "get",
      path: "/actions/:id",
      tag: "Deployment actions and checks",
      summary: "One action run, with its steps and its reports to Vercel",
      params: runPath("action run"),
      responses: {
        200: {
          description: "The run.",
          schema: runSchema.extend(storySchema.shape),
          example: { ...EXAMPLE_RUN, ...EXAMPLE_STORY },
        },
      },
      errors: ["not_found"],
    },
    async (_c, { params }) => jsonResponse(200, detailJson(await operations.actions.get(params.id))),
  );
}
