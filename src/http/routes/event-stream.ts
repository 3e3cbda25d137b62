import type { Context } from "hono";
import { z } from "zod";
import type { StreamFilter, StreamStart, StreamSubscription } from "../../operations/index.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import type { ApiRoutes } from "../api-spec.js";
import { HttpError } from "../errors.js";
import { SseStream } from "../sse-stream.js";
import { EXAMPLE_EVENT, eventJson } from "./events.js";
import { EXAMPLE_EVENT_ID, isId, textQuery, timeQuery, typeQueryParam } from "./query.js";

const resumeDoc = {
  description:
    "Resume after this event (the last `id:` received); empty is none. Where both are sent, the header is read.",
  examples: [EXAMPLE_EVENT_ID],
  pattern: "^(evt_[0-7][0-9A-HJKMNP-TV-Z]{25})?$",
};

/**
 * The id a client resumes after: `Last-Event-ID`, or `lastEventId` for clients that cannot set
 * headers. Empty is none: an SSE client whose last id was reset to empty sends no header.
 */
function lastEventId(header: string | undefined, query: string | undefined): string | undefined {
  const [name, text] = header ? ["Last-Event-ID", header] : ["lastEventId", query];
  if (!text) return undefined;
  if (!isId(text, "evt")) throw new HttpError("invalid_last_event_id", `${name} must be an event id (evt_…)`);
  return text;
}

/**
 * `GET /api/v1/events/stream`, mounted at `/api/v1` before `/events/:id`: the tenant's new events
 * as Server-Sent Events (`id:` the event id, `event: event`, `data:` the list's JSON of it), from
 * now, after `Last-Event-ID`, or from `since`; filtered by `source` and `type` (a glob too).
 */
export function eventStreamRoutes(
  api: ApiRoutes,
  { operations, metrics }: Pick<ApiDeps, "operations" | "metrics">,
): void {
  const operation = {
    method: "get",
    path: "/events/stream",
    tag: "Events",
    summary: "Stream the tenant's new events (Server-Sent Events)",
    description:
      "Each event is `id: <event id>`, `event: event`, `data: <the event as the list shows it>`. Starts now, after `Last-Event-ID`, or at `since`; filtered by `source` and `type` (a glob too). A client that reads too slowly is disconnected and resumes with `Last-Event-ID`.",
    // Read before the resume point, in the order they were: the first bad one is the answer.
    query: z.object({
      since: timeQuery("since", "Start with the events received at or after this time"),
      lastEventId: z.string().optional().meta(resumeDoc),
      source: textQuery("source", "Only events that came in through this source.", "vercel"),
      type: typeQueryParam,
    }),
    headers: z.object({ "last-event-id": z.string().optional().meta(resumeDoc) }),
    responses: {
      200: {
        description: "The stream; it ends only when the client or the server goes.",
        contentType: "text/event-stream",
        schema: z.string(),
        example: `id: ${EXAMPLE_EVENT_ID}\nevent: event\ndata: ${JSON.stringify(EXAMPLE_EVENT)}\n\n`,
      },
    },
    errors: ["invalid_last_event_id"],
  } as const;
  const respond = eventStreamResponder({ operations, metrics });
  api.add(operation, async (c, { query, headers }) => {
    const since = query.since;
    const after = lastEventId(headers["last-event-id"], query.lastEventId);
    const start: StreamStart =
      after !== undefined
        ? { from: "event", id: after }
        : since !== undefined
          ? { from: "time", since }
          : { from: "now" };
    // An empty parameter filters nothing, as in the list.
    const filter = {
      source: query.source || undefined,
      type: query.type || undefined,
      since,
    };
    return respond(c, c.var.tenant, start, filter);
  });
}

const peaks = new WeakMap<object, number>();

/** Answers a request with a tenant's event stream: what the API's stream route and the console's live list serve. */
export type EventStreamResponder = (
  c: Context,
  tenant: string,
  start: StreamStart,
  filter: StreamFilter,
) => Promise<Response>;

/**
 * The answer of an event stream as Server-Sent Events (`id:` the event id, `event: event`,
 * `data:` the list's JSON of it): bounded buffers, heartbeats, and the streams' metrics.
 */
export function eventStreamResponder({
  operations,
  metrics,
}: Pick<ApiDeps, "operations" | "metrics">): EventStreamResponder {
  return async (c, tenant, start, filter) => {
    const streams = operations.eventStreams;
    // The node:http server's answer, where there is one (the console's pages share the API's env).
    const outgoing = (c.env as ApiEnv["Bindings"])?.outgoing;
    const signal = c.req.raw.signal;
    let subscription: StreamSubscription | null = null;
    const sse = new SseStream({
      maxBufferedBytes: streams.settings.maxBufferedBytes,
      retryMs: streams.settings.retryMs,
      socketBacklog: () => outgoing?.writableLength ?? 0,
      abort: () => {
        outgoing?.destroy();
        return outgoing !== undefined;
      },
      message: (e) => `id: ${e.id}\nevent: event\ndata: ${JSON.stringify(eventJson(e))}\n\n`,
      onHeld: (bytes) => {
        // One peak for every stream of the process, the API's and the console's.
        if (bytes <= (peaks.get(metrics) ?? 0)) return;
        peaks.set(metrics, bytes);
        metrics.eventStreamBufferedPeak.set(bytes);
      },
      onEnd: (why) => {
        signal.removeEventListener("abort", gone);
        subscription?.close();
        metrics.eventStreams.dec();
        if (why === "overflow") metrics.eventStreamsDropped.inc();
      },
    });
    const gone = () => sse.cancel();
    signal.addEventListener("abort", gone);
    metrics.eventStreams.inc();
    try {
      subscription = await streams.subscribe(tenant, start, filter, sse);
    } catch (error) {
      // Refused (an unknown Last-Event-ID): nothing was streamed, nothing is left behind.
      sse.cancel();
      throw error;
    }
    // The client may have gone while the stream was being opened.
    if (sse.isEnded) subscription.close();
    return new Response(sse.body, {
      status: 200,
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        // A stream ends only when one side goes: the connection goes with it, not back to idle.
        connection: "close",
        // Proxies that buffer answers (nginx) would hold events back.
        "x-accel-buffering": "no",
      },
    });
  };
}
