import { type CircuitPolicy, DEFAULT_CIRCUIT_POLICY } from "../core/circuit-breaker.js";
import type { Clock } from "../core/clock.js";
import type { ClaimedDelivery } from "../core/delivery-types.js";
import type { Destination } from "../core/destination.js";
import type { DeliveryPlanner } from "../routing/planner.js";
import type { DeliveryOutcome } from "../storage/port.js";
import type { Transformer } from "../transform/apply.js";
import { deliveryFailedAlert } from "./alerts.js";
import { decide, expired } from "./decide.js";
import type { DeliveryClient } from "./http-client.js";
import { payloadFor } from "./payload.js";
import { attemptHeaders } from "./request.js";

/** What every attempt of a worker shares. */
export interface AttemptSettings {
  client: DeliveryClient;
  clock: Clock;
  /** Plans the deliveries of a dead letter's alert. */
  planner: DeliveryPlanner;
  userAgent: string;
  allowPrivateNetworks: boolean;
  /** The routes' transforms; null: a delivery of a route with a transform fails. */
  transforms: Transformer | null;
  random?: (() => number) | undefined;
  circuit?: CircuitPolicy | undefined;
}

/**
 * One attempt of a claimed delivery: transform → payload → send → decide, and the outcome to
 * record, with its alert when the delivery became a dead letter. A delivery past its deadline
 * expires unsent.
 */
export async function attempt(
  delivery: ClaimedDelivery,
  destination: Destination,
  s: AttemptSettings,
): Promise<DeliveryOutcome> {
  const startedAt = s.clock.now();
  let result: Omit<DeliveryOutcome, "alert">;
  const pending =
    startedAt > delivery.deadlineAt
      ? null
      : payloadFor(delivery, s.transforms, startedAt, () => s.clock.now());
  const payload = pending instanceof Promise ? await pending : pending;
  if (payload === null) {
    result = expired(delivery);
  } else if (!payload.send) {
    result = payload.outcome;
  } else {
    const sent = await s.client.send({
      url: destination.url,
      headers: attemptHeaders(delivery, destination, delivery.attempts + 1, startedAt, s.userAgent, payload),
      body: payload.body,
      timeoutMs: destination.timeout,
      allowPrivateNetwork: destination.allowPrivateNetwork ?? s.allowPrivateNetworks,
    });
    result = decide({
      delivery,
      destination,
      result: sent,
      startedAt,
      now: s.clock.now(),
      random: s.random ?? Math.random,
      circuit: s.circuit ?? DEFAULT_CIRCUIT_POLICY,
    });
    if (payload.transform) result.transform = payload.transform;
  }
  return { ...result, alert: deliveryFailedAlert(delivery, result, s.planner, s.clock.now()) };
}
