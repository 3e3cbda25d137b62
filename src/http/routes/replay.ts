import { Hono } from "hono";
import { z } from "zod";
import { DEFAULT_TENANT } from "../../core/types.js";
import { parseBody } from "../../ingest/json-text.js";
import { normalizeEventType } from "../../vercel/index.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { readJson } from "../json-body.js";
import { jsonResponse } from "../json-response.js";
import { isId, parseTime } from "./query.js";

/** A string matched against stored text, which cannot hold NUL. */
const text = z.string().refine((s) => !s.includes("\u0000"), "must not contain a NUL character");

const eventReplay = z.strictObject({ destinations: z.array(z.string()).min(1).optional() });

const bulkReplay = z.strictObject({
  status: z.enum(["failed", "succeeded"]).default("failed"),
  destination: text.optional(),
  type: text.optional(),
  since: z.union([z.string(), z.number()]).optional(),
  until: z.union([z.string(), z.number()]).optional(),
  /** Every dead letter (or success): what a body without a filter must say it means. */
  all: z.boolean().default(false),
  dryRun: z.boolean().default(false),
});

const FILTERS = ["destination", "type", "since", "until"] as const;

/**
 * `POST /api/v1/events/:id/replay` (new deliveries) and `POST /api/v1/replay` (dead letters back
 * in the queue), mounted at `/api/v1`.
 */
export function replayRoutes(ctx: Pick<ApiDeps, "store" | "planner" | "worker" | "clock">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post("/events/:id/replay", async (c) => {
    const body = await readJson(c.req.raw, eventReplay);
    const id = c.req.param("id");
    const event = isId(id, "evt") ? await ctx.store.forTenant(DEFAULT_TENANT).getEvent(id) : null;
    if (!event) throw new HttpError("not_found", "no event has that id");
    const now = ctx.clock.now();
    let wanted: Set<string> | null = null;
    if (body.destinations) {
      const unknown = body.destinations.filter((d) => !ctx.planner.destinations.has(d));
      if (unknown.length > 0)
        throw new HttpError("invalid_request", `no destination ${unknown.map((d) => `"${d}"`).join(", ")}`);
      wanted = new Set(body.destinations);
    }
    // The routes as they are now decide, so a fixed filter or transform applies to the replay.
    // Parsed as ingest parsed it, so a body too deep for JSON.parse is routed on its shallow levels.
    const parsed = parseBody(Buffer.from(event.body).toString("utf8"))?.value ?? null;
    const planned = ctx.planner
      .plan({ type: event.type, originalType: event.originalType, source: event.source, body: parsed }, now)
      .filter((d) => wanted === null || wanted.has(d.destination));
    // A named destination no route sends this event to receives the event as it is.
    const unrouted = [...(wanted ?? [])].filter((d) => !planned.some((p) => p.destination === d));
    const targets = [
      ...planned.map((d) => ({ destination: d.destination, routes: d.routes, route: d.route ?? null })),
      ...unrouted.map((destination) => ({ destination, routes: [] as string[], route: null })),
    ];
    const deliveries = targets.map((t) =>
      ctx.planner.newDelivery(t.destination, t.routes, now, now, "replay", t.route),
    );
    await ctx.store.forTenant(event.tenant).addDeliveries(event.id, deliveries, now);
    ctx.worker.notify();
    return jsonResponse(202, {
      eventId: event.id,
      deliveries: deliveries.map((d) => ({ id: d.id, destination: d.destination })),
    });
  });

  app.post("/replay", async (c) => {
    const body = await readJson(c.req.raw, bulkReplay);
    // A body sent by mistake, empty or cut short, must not put every dead letter back in the queue.
    const filtered = FILTERS.some((f) => body[f] !== undefined);
    if (!filtered && !body.all) {
      throw new HttpError(
        "invalid_request",
        'a bulk replay needs a filter (destination, type, since or until) or "all": true',
      );
    }
    if (filtered && body.all) {
      throw new HttpError("invalid_request", 'all: give either a filter or "all": true, not both');
    }
    const now = ctx.clock.now();
    const result = await ctx.store.forTenant(DEFAULT_TENANT).requeueDeliveries(
      {
        status: body.status,
        destination: body.destination,
        type: body.type ? normalizeEventType(body.type).canonical : undefined,
        since: parseTime("since", body.since, "body"),
        until: parseTime("until", body.until, "body"),
        dryRun: body.dryRun,
      },
      now,
      (destination) => ctx.planner.deadlineFor(destination, now),
    );
    if (!body.dryRun) ctx.worker.notify();
    return jsonResponse(body.dryRun ? 200 : 202, { ...result, dryRun: body.dryRun });
  });
  return app;
}
