import { z } from "zod";
import { routeSchema } from "../../config/routing-schema.js";
import type { ItemView } from "../../operations/topology-items.js";
import type { ApiDeps } from "../api-env.js";
import type { ApiRoutes } from "../api-spec.js";
import { itemFields, itemRoutes, itemTimes } from "./item-json.js";

/** A route as the API shows it: what it takes, where it sends, and how it reshapes. */
function routeJson(item: ItemView<"routes">) {
  const r = item.config;
  const t = r.transform;
  return {
    slug: r.slug,
    tenant: item.tenant,
    managedBy: item.managedBy,
    source: r.source,
    types: r.types ?? null,
    filter: r.filter ?? null,
    // A file's code is read at start-up; the file names it.
    transform: t
      ? t.file !== undefined
        ? { file: t.file }
        : t.template !== undefined
          ? { template: t.template, options: t.options ?? {} }
          : { code: t.code }
      : null,
    destinations: r.destinations,
    ...itemTimes(item),
  };
}

/** What `routeJson` writes. */
const routeAnswer = z.strictObject({
  slug: z.string(),
  ...itemFields,
  source: z.array(z.string()),
  types: z.array(z.string()).nullable(),
  filter: z.looseObject({ logic: z.enum(["and", "or"]), conditions: z.array(z.unknown()) }).nullable(),
  transform: z
    .union([
      z.strictObject({ file: z.string() }),
      z.strictObject({ template: z.string(), options: z.record(z.string(), z.unknown()) }),
      z.strictObject({ code: z.string() }),
    ])
    .nullable(),
  destinations: z.array(z.string()),
});

/** `GET/POST /api/v1/routes`, `GET/PATCH/DELETE /api/v1/routes/:slug`, mounted at `/api/v1`; all for `?tenant=`. */
export function routeDefinitionRoutes(api: ApiRoutes, { operations }: Pick<ApiDeps, "operations">): void {
  itemRoutes(
    api,
    {
      path: "routes",
      noun: "route",
      tag: "Routes",
      document: routeSchema,
      answer: routeAnswer,
      example: {
        slug: "deploys",
        tenant: "default",
        managedBy: "api",
        source: ["vercel"],
        types: ["deployment.succeeded", "deployment.error"],
        filter: null,
        transform: { template: "slack", options: {} },
        destinations: ["ops-hook"],
        createdAt: "2026-01-31T12:00:00.000Z",
        updatedAt: "2026-01-31T12:00:00.000Z",
      },
      createExample: {
        slug: "deploys",
        source: "vercel",
        types: ["deployment.succeeded", "deployment.error"],
        transform: { template: "slack" },
        destinations: ["ops-hook"],
      },
      patchExample: { types: ["deployment.error"] },
      deleteErrors: [],
    },
    operations.routes,
    routeJson,
  );
}
