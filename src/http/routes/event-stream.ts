import { Hono } from "hono";
import type { StreamStart, StreamSubscription } from "../../operations/index.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { SseStream } from "../sse-stream.js";
import { eventJson } from "./events.js";
import { isId, parseText, parseTime } from "./query.js";

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
export function eventStreamRoutes({ operations, metrics }: Pick<ApiDeps, "operations" | "metrics">) {
  const app = new Hono<ApiEnv>();
  let peak = 0;
  app.get("/events/stream", async (c) => {
    const query = (name: string) => c.req.query(name) ?? null;
    const since = parseTime("since", query("since"));
    const after = lastEventId(c.req.header("last-event-id"), c.req.query("lastEventId"));
    const start: StreamStart =
      after !== undefined
        ? { from: "event", id: after }
        : since !== undefined
          ? { from: "time", since }
          : { from: "now" };
    // An empty parameter filters nothing, as in the list.
    const filter = {
      source: parseText("source", query("source")) || undefined,
      type: parseText("type", query("type")) || undefined,
      since,
    };
    const streams = operations.eventStreams;
    const outgoing = c.env?.outgoing;
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
        if (bytes <= peak) return;
        peak = bytes;
        metrics.eventStreamBufferedPeak.set(peak);
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
      subscription = await streams.subscribe(c.var.tenant, start, filter, sse);
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
  });
  return app;
}
