import { Hono } from "hono";
import type { AttemptRecord, DeliveryRecord } from "../../core/delivery-types.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { jsonResponse } from "../json-response.js";
import { iso } from "./item-json.js";
import { isId, pageOf, parseCursor, parseEventId, parseLimit, parseText } from "./query.js";

/** The JSON shape of a delivery. */
export function deliveryJson(d: DeliveryRecord) {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    destination: d.destination,
    routes: d.routes,
    route: d.route,
    transform: d.transform,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: iso(d.nextAttemptAt),
    nextTrigger: d.status === "pending" ? d.nextTrigger : null,
    deadlineAt: iso(d.deadlineAt),
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
  };
}

function attemptJson(a: AttemptRecord) {
  return {
    number: a.number,
    trigger: a.trigger,
    startedAt: iso(a.startedAt),
    durationMs: a.durationMs,
    status: a.status,
    error: a.error,
    errorMessage: a.errorMessage,
    // bodyEncoding: `utf8`, the body as sent; `base64`, its bytes (not UTF-8 text, or holding NUL).
    response:
      a.status === null
        ? null
        : { headers: a.responseHeaders, body: a.responseBody, bodyEncoding: a.responseBodyEncoding },
  };
}

/** A delivery id from a path; anything that is not one is no delivery. */
function deliveryId(id: string): string {
  if (!isId(id, "dlv")) throw new HttpError("not_found", "no delivery has that id");
  return id;
}

const STATUSES = new Set(["pending", "succeeded", "failed", "skipped"]);

/** `GET /api/v1/deliveries`, `GET /api/v1/deliveries/:id`, `POST /api/v1/deliveries/:id/retry`, mounted at `/api/v1`. */
export function deliveryRoutes({ operations }: Pick<ApiDeps, "operations">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get("/deliveries", async (c) => {
    const query = (name: string) => c.req.query(name) ?? null;
    const status = query("status");
    if (status !== null && !STATUSES.has(status)) {
      throw new HttpError("invalid_query", "status must be pending, succeeded, failed or skipped");
    }
    const limit = parseLimit(query("limit"));
    const items = await operations.deliveries.listDeliveries(c.var.tenant, {
      status: (status ?? undefined) as DeliveryRecord["status"] | undefined,
      destination: parseText("destination", query("destination")),
      eventId: parseEventId("event", query("event")),
      before: parseCursor(query("cursor"), "dlv"),
      limit: limit + 1,
    });
    return jsonResponse(200, pageOf(items, limit, deliveryJson));
  });

  app.get("/deliveries/:id", async (c) => {
    const found = await operations.deliveries.getDelivery(c.var.tenant, deliveryId(c.req.param("id")));
    return jsonResponse(200, {
      ...deliveryJson(found.delivery),
      attemptLog: found.attempts.map(attemptJson),
    });
  });

  app.post("/deliveries/:id/retry", async (c) => {
    const updated = await operations.deliveries.retry(c.var.tenant, deliveryId(c.req.param("id")));
    return jsonResponse(202, deliveryJson(updated));
  });
  return app;
}
