import { z } from "zod";
import type { AttemptRecord, DeliveryRecord } from "../../core/delivery-types.js";
import type { ApiDeps } from "../api-env.js";
import type { ApiRoutes } from "../api-spec.js";
import { HttpError } from "../errors.js";
import { jsonResponse } from "../json-response.js";
import { iso as isoText } from "./item-json.js";
import {
  cursorQuery,
  EXAMPLE_DELIVERY_ID,
  EXAMPLE_EVENT_ID,
  idPath,
  limitQuery,
  pageOf,
  pageSchema,
  parseEventId,
  queryParam,
  textQuery,
} from "./query.js";

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
    nextAttemptAt: isoText(d.nextAttemptAt),
    nextTrigger: d.status === "pending" ? d.nextTrigger : null,
    deadlineAt: isoText(d.deadlineAt),
    createdAt: isoText(d.createdAt),
    updatedAt: isoText(d.updatedAt),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
  };
}

function attemptJson(a: AttemptRecord) {
  return {
    number: a.number,
    trigger: a.trigger,
    startedAt: isoText(a.startedAt),
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

const STATUSES = ["pending", "succeeded", "failed", "skipped"] as const;

const iso = z.string().nullable().meta({ format: "date-time" });

/** What `deliveryJson` writes, as the document shows it. */
const deliverySchema = z.strictObject({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  destination: z.string(),
  routes: z.array(z.string()).meta({ description: "Every route that sends the event here." }),
  route: z.string().nullable().meta({ description: "The route whose transform made the payload." }),
  transform: z.string().nullable(),
  status: z.enum(STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: iso,
  nextTrigger: z.string().nullable(),
  deadlineAt: iso,
  createdAt: iso,
  updatedAt: iso,
  lastStatus: z.number().int().nullable().meta({ description: "The last attempt's HTTP status." }),
  lastError: z.string().nullable(),
});

const attemptSchema = z.strictObject({
  number: z.number().int(),
  trigger: z.string(),
  startedAt: iso,
  durationMs: z.number().nullable(),
  status: z.number().int().nullable(),
  error: z.string().nullable(),
  errorMessage: z.string().nullable(),
  response: z
    .strictObject({
      // Null where the outcome could not be stored in full (the attempt's error message says so).
      headers: z.record(z.string(), z.string()).nullable(),
      body: z.string().nullable(),
      bodyEncoding: z.enum(["utf8", "base64"]).nullable(),
    })
    .nullable()
    .meta({ description: "The answer (truncated); `base64` when its bytes are not UTF-8 text." }),
});

const EXAMPLE_DELIVERY = {
  id: EXAMPLE_DELIVERY_ID,
  eventId: EXAMPLE_EVENT_ID,
  eventType: "deployment.succeeded",
  destination: "ops-hook",
  routes: ["deploys"],
  route: "deploys",
  transform: null,
  status: "succeeded",
  attempts: 1,
  nextAttemptAt: null,
  nextTrigger: null,
  deadlineAt: "2026-02-01T12:00:00.000Z",
  createdAt: "2026-01-31T12:00:00.000Z",
  updatedAt: "2026-01-31T12:00:00.250Z",
  lastStatus: 200,
  lastError: null,
};

const deliveryPath = z.object({ id: idPath("dlv", "delivery", EXAMPLE_DELIVERY_ID) });

/** `GET /api/v1/deliveries`, `GET /api/v1/deliveries/:id`, `POST /api/v1/deliveries/:id/retry`, mounted at `/api/v1`. */
export function deliveryRoutes(api: ApiRoutes, { operations }: Pick<ApiDeps, "operations">): void {
  api.add(
    {
      method: "get",
      path: "/deliveries",
      tag: "Deliveries",
      summary: "List the tenant's deliveries, newest first",
      query: z.object({
        status: queryParam(
          { description: "Only deliveries in this state.", enum: STATUSES, examples: ["failed"] },
          (t) => {
            if (t !== null && !(STATUSES as readonly string[]).includes(t)) {
              throw new HttpError("invalid_query", "status must be pending, succeeded, failed or skipped");
            }
            return (t ?? undefined) as DeliveryRecord["status"] | undefined;
          },
        ),
        limit: limitQuery,
        destination: textQuery("destination", "Only deliveries to this destination.", "ops-hook"),
        event: queryParam(
          { description: "Only the deliveries of this event.", examples: [EXAMPLE_EVENT_ID] },
          (t) => parseEventId("event", t),
        ),
        cursor: cursorQuery("dlv"),
      }),
      responses: {
        200: {
          description: "A page of deliveries.",
          schema: pageSchema(deliverySchema),
          example: { data: [EXAMPLE_DELIVERY], nextCursor: null },
        },
      },
      errors: [],
    },
    async (c, { query }) => {
      const items = await operations.deliveries.listDeliveries(c.var.tenant, {
        status: query.status,
        destination: query.destination,
        eventId: query.event,
        before: query.cursor,
        limit: query.limit + 1,
      });
      return jsonResponse(200, pageOf(items, query.limit, deliveryJson));
    },
  );
  api.add(
    {
      method: "get",
      path: "/deliveries/:id",
      tag: "Deliveries",
      summary: "One delivery, with its attempts",
      params: deliveryPath,
      responses: {
        200: {
          description: "The delivery and the log of its attempts.",
          schema: deliverySchema.extend({ attemptLog: z.array(attemptSchema) }),
          example: {
            ...EXAMPLE_DELIVERY,
            attemptLog: [
              {
                number: 1,
                trigger: "initial",
                startedAt: "2026-01-31T12:00:00.100Z",
                durationMs: 150,
                status: 200,
                error: null,
                errorMessage: null,
                response: { headers: { "content-type": "text/plain" }, body: "ok", bodyEncoding: "utf8" },
              },
            ],
          },
        },
      },
      errors: ["not_found"],
    },
    async (c, { params }) => {
      const found = await operations.deliveries.getDelivery(c.var.tenant, params.id);
      return jsonResponse(200, {
        ...deliveryJson(found.delivery),
        attemptLog: found.attempts.map(attemptJson),
      });
    },
  );
  api.add(
    {
      method: "post",
      path: "/deliveries/:id/retry",
      tag: "Deliveries",
      summary: "Send a delivery again now",
      params: deliveryPath,
      responses: {
        202: {
          description: "The delivery, due now.",
          schema: deliverySchema,
          example: { ...EXAMPLE_DELIVERY, status: "pending", nextAttemptAt: "2026-01-31T12:05:00.000Z" },
        },
      },
      errors: ["not_found"],
    },
    async (c, { params }) =>
      jsonResponse(202, deliveryJson(await operations.deliveries.retry(c.var.tenant, params.id))),
  );
}
