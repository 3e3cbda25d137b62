import { z } from "zod";
import type { EventSummary } from "../../core/types.js";
import { isJsonText } from "../../ingest/json-text.js";
import type { ApiDeps } from "../api-env.js";
import type { ApiRoutes } from "../api-spec.js";
import { HttpError } from "../errors.js";
import { jsonResponse, jsonTextResponse } from "../json-response.js";
import {
  cursorQuery,
  EXAMPLE_EVENT_ID,
  idPath,
  limitQuery,
  pageSchema,
  searchQuery,
  sinceQuery,
  textQuery,
  timeQuery,
  typeQueryParam,
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

/** A page of the list, and how far back a search looked when it stopped at its bound. */
const eventPageSchema = pageSchema(eventSchema).extend({
  searchedBackTo: z.string().nullable().optional().meta({
    format: "date-time",
    description:
      "Only with `q`: the search stopped at its bound, having examined the events received back to this time, and `nextCursor` searches older ones; null when it examined every event the filters let through.",
  }),
});

const eventDetail = eventSchema.extend({
  payload: z
    .unknown()
    .meta({ description: "The event's body as it was received; null when it is not JSON." }),
});

/** `GET /api/v1/events` and `GET /api/v1/events/:id`, mounted at `/api/v1`. */
export function eventRoutes(
  api: ApiRoutes,
  { operations, clock }: Pick<ApiDeps, "operations" | "clock">,
): void {
  api.add(
    {
      method: "get",
      path: "/events",
      tag: "Events",
      summary: "List the tenant's events, newest first",
      description:
        "Filtered by source, type (a glob too), time and id. With `q`, a search of the raw bodies that examines at most 20,000 events (newest first, within the other filters) per request: when it stops before the end, `searchedBackTo` says how far back it looked and `nextCursor` continues from there, even on a page with no match.",
      // In the order they were read before: the first bad one is the answer.
      query: z.object({
        limit: limitQuery,
        type: typeQueryParam,
        source: textQuery("source", "Only events that came in through this source.", "vercel"),
        since: sinceQuery,
        until: timeQuery("until", "Only events received before this time"),
        id: textQuery(
          "id",
          "Only the event with this id (`evt_…`), or with this id of the sender's (Vercel's event `id`).",
          EXAMPLE_EVENT_ID,
        ),
        q: searchQuery,
        cursor: cursorQuery("evt"),
      }),
      responses: {
        200: {
          description: "A page of events.",
          schema: eventPageSchema,
          example: { data: [EXAMPLE_EVENT], nextCursor: null },
        },
      },
      errors: [],
    },
    async (c, { query }) => {
      const since = typeof query.since === "object" ? clock.now() - query.since.ago : query.since;
      if (since !== undefined && query.until !== undefined && since > query.until)
        throw new HttpError("invalid_query", "since must not be after until");
      const page = await operations.deliveries.listEventPage(c.var.tenant, {
        source: query.source,
        type: query.type,
        since,
        until: query.until,
        id: query.id,
        text: query.q,
        before: query.cursor,
        limit: query.limit,
      });
      const searchedBackTo =
        page.searchedBackTo === null ? null : new Date(page.searchedBackTo).toISOString();
      return jsonResponse(200, {
        data: page.events.map(eventJson),
        nextCursor: page.next === null ? null : Buffer.from(page.next).toString("base64url"),
        ...(query.q ? { searchedBackTo } : {}),
      });
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
  api.add(
    {
      method: "get",
      path: "/events/:id/raw",
      tag: "Events",
      summary: "One event's body, the bytes as received",
      description:
        "The stored body byte for byte, as the sender sent it and signed it: what `switchyard listen` forwards and signs again.",
      params: z.object({ id: idPath("evt", "event", EXAMPLE_EVENT_ID) }),
      responses: {
        200: {
          description: "The body as received.",
          contentType: "application/octet-stream",
          schema: z.string().meta({ format: "binary" }),
          example: '{"id":"Ab1cD2eF3gH4","type":"deployment.succeeded","payload":{}}',
        },
      },
      errors: ["not_found"],
    },
    async (c, { params }) => {
      const event = await operations.deliveries.getEvent(c.var.tenant, params.id);
      return new Response(event.body, {
        status: 200,
        headers: {
          "content-type": "application/octet-stream",
          "content-length": String(event.body.byteLength),
        },
      });
    },
  );
}
