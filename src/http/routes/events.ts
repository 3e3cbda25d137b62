import { DEFAULT_TENANT, type EventSummary } from "../../core/types.js";
import { isJsonText } from "../../ingest/json-text.js";
import { normalizeEventType } from "../../vercel/index.js";
import { requireAdmin } from "../auth.js";
import type { AppContext } from "../context.js";
import { HttpError, sendJson, sendJsonText } from "../errors.js";
import { type AppRouter, route } from "../route.js";
import { isId, pageOf, parseCursor, parseLimit, parseText, parseTime } from "./query.js";

/** The JSON shape of an event in the API. */
export function eventJson(e: EventSummary) {
  return {
    id: e.id,
    externalId: e.externalId,
    source: e.source,
    tenant: e.tenant,
    type: e.type,
    originalType: e.originalType,
    receivedAt: new Date(e.receivedAt).toISOString(),
    unknownType: e.unknownType,
    schemaIssues: e.schemaIssues,
  };
}

/** `GET /api/v1/events` and `GET /api/v1/events/:id`. */
export function registerEventRoutes(router: AppRouter, ctx: AppContext): void {
  router.get(
    "/api/v1/events",
    route(ctx, async (req, res, _params, query) => {
      requireAdmin(req, ctx.adminToken);
      const limit = parseLimit(query.get("limit"));
      const type = parseText("type", query.get("type"));
      const items = await ctx.store.forTenant(DEFAULT_TENANT).listEvents({
        source: parseText("source", query.get("source")),
        type: type ? normalizeEventType(type).canonical : undefined,
        since: parseTime("since", query.get("since")),
        before: parseCursor(query.get("cursor"), "evt"),
        limit: limit + 1,
      });
      sendJson(res, 200, pageOf(items, limit, eventJson));
    }),
  );
  router.get(
    "/api/v1/events/:id",
    route(ctx, async (req, res, params) => {
      requireAdmin(req, ctx.adminToken);
      const id = params.id ?? "";
      const event = isId(id, "evt") ? await ctx.store.forTenant(DEFAULT_TENANT).getEvent(id) : null;
      if (!event) throw new HttpError("not_found", "no event has that id");
      // The payload is the stored text itself, spliced in: parsing it and writing it again would
      // recurse as deep as the body is nested, and a body 100k levels deep is a valid event.
      const text = Buffer.from(event.body).toString("utf8");
      const fields = JSON.stringify(eventJson(event));
      const payload = isJsonText(text) ? text : "null";
      sendJsonText(res, 200, `${fields.slice(0, -1)},"payload":${payload}}`);
    }),
  );
}
