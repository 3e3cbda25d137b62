import { z } from "zod";
import { tenantName } from "../../core/tenant.js";
import type { RunItem } from "../../operations/run-settings.js";
import type { InstallationSummary } from "../../storage/port.js";
import type { ApiDeps } from "../api-env.js";
import type { ApiRoutes } from "../api-spec.js";
import { HttpError } from "../errors.js";
import { jsonResponse } from "../json-response.js";
import { EXAMPLE_PURGE_COUNTS, purgeCountsSchema } from "./counts.js";
import { iso as isoText } from "./item-json.js";
import { limitQuery, pageSchema, pathParam, queryParam } from "./query.js";

/** An installation as the API shows it: never its token. */
function installationJson(i: InstallationSummary) {
  return {
    id: i.id,
    teamId: i.teamId,
    userId: i.userId,
    status: i.status,
    scopes: i.scopes,
    projects: i.projects,
    createdAt: isoText(i.createdAt),
    updatedAt: isoText(i.updatedAt),
    removedAt: isoText(i.removedAt),
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

const iso = z.string().nullable().meta({ format: "date-time" });

const installationSchema = z.strictObject({
  id: z.string().meta({ description: "Vercel's configuration id; the installation's tenant." }),
  teamId: z.string().nullable(),
  userId: z.string(),
  status: z.enum(["active", "removed"]),
  scopes: z.array(z.string()),
  projects: z.union([z.literal("all"), z.array(z.string())]),
  createdAt: iso,
  updatedAt: iso,
  removedAt: iso,
  removed: purgeCountsSchema
    .extend({ sessions: z.number().int() })
    .nullable()
    .meta({ description: "What its removal deleted; null while active." }),
});

const EXAMPLE_INSTALLATION = {
  id: "icfg_abc123",
  teamId: "team_abc123",
  userId: "user_abc123",
  status: "active",
  scopes: ["read:deployment"],
  projects: "all",
  createdAt: "2026-01-31T12:00:00.000Z",
  updatedAt: "2026-01-31T12:00:00.000Z",
  removedAt: null,
  removed: null,
};

const runsAnswer = z.strictObject({
  data: z.array(
    z.strictObject({
      kind: z.enum(["action", "check"]),
      name: z.string(),
      description: z.string(),
      runs: z.union([z.enum(["all", "off"]), z.array(z.string())]),
    }),
  ),
});

const EXAMPLE_RUNS = {
  data: [
    { kind: "action", name: "branch-database", description: "A database branch per preview", runs: "all" },
    { kind: "check", name: "smoke", description: "The home page answers 200", runs: ["prj_abc123"] },
  ],
};

/** An installation id from a path; anything that cannot be one is no installation. */
const installationPath = z.object({
  id: pathParam({ description: "The installation's id (`icfg_…`).", examples: ["icfg_abc123"] }, (t) => {
    if (!tenantName.safeParse(t).success) throw new HttpError("not_found", "no installation has that id");
    return t;
  }),
});

const TAG = "Installations";

/**
 * `GET /api/v1/installations`, `GET|DELETE /api/v1/installations/:id` and `GET|PUT
 * /api/v1/installations/:id/runs`, mounted at `/api/v1`: the Vercel integration's installations,
 * each a tenant (its id is the tenant's name), and which deployment actions and checks run for each.
 */
export function installationRoutes(api: ApiRoutes, { operations }: Pick<ApiDeps, "operations">): void {
  api.add(
    {
      method: "get",
      path: "/installations",
      tag: TAG,
      summary: "List the Vercel integration's installations",
      query: z.object({
        limit: limitQuery,
        cursor: queryParam(
          { description: "The `nextCursor` of the page before.", examples: ["aWNmZ19hYmMxMjM"] },
          (t) => {
            const cursor = t === null ? null : Buffer.from(t, "base64url").toString("utf8");
            if (cursor !== null && !tenantName.safeParse(cursor).success)
              throw new HttpError("invalid_query", "cursor is not one this API gave");
            return cursor;
          },
        ),
      }),
      responses: {
        200: {
          description: "A page of installations, removed ones too.",
          schema: pageSchema(installationSchema),
          example: { data: [EXAMPLE_INSTALLATION], nextCursor: null },
        },
      },
      errors: [],
    },
    async (_c, { query }) => {
      const page = await operations.installations.list(query.cursor, query.limit);
      return jsonResponse(200, {
        data: page.data.map(installationJson),
        nextCursor: page.nextCursor === null ? null : Buffer.from(page.nextCursor).toString("base64url"),
      });
    },
  );
  api.add(
    {
      method: "get",
      path: "/installations/:id",
      tag: TAG,
      summary: "One installation",
      params: installationPath,
      responses: {
        200: {
          description: "The installation (never its token).",
          schema: installationSchema,
          example: EXAMPLE_INSTALLATION,
        },
      },
      errors: ["not_found"],
    },
    async (_c, { params }) =>
      jsonResponse(200, installationJson(await operations.installations.get(params.id))),
  );
  api.add(
    {
      method: "get",
      path: "/installations/:id/runs",
      tag: TAG,
      summary: "Where the deployment actions and checks run for an installation",
      params: installationPath,
      responses: {
        200: {
          description: "Each declared action and check, and where it runs.",
          schema: runsAnswer,
          example: EXAMPLE_RUNS,
        },
      },
      errors: ["not_found"],
    },
    async (_c, { params }) => jsonResponse(200, runsJson(await operations.runSettings.get(params.id))),
  );
  api.add(
    {
      method: "put",
      path: "/installations/:id/runs",
      tag: TAG,
      summary: "Set where the deployment actions and checks run for an installation",
      description:
        "Each item `all`, `off` or a list of the installation's project ids; an item left out runs for every project.",
      params: installationPath,
      body: { schema: runsBody, example: { data: [{ kind: "check", name: "smoke", runs: ["prj_abc123"] }] } },
      responses: {
        200: { description: "The settings now in force.", schema: runsAnswer, example: EXAMPLE_RUNS },
      },
      errors: ["not_found", "unknown_action", "unknown_check", "unknown_project", "vercel_error"],
    },
    async (_c, { params, body }) =>
      jsonResponse(200, runsJson(await operations.runSettings.save(params.id, body.data))),
  );
  api.add(
    {
      method: "delete",
      path: "/installations/:id",
      tag: TAG,
      summary: "Remove an installation and purge its tenant",
      description: "Keeps the installation as an audit record with what was deleted.",
      params: installationPath,
      responses: {
        200: {
          description: "What was deleted.",
          schema: z.strictObject({
            id: z.string(),
            removed: purgeCountsSchema.extend({ sessions: z.number().int() }),
          }),
          example: { id: "icfg_abc123", removed: { ...EXAMPLE_PURGE_COUNTS, sessions: 1 } },
        },
      },
      errors: ["not_found", "vercel_error"],
    },
    async (_c, { params }) =>
      jsonResponse(200, { id: params.id, removed: await operations.installations.remove(params.id) }),
  );
}
