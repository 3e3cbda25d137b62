import { Hono } from "hono";
import { z } from "zod";
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
export function replayRoutes({ operations }: Pick<ApiDeps, "operations">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post("/events/:id/replay", async (c) => {
    const body = await readJson(c.req.raw, eventReplay);
    const id = c.req.param("id");
    if (!isId(id, "evt")) throw new HttpError("not_found", "no event has that id");
    return jsonResponse(202, await operations.deliveries.replay(c.var.tenant, id, body.destinations));
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
    const result = await operations.deliveries.bulkReplay(c.var.tenant, {
      status: body.status,
      destination: body.destination,
      type: body.type ? normalizeEventType(body.type).canonical : undefined,
      since: parseTime("since", body.since, "body"),
      until: parseTime("until", body.until, "body"),
      dryRun: body.dryRun,
    });
    return jsonResponse(body.dryRun ? 200 : 202, { ...result, dryRun: body.dryRun });
  });
  return app;
}
