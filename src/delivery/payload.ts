import type { AttemptRecord, ClaimedDelivery, TransformOutcome } from "../core/delivery-types.js";
import type { DeliveryOutcome } from "../storage/port.js";
import type { Transformer } from "../transform/apply.js";

/** What an attempt sends (the raw event, or its route's transform of it), or why it sends nothing. */
export type Payload =
  | { send: true; body: Uint8Array; contentType: string; transform: TransformOutcome | null }
  | { send: false; outcome: Omit<DeliveryOutcome, "alert"> };

const RAW = "application/json";

/**
 * The body of a delivery's next attempt. A delivery of a route with a transform is transformed at
 * send time, from the stored raw event, so a fixed route applies to a retry or a replay. A
 * transform that fails ends the delivery (it would fail again) as a dead letter that can be
 * replayed; one that returns null ends it as skipped.
 */
export function payloadFor(
  delivery: ClaimedDelivery,
  transformer: Transformer | null,
  startedAt: number,
  now: () => number,
): Payload | Promise<Payload> {
  const { tenant, route } = delivery;
  // The raw event, the common case, is answered at once: no promise, no microtask.
  if (route === null || (transformer?.knows(tenant, route) && !transformer.has(tenant, route))) {
    return { send: true, body: delivery.body, contentType: RAW, transform: null };
  }
  return transformed(delivery, route, transformer, startedAt, now);
}

/** The body of a delivery of a route that has (or had) a transform. */
async function transformed(
  delivery: ClaimedDelivery,
  route: string,
  transformer: Transformer | null,
  startedAt: number,
  now: () => number,
): Promise<Payload> {
  const { tenant } = delivery;
  const rendered = transformer?.knows(tenant, route)
    ? await transformer.render(tenant, route, delivery.body, {
        eventId: delivery.eventId,
        deliveryId: delivery.id,
        source: delivery.source,
        type: delivery.eventType,
        route,
        destination: delivery.destination,
      })
    : {
        outcome: "failed" as const,
        message: `route "${route}" is no longer configured`,
        line: null,
      };
  if (rendered.outcome === "transformed") {
    return { send: true, body: rendered.body, contentType: rendered.contentType, transform: "transformed" };
  }
  const base = { deliveryId: delivery.id, nextAttemptAt: null, lastStatus: null, destinationChange: null };
  if (rendered.outcome === "skipped") {
    return {
      send: false,
      outcome: { ...base, attempt: null, status: "skipped", lastError: null, transform: "skipped" },
    };
  }
  const message = rendered.line === null ? rendered.message : `${rendered.message} (line ${rendered.line})`;
  const attempt: AttemptRecord = {
    number: delivery.attempts + 1,
    trigger: delivery.trigger,
    startedAt,
    durationMs: Math.max(0, now() - startedAt),
    status: null,
    error: "transform_failed",
    errorMessage: message,
    responseHeaders: null,
    responseBody: null,
    responseBodyEncoding: null,
  };
  return {
    send: false,
    outcome: {
      ...base,
      attempt,
      status: "failed",
      lastError: `transform_failed: ${message}`,
      transform: "failed",
    },
  };
}
