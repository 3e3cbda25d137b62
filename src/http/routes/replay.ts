import { z } from "zod";
import { normalizeEventType } from "../../vercel/index.js";
import type { ApiDeps } from "../api-env.js";
import type { ApiRoutes } from "../api-spec.js";
import { HttpError } from "../errors.js";
import { jsonResponse } from "../json-response.js";
import { EXAMPLE_EVENT_ID, idPath, parseTimeOrAgo } from "./query.js";

/** A string matched against stored text, which cannot hold NUL. */
const text = z.string().refine((s) => !s.includes("\u0000"), "must not contain a NUL character");

const eventReplay = z.strictObject({ destinations: z.array(z.string()).min(1).optional() });

const bulkReplay = z.strictObject({
  status: z.enum(["failed", "succeeded"]).default("failed"),
  destination: text.optional(),
  type: text.optional(),
  since: z.union([z.string(), z.number()]).optional().meta({
    description:
      "Finished at or after: epoch ms, an ISO 8601 date or time with Z or an offset, or a duration before now (15m, 1h, 2d).",
  }),
  until: z.union([z.string(), z.number()]).optional().meta({ description: "Finished before: as `since`." }),
  /** Every dead letter (or success): what a body without a filter must say it means. */
  all: z.boolean().default(false),
  dryRun: z.boolean().default(false),
});

const bulkReplayAnswer = z.strictObject({
  matched: z.number().int().meta({ description: "Deliveries that match the filter." }),
  enqueued: z.number().int().meta({ description: "Deliveries put back in the queue (0 on a dry run)." }),
  dryRun: z.boolean(),
});

const FILTERS = ["destination", "type", "since", "until"] as const;

const eventPath = z.object({ id: idPath("evt", "event", EXAMPLE_EVENT_ID) });

/**
 * `POST /api/v1/events/:id/replay` (new deliveries) and `POST /api/v1/replay` (dead letters back
 * in the queue), mounted at `/api/v1`.
 */
export function replayRoutes(
  api: ApiRoutes,
  { operations, clock }: Pick<ApiDeps, "operations" | "clock">,
): void {
  api.add(
    {
      method: "post",
      path: "/events/:id/replay",
      tag: "Replay",
      summary: "Deliver an event again, as new deliveries",
      description:
        "Plans the event's deliveries again with the routes in force, to all or the named destinations.",
      params: eventPath,
      body: { schema: eventReplay, example: { destinations: ["ops-hook"] } },
      responses: {
        202: {
          description: "The new deliveries.",
          schema: z.strictObject({
            eventId: z.string(),
            deliveries: z.array(z.strictObject({ id: z.string(), destination: z.string() })),
          }),
          example: {
            eventId: EXAMPLE_EVENT_ID,
            deliveries: [{ id: "dlv_01JHQ8Y6VA1B2C3D4E5F6G7H8K", destination: "ops-hook" }],
          },
        },
      },
      errors: ["not_found"],
    },
    async (c, { params, body }) =>
      jsonResponse(202, await operations.deliveries.replay(c.var.tenant, params.id, body.destinations)),
  );

  api.add(
    {
      method: "post",
      path: "/replay",
      tag: "Replay",
      summary: "Put dead letters (or successes) back in the queue",
      description:
        'A body needs a filter (`destination`, `type`, `since`, `until`) or `"all": true`, not both; `dryRun` counts without changing anything.',
      body: { schema: bulkReplay, example: { destination: "ops-hook", since: "2026-01-31T00:00:00Z" } },
      responses: {
        200: {
          description: "A dry run: how many deliveries would go back in the queue.",
          schema: bulkReplayAnswer,
          example: { matched: 3, enqueued: 0, dryRun: true },
        },
        202: {
          description: "How many deliveries went back in the queue.",
          schema: bulkReplayAnswer,
          example: { matched: 3, enqueued: 3, dryRun: false },
        },
      },
      errors: [],
    },
    async (c, { body }) => {
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
        since: parseTimeOrAgo("since", body.since, clock.now(), "body"),
        until: parseTimeOrAgo("until", body.until, clock.now(), "body"),
        dryRun: body.dryRun,
      });
      return jsonResponse(body.dryRun ? 200 : 202, { ...result, dryRun: body.dryRun });
    },
  );
}
