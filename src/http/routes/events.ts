import { Hono } from "hono";
import type { EventSummary } from "../../core/types.js";
import { isJsonText } from "../../ingest/json-text.js";
import { normalizeEventType } from "../../vercel/index.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { jsonResponse, jsonTextResponse } from "../json-response.js";
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

/** `GET /api/v1/events` and `GET /api/v1/events/:id`, mounted at `/api/v1`. */
export function eventRoutes({ operations }: Pick<ApiDeps, "operations">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get("/events", async (c) => {
    const query = (name: string) => c.req.query(name) ?? null;
    const limit = parseLimit(query("limit"));
    const type = parseText("type", query("type"));
    const items = await operations.deliveries.listEvents(c.var.tenant, {
      source: parseText("source", query("source")),
      type: type ? normalizeEventType(type).canonical : undefined,
      since: parseTime("since", query("since")),
      before: parseCursor(query("cursor"), "evt"),
      limit: limit + 1,
    });
    return jsonResponse(200, pageOf(items, limit, eventJson));
  });
  app.get("/events/:id", async (c) => {
    const id = c.req.param("id");
    if (!isId(id, "evt")) throw new HttpError("not_found", "no event has that id");
    const event = await operations.deliveries.getEvent(c.var.tenant, id);
    // The payload is the stored text itself, spliced in: parsing it and writing it again would
    // recurse as deep as the body is nested, and a body 100k levels deep is a valid event.
    const text = Buffer.from(event.body).toString("utf8");
    const fields = JSON.stringify(eventJson(event));
    const payload = isJsonText(text) ? text : "null";
    return jsonTextResponse(200, `${fields.slice(0, -1)},"payload":${payload}}`);
  });
  return app;
}
