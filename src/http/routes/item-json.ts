import { Hono } from "hono";
import type { ItemView, TopologyItems } from "../../operations/topology-items.js";
import type { TopologyKind } from "../../storage/port.js";
import type { ApiEnv } from "../api-env.js";
import { readJsonValue } from "../json-body.js";
import { jsonResponse } from "../json-response.js";

/** A time of the store (epoch ms) as the API shows it: ISO 8601, or null. */
export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** When an item was created and last changed through the API (null for the config file's). */
export function itemTimes(item: { createdAt: number | null; updatedAt: number | null }) {
  return { createdAt: iso(item.createdAt), updatedAt: iso(item.updatedAt) };
}

/**
 * The answer to a create or update that set secrets: the item, and its secrets in clear under
 * `secrets`, this once. They are kept sealed and never shown again.
 */
export function withSecrets<T extends object>(json: T, secrets: readonly string[] | undefined): T {
  return secrets ? { ...json, secrets: [...secrets] } : json;
}

/**
 * `GET|POST /<path>` and `GET|PATCH|DELETE /<path>/:slug` for one kind of a tenant's run-time
 * items, each rendered by `toJson`; an answer that set secrets shows them this once.
 */
export function itemRoutes<K extends TopologyKind>(
  path: string,
  items: TopologyItems<K>,
  toJson: (item: ItemView<K>) => object,
): Hono<ApiEnv> {
  const shown = (item: ItemView<K>) => withSecrets(toJson(item), item.revealedSecrets);
  const app = new Hono<ApiEnv>();
  app.get(`/${path}`, async (c) => jsonResponse(200, { data: (await items.list(c.var.tenant)).map(toJson) }));
  app.post(`/${path}`, async (c) =>
    jsonResponse(201, shown(await items.create(c.var.tenant, await readJsonValue(c.req.raw)))),
  );
  app.get(`/${path}/:slug`, async (c) =>
    jsonResponse(200, toJson(await items.get(c.var.tenant, c.req.param("slug")))),
  );
  app.patch(`/${path}/:slug`, async (c) =>
    jsonResponse(
      200,
      shown(await items.update(c.var.tenant, c.req.param("slug"), await readJsonValue(c.req.raw))),
    ),
  );
  app.delete(`/${path}/:slug`, async (c) => {
    await items.delete(c.var.tenant, c.req.param("slug"));
    return new Response(null, { status: 204 });
  });
  return app;
}
