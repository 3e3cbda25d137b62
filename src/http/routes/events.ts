import { z } from "zod";
import type { EventSummary } from "../../core/types.js";
import { isJsonText } from "../../ingest/json-text.js";
import { normalizeEventType } from "../../vercel/index.js";
import type { ApiDeps } from "../api-env.js";
import type { ApiRoutes } from "../api-spec.js";
import { jsonResponse, jsonTextResponse } from "../json-response.js";
import {
  cursorQuery,
  EXAMPLE_EVENT_ID,
  idPath,
  limitQuery,
  pageOf,
  pageSchema,
  textQuery,
  timeQuery,
} from "./query.js";

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

/** What `eventJson` writes, as the document shows it. */
export const eventSchema = z.strictObject({
  id: z.string().meta({ description: "Switchyard's id of the event." }),
  externalId: z.string().nullable().meta({
    description: "The sender's id of the event (Vercel's `id`); null for Switchyard's own (alerts).",
  }),
  source: z.string(),
  tenant: z.string(),
  type: z.string().meta({ description: "The event's type, as the catalog names it." }),
  originalType: z.string().meta({ description: "The type as the sender wrote it." }),
  receivedAt: z.string().meta({ format: "date-time" }),
  unknownType: z.boolean().meta({ description: "The catalog does not know this type." }),
  schemaIssues: z
    .array(z.string())
    .meta({ description: "Where the payload differs from the catalog's schema." }),
});

export const EXAMPLE_EVENT = {
  id: EXAMPLE_EVENT_ID,
  externalId: "Ab1cD2eF3gH4",
  source: "vercel",
  tenant: "default",
  type: "deployment.succeeded",
  originalType: "deployment.succeeded",
  receivedAt: "2026-01-31T12:00:00.000Z",
  unknownType: false,
  schemaIssues: [],
};

const eventDetail = eventSchema.extend({
  payload: z
    .unknown()
    .meta({ description: "The event's body as it was received; null when it is not JSON." }),
});

/** `GET /api/v1/events` and `GET /api/v1/events/:id`, mounted at `/api/v1`. */
export function eventRoutes(api: ApiRoutes, { operations }: Pick<ApiDeps, "operations">): void {
  api.add(
    {
      method: "get",
      path: "/events",
      tag: "Events",
      summary: "List the tenant's events, newest first",
      // In the order they were read before: the first bad one is the answer.
      query: z.object({
        limit: limitQuery,
        type: textQuery(
          "type",
          "Only events of this type (a Vercel type is normalized).",
          "deployment.succeeded",
        ),
        source: textQuery("source", "Only events that came in through this source.", "vercel"),
        since: timeQuery("since", "Only events received at or after this time"),
        cursor: cursorQuery("evt"),
      }),
      responses: {
        200: {
          description: "A page of events.",
          schema: pageSchema(eventSchema),
          example: { data: [EXAMPLE_EVENT], nextCursor: null },
        },
      },
      errors: [],
    },
    async (c, { query }) => {
      const items = await operations.deliveries.listEvents(c.var.tenant, {
        source: query.source,
        type: query.type ? normalizeEventType(query.type).canonical : undefined,
        since: query.since,
        before: query.cursor,
        limit: query.limit + 1,
      });
      return jsonResponse(200, pageOf(items, query.limit, eventJson));
    },
  );
  api.add(
    {
      method: "get",
      path: "/events/:id",
      tag: "Events",
      summary: "One event, with its payload",
      params: z.object({ id: idPath("evt", "event", EXAMPLE_EVENT_ID) }),
      responses: {
        200: {
          description: "The event and its payload as received.",
          schema: eventDetail,
          example: { ...EXAMPLE_EVENT, payload: { id: "Ab1cD2eF3gH4", type: "deployment.succeeded" } },
        },
      },
      errors: ["not_found"],
    },
    async (c, { params }) => {
      const event = await operations.deliveries.getEvent(c.var.tenant, params.id);
      // The payload is the stored text itself, spliced in: parsing it and writing it again would
      // recurse as deep as the body is nested, and a body 100k levels deep is a valid event.
      const text = Buffer.from(event.body).toString("utf8");
      const fields = JSON.stringify(eventJson(event));
      const payload = isJsonText(text) ? text : "null";
      return jsonTextResponse(200, `${fields.slice(0, -1)},"payload":${payload}}`);
    },
  );
}
