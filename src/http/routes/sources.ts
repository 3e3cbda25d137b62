import type { Hono } from "hono";
import { formatDuration } from "../../core/duration.js";
import type { ItemView } from "../../operations/topology-items.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { itemRoutes, itemTimes } from "./item-json.js";

/** A source as the API shows it: how it verifies, never its secrets (only how many). */
function sourceJson(item: ItemView<"sources">) {
  const s = item.config;
  return {
    slug: s.slug,
    tenant: item.tenant,
    managedBy: item.managedBy,
    kind: s.kind,
    ingestPath: `/ingest/${s.slug}`,
    secrets: s.secrets.length,
    insecure: s.insecure,
    ...(s.kind === "hmac"
      ? { header: s.header, algorithm: s.algorithm, encoding: s.encoding, prefix: s.prefix }
      : {}),
    ...(s.kind === "standard-webhooks" ? { tolerance: formatDuration(s.tolerance) } : {}),
    ...itemTimes(item),
  };
}

/** `GET/POST /api/v1/sources`, `GET/PATCH/DELETE /api/v1/sources/:slug`, mounted at `/api/v1`; all for `?tenant=`. */
export function sourceRoutes({ operations }: Pick<ApiDeps, "operations">): Hono<ApiEnv> {
  return itemRoutes("sources", operations.sources, sourceJson);
}
