import { Hono } from "hono";
import type { AttemptRecord, DeliveryRecord } from "../../core/delivery-types.js";
import { DEFAULT_TENANT } from "../../core/types.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { jsonResponse } from "../json-response.js";
import { isId, pageOf, parseCursor, parseEventId, parseLimit, parseText } from "./query.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

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

/** A delivery by the id in a path; anything that is not a delivery id is no delivery. */
function findDelivery(store: ApiDeps["store"], id: string) {
  return isId(id, "dlv") ? store.forTenant(DEFAULT_TENANT).getDelivery(id) : Promise.resolve(null);
}

const STATUSES = new Set(["pending", "succeeded", "failed", "skipped"]);

/** `GET /api/v1/deliveries`, `GET /api/v1/deliveries/:id`, `POST /api/v1/deliveries/:id/retry`, mounted at `/api/v1`. */
export function deliveryRoutes({
  store,
  planner,
  worker,
  clock,
}: Pick<ApiDeps, "store" | "planner" | "worker" | "clock">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get("/deliveries", async (c) => {
    const query = (name: string) => c.req.query(name) ?? null;
    const status = query("status");
    if (status !== null && !STATUSES.has(status)) {
      throw new HttpError("invalid_query", "status must be pending, succeeded, failed or skipped");
    }
    const limit = parseLimit(query("limit"));
    const items = await store.forTenant(DEFAULT_TENANT).listDeliveries({
      status: (status ?? undefined) as DeliveryRecord["status"] | undefined,
      destination: parseText("destination", query("destination")),
      eventId: parseEventId("event", query("event")),
      before: parseCursor(query("cursor"), "dlv"),
      limit: limit + 1,
    });
    return jsonResponse(200, pageOf(items, limit, deliveryJson));
  });

  app.get("/deliveries/:id", async (c) => {
    const found = await findDelivery(store, c.req.param("id"));
    if (!found) throw new HttpError("not_found", "no delivery has that id");
    return jsonResponse(200, {
      ...deliveryJson(found.delivery),
      attemptLog: found.attempts.map(attemptJson),
    });
  });

  app.post("/deliveries/:id/retry", async (c) => {
    const found = await findDelivery(store, c.req.param("id"));
    if (!found) throw new HttpError("not_found", "no delivery has that id");
    const now = clock.now();
    const deadline = planner.deadlineFor(found.delivery.destination, now);
    if (!Number.isFinite(deadline))
      throw new HttpError("not_found", "that delivery's destination is no longer configured");
    const updated = await store.forTenant(DEFAULT_TENANT).retryDelivery(found.delivery.id, now, deadline);
    worker.notify();
    return jsonResponse(202, deliveryJson(updated as DeliveryRecord));
  });
  return app;
}
