import { z } from "zod";
import { type ActionRun, type ActionRunDetail, checkNameOf, isCheckRun } from "../../storage/actions-port.js";
import type { ApiDeps } from "../api-env.js";
import type { ApiRoutes } from "../api-spec.js";
import { jsonResponse } from "../json-response.js";
import { EXAMPLE_STORY, runBase, runFilter, runPath, runQuery, storyJson, storySchema } from "./actions.js";
import { iso } from "./item-json.js";
import { pageSchema } from "./query.js";

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

const checkSchema = z.strictObject({
  ...runBase,
  name: z
    .string()
    .nullable()
    .meta({ description: "The configured check's; a checks-v2 run's is Vercel's check's, null until read." }),
  checkId: z.string().nullable().meta({ description: "Vercel's id of the check." }),
  checkRunId: z
    .string()
    .nullable()
    .meta({ description: "Vercel's id of the checks-v2 run; null for a v1 check." }),
});

const EXAMPLE_CHECK = {
  id: "act_01JHQ8Y6VD1B2C3D4E5F6G7H8J",
  installationId: "icfg_abc123",
  deploymentId: "dpl_abc123",
  name: "smoke",
  checkId: "chk_abc123",
  checkRunId: null,
  projectId: "prj_abc123",
  eventId: "evt_01JHQ8Y6V8Z3K5M2N4P6R8T0VW",
  status: "succeeded",
  statusText: "200 in 120 ms",
  pending: null,
  createdAt: "2026-01-31T12:00:00.000Z",
  updatedAt: "2026-01-31T12:00:03.000Z",
};

/** `GET /api/v1/checks` and `GET /api/v1/checks/:id`, mounted at `/api/v1`: the runs of deployment checks. */
export function checkRoutes(api: ApiRoutes, { operations }: Pick<ApiDeps, "operations">): void {
  api.add(
    {
      method: "get",
      path: "/checks",
      tag: "Deployment actions and checks",
      summary: "List runs of deployment checks, newest first",
      query: runQuery,
      responses: {
        200: {
          description: "A page of check runs.",
          schema: pageSchema(checkSchema),
          example: { data: [EXAMPLE_CHECK], nextCursor: null },
        },
      },
      errors: [],
    },
    async (_c, { query }) => {
      const page = await operations.actions.list({ ...runFilter(query), kind: "check" });
      return jsonResponse(200, { data: page.data.map(checkJson), nextCursor: page.nextCursor });
    },
  );
  api.add(
    {
      method: "get",
      path: "/checks/:id",
      tag: "Deployment actions and checks",
      summary: "One check run, with its steps and its reports to Vercel",
      params: runPath("check run"),
      responses: {
        200: {
          description: "The check run.",
          schema: checkSchema.extend(storySchema.shape),
          example: { ...EXAMPLE_CHECK, ...EXAMPLE_STORY },
        },
      },
      errors: ["not_found"],
    },
    async (_c, { params }) =>
      jsonResponse(200, detailJson(await operations.actions.get(params.id, undefined, "check"))),
  );
}
