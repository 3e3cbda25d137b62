import type { AttemptRecord, DeliveryRecord } from "../../core/delivery-types.js";
import { DEFAULT_TENANT } from "../../core/types.js";
import { requireAdmin } from "../auth.js";
import type { AppContext } from "../context.js";
import { HttpError, sendJson } from "../errors.js";
import { type AppRouter, route } from "../route.js";
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
function findDelivery(ctx: AppContext, id: string | undefined) {
  return id !== undefined && isId(id, "dlv")
    ? ctx.store.forTenant(DEFAULT_TENANT).getDelivery(id)
    : Promise.resolve(null);
}

const STATUSES = new Set(["pending", "succeeded", "failed", "skipped"]);

/** `GET /api/v1/deliveries`, `GET /api/v1/deliveries/:id`, `POST /api/v1/deliveries/:id/retry`. */
export function registerDeliveryRoutes(router: AppRouter, ctx: AppContext): void {
  router.get(
    "/api/v1/deliveries",
    route(ctx, async (req, res, _params, query) => {
      requireAdmin(req, ctx.adminToken);
      const status = query.get("status");
      if (status !== null && !STATUSES.has(status)) {
        throw new HttpError("invalid_query", "status must be pending, succeeded, failed or skipped");
      }
      const limit = parseLimit(query.get("limit"));
      const items = await ctx.store.forTenant(DEFAULT_TENANT).listDeliveries({
        status: (status ?? undefined) as DeliveryRecord["status"] | undefined,
        destination: parseText("destination", query.get("destination")),
        eventId: parseEventId("event", query.get("event")),
        before: parseCursor(query.get("cursor"), "dlv"),
        limit: limit + 1,
      });
      sendJson(res, 200, pageOf(items, limit, deliveryJson));
    }),
  );

  router.get(
    "/api/v1/deliveries/:id",
    route(ctx, async (req, res, params) => {
      requireAdmin(req, ctx.adminToken);
      const found = await findDelivery(ctx, params.id);
      if (!found) throw new HttpError("not_found", "no delivery has that id");
      sendJson(res, 200, { ...deliveryJson(found.delivery), attemptLog: found.attempts.map(attemptJson) });
    }),
  );

  router.post(
    "/api/v1/deliveries/:id/retry",
    route(ctx, async (req, res, params) => {
      requireAdmin(req, ctx.adminToken);
      const found = await findDelivery(ctx, params.id);
      if (!found) throw new HttpError("not_found", "no delivery has that id");
      const now = ctx.clock.now();
      const deadline = ctx.planner.deadlineFor(found.delivery.destination, now);
      if (!Number.isFinite(deadline))
        throw new HttpError("not_found", "that delivery's destination is no longer configured");
      const updated = await ctx.store
        .forTenant(DEFAULT_TENANT)
        .retryDelivery(found.delivery.id, now, deadline);
      ctx.worker.notify();
      sendJson(res, 202, deliveryJson(updated as DeliveryRecord));
    }),
  );
}
