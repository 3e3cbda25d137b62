import type { ClaimedDelivery } from "../core/delivery-types.js";
import { newEventId } from "../core/ids.js";
import type { IncomingEvent } from "../core/types.js";
import { INTERNAL_SOURCE } from "../core/types.js";
import type { DeliveryPlanner } from "../routing/planner.js";
import type { DeliveryOutcome } from "../storage/port.js";
import { getEventType, sampleEvent } from "../vercel/index.js";

export const DELIVERY_FAILED = "switchyard.delivery.failed";

/**
 * Switchyard's own event about a dead letter, routed like any other event from the built-in
 * `switchyard` source. A delivery of such an alert that fails raises no further alert.
 */
export function deliveryFailedAlert(
  delivery: ClaimedDelivery,
  outcome: Omit<DeliveryOutcome, "alert">,
  planner: DeliveryPlanner,
  now: number,
): IncomingEvent | null {
  if (outcome.status !== "failed" || delivery.source === INTERNAL_SOURCE) return null;
  const id = newEventId(now);
  const envelope = {
    id,
    type: DELIVERY_FAILED,
    createdAt: now,
    payload: {
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      source: delivery.source,
      destination: delivery.destination,
      attempts: delivery.attempts + (outcome.attempt ? 1 : 0),
      lastStatus: outcome.lastStatus,
      lastError: outcome.lastError,
    },
  };
  return {
    id,
    tenant: delivery.tenant,
    source: INTERNAL_SOURCE,
    externalId: null,
    type: DELIVERY_FAILED,
    originalType: DELIVERY_FAILED,
    receivedAt: now,
    unknownType: false,
    schemaIssues: [],
    body: Buffer.from(JSON.stringify(envelope)),
    deliveries: planner.plan(
      delivery.tenant,
      { type: DELIVERY_FAILED, originalType: DELIVERY_FAILED, source: INTERNAL_SOURCE, body: envelope },
      now,
    ),
  };
}

/**
 * A sample of Switchyard's own alert, as `deliveryFailedAlert` makes it, for testing a route of
 * the `switchyard` source (the route tester, `switchyard route test --type switchyard.delivery.failed`).
 */
export function sampleDeliveryFailedAlert(now: number): Record<string, unknown> {
  return {
    id: newEventId(now),
    type: DELIVERY_FAILED,
    createdAt: now,
    payload: {
      deliveryId: "dlv_01JSAMPLE000000000000000000",
      eventId: "evt_01JSAMPLE000000000000000000",
      eventType: "deployment.error",
      source: "vercel",
      destination: "ops-webhook",
      attempts: 8,
      lastStatus: 503,
      lastError: null,
    },
  };
}

/**
 * A sample event of a type: Switchyard's own alert, or a catalog type's realistic sample (a new
 * event id each time); undefined for a type neither is.
 */
export function sampleOfType(type: string, now: number): Record<string, unknown> | undefined {
  if (type === DELIVERY_FAILED) return sampleDeliveryFailedAlert(now);
  return getEventType(type) ? (sampleEvent(type, { createdAt: now }) as Record<string, unknown>) : undefined;
}
