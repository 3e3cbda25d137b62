import type { IncomingMessage, ServerResponse } from "node:http";
import type { IngestOutcome, SharedSource } from "../../ingest/ingest.js";
import type { BodyRead } from "../../ingest/read-body.js";
import { readBody } from "../../ingest/read-body.js";
import type { UnverifiedBytes } from "../../ingest/unverified-bytes.js";
import type { AppContext } from "../context.js";
import { HttpError, sendError, sendJson } from "../errors.js";

type Refusal = Exclude<IngestOutcome, { kind: "accepted" | "aborted" }>;

/** The one place where refused ingest outcomes become HTTP errors (and so statuses). */
function refusal(outcome: Refusal): HttpError {
  switch (outcome.kind) {
    case "unknown_source":
      return new HttpError("unknown_source", "no source has that slug");
    case "too_large":
      // The rest of the body is never read: close the connection rather than drain it.
      return new HttpError("payload_too_large", `the body exceeds ${outcome.maxBytes} bytes`, {
        connection: "close",
      });
    case "invalid_signature":
      // A body refused unread is not drained: the connection closes instead.
      return new HttpError(
        "invalid_signature",
        "the signature is missing or does not match",
        outcome.bodyUnread ? { connection: "close" } : {},
      );
    case "invalid_json":
      return new HttpError("invalid_json", "the body is not valid JSON");
    case "invalid_event":
      return new HttpError("invalid_event", outcome.message);
    case "unavailable":
      return new HttpError("unavailable", "the event could not be stored; retry later", {
        "retry-after": "5",
      });
    case "overloaded":
      // Like too_large, the rest of the body is never read.
      return new HttpError("overloaded", "too many unverified request bytes are held; retry later", {
        "retry-after": "5",
        connection: "close",
      });
  }
}

function answer(res: ServerResponse, outcome: IngestOutcome): void {
  if (outcome.kind === "accepted") {
    sendJson(res, 200, { ok: true, eventId: outcome.eventId, duplicate: outcome.duplicate });
  } else if (outcome.kind === "aborted") {
    res.destroy();
  } else {
    sendError(res, refusal(outcome));
  }
}

/** Answers a request to the raw ingest path: gets the source's slug, already decoded from the path. */
export type IngestHandler = (req: IncomingMessage, res: ServerResponse, slug: string) => void;

/** One ingest request run through the ingestor, for a source named `slug`. */
type Run = (
  slug: string,
  headers: IncomingMessage["headers"],
  read: (maxBytes: number) => Promise<BodyRead>,
  verified: () => void,
) => Promise<IngestOutcome>;

/**
 * `POST /ingest/:source`, on node:http itself (the hot path: no framework between the socket and
 * the verifier); bodies count against `unverified` until their signature is checked.
 */
export function ingestHandler(ctx: AppContext, unverified: UnverifiedBytes): IngestHandler {
  return rawIngest(ctx, unverified, (slug, headers, read, verified) =>
    ctx.ingestor.ingest(slug, headers, read, verified),
  );
}

/** `POST /integrations/vercel/webhook`: the same path as ingest, for the integration's shared source. */
export function sharedIngestHandler(
  ctx: AppContext,
  unverified: UnverifiedBytes,
  shared: SharedSource,
): (req: IncomingMessage, res: ServerResponse) => void {
  const handler = rawIngest(ctx, unverified, (_slug, headers, read, verified) =>
    ctx.ingestor.ingestShared(shared, headers, read, verified),
  );
  return (req, res) => handler(req, res, shared.entry.config.slug);
}

function rawIngest(ctx: AppContext, unverified: UnverifiedBytes, run: Run): IngestHandler {
  const handle = async (req: IncomingMessage, res: ServerResponse, slug: string) => {
    if (req.method !== "POST") {
      throw new HttpError("method_not_allowed", "ingest accepts POST only", { allow: "POST" });
    }
    const started = performance.now();
    const hold = unverified.hold(req.socket.remoteAddress);
    let outcome: IngestOutcome;
    try {
      outcome = await run(
        slug,
        req.headers,
        (max) => readBody(req, max, hold),
        () => hold.release(),
      );
    } finally {
      hold.release();
    }
    // Unknown slugs share one label so a scanner cannot grow the series without bound.
    const source = outcome.kind === "unknown_source" ? "(unknown)" : slug;
    const label = outcome.kind === "accepted" && outcome.duplicate ? "duplicate" : outcome.kind;
    ctx.metrics.ingestRequests.inc({ source, outcome: label });
    ctx.metrics.ingestDuration.observe({ source }, (performance.now() - started) / 1000);
    if (outcome.kind === "accepted" && outcome.duplicate) {
      // A sender's repeat of an event already stored: nothing new was stored or planned.
      ctx.logger.debug(
        { source: slug, eventId: outcome.eventId, type: outcome.event.type },
        "duplicate event (already stored)",
      );
    } else if (outcome.kind === "accepted") {
      ctx.logger.debug({ source: slug, eventId: outcome.eventId, type: outcome.event.type }, "event stored");
      if (outcome.event.unknownType || outcome.event.schemaIssues.length > 0) {
        ctx.logger.info(
          {
            source: slug,
            eventId: outcome.eventId,
            type: outcome.event.originalType,
            issues: outcome.event.schemaIssues.length,
          },
          outcome.event.unknownType ? "event of unknown type stored" : "event with schema issues stored",
        );
      }
    } else if (outcome.kind !== "aborted") {
      ctx.logger.info({ source: slug, outcome: outcome.kind }, "event refused");
    }
    answer(res, outcome);
  };
  // Whatever is thrown becomes one JSON answer, and nothing crashes the process.
  return (req, res, slug) => {
    handle(req, res, slug).catch((error: unknown) => {
      if (!(error instanceof HttpError)) ctx.logger.error({ err: error, url: req.url }, "request failed");
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, error instanceof HttpError ? error : new HttpError("internal", "internal error"));
    });
  };
}
