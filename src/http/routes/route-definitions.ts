import type { Hono } from "hono";
import type { ItemView } from "../../operations/topology-items.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { itemRoutes, itemTimes } from "./item-json.js";

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

/** `GET/POST /api/v1/routes`, `GET/PATCH/DELETE /api/v1/routes/:slug`, mounted at `/api/v1`; all for `?tenant=`. */
export function routeDefinitionRoutes({ operations }: Pick<ApiDeps, "operations">): Hono<ApiEnv> {
  return itemRoutes("routes", operations.routes, routeJson);
}
