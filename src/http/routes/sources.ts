import { Hono } from "hono";
import { formatDuration } from "../../core/duration.js";
import type { ItemView } from "../../operations/topology-items.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { readJsonValue } from "../json-body.js";
import { jsonResponse } from "../json-response.js";
import { itemTimes, withSecrets } from "./item-json.js";

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
  const { sources } = operations;
  const app = new Hono<ApiEnv>();
  app.get("/sources", async (c) =>
    jsonResponse(200, { data: (await sources.list(c.var.tenant)).map(sourceJson) }),
  );
  app.post("/sources", async (c) => {
    const created = await sources.create(c.var.tenant, await readJsonValue(c.req.raw));
    return jsonResponse(201, withSecrets(sourceJson(created), created.revealedSecrets));
  });
  app.get("/sources/:slug", async (c) =>
    jsonResponse(200, sourceJson(await sources.get(c.var.tenant, c.req.param("slug")))),
  );
  app.patch("/sources/:slug", async (c) => {
    const updated = await sources.update(c.var.tenant, c.req.param("slug"), await readJsonValue(c.req.raw));
    return jsonResponse(200, withSecrets(sourceJson(updated), updated.revealedSecrets));
  });
  app.delete("/sources/:slug", async (c) => {
    await sources.delete(c.var.tenant, c.req.param("slug"));
    return new Response(null, { status: 204 });
  });
  return app;
}
