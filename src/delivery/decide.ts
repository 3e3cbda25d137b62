import type { CircuitPolicy } from "../core/circuit-breaker.js";
import type { AttemptRecord, ClaimedDelivery } from "../core/delivery-types.js";
import type { Destination } from "../core/destination.js";
import { nextAttemptAt, parseRetryAfter } from "../core/retry-schedule.js";
import type { DeliveryOutcome } from "../storage/port.js";
import type { AttemptResult } from "./http-client.js";

/** What one finished attempt means for its delivery and its destination. Pure. */
export function decide(input: {
  delivery: ClaimedDelivery;
  destination: Pick<Destination, "slug" | "retry">;
  result: AttemptResult;
  startedAt: number;
  now: number;
  random: () => number;
  circuit: CircuitPolicy;
}): Omit<DeliveryOutcome, "alert"> {
  const { delivery, destination, result, now } = input;
  const number = delivery.attempts + 1;
  const response = result.kind === "response" ? result : null;
  const attempt: AttemptRecord = {
    number,
    trigger: delivery.trigger,
    startedAt: input.startedAt,
    durationMs: result.durationMs,
    status: response?.status ?? null,
    error: result.kind === "error" ? result.error : null,
    errorMessage: result.kind === "error" ? result.message : null,
    responseHeaders: response?.headers ?? null,
    responseBody: response?.body ?? null,
    responseBodyEncoding: response?.bodyEncoding ?? null,
  };

  if (response && response.status >= 200 && response.status < 300) {
    return {
      deliveryId: delivery.id,
      attempt,
      status: "succeeded",
      nextAttemptAt: null,
      lastStatus: response.status,
      lastError: null,
      destinationChange: {
        tenant: delivery.tenant,
        destination: destination.slug,
        ok: true,
        at: now,
        disable: null,
        circuit: input.circuit,
      },
    };
  }

  const gone = response?.status === 410;
  const throttled = response !== null && (response.status === 429 || response.status === 503);
  const next = nextAttemptAt(destination.retry, {
    attemptsMade: number - delivery.scheduleBase,
    eventReceivedAt: delivery.deadlineAt - destination.retry.maxAge,
    now,
    random: input.random,
    retryAfterMs: throttled ? parseRetryAfter(response.headers["retry-after"], now) : undefined,
  });
  return {
    deliveryId: delivery.id,
    attempt,
    status: next === null ? "failed" : "pending",
    nextAttemptAt: next,
    lastStatus: response?.status ?? null,
    lastError: response ? `HTTP ${response.status}` : attempt.error,
    destinationChange: {
      tenant: delivery.tenant,
      destination: destination.slug,
      ok: false,
      at: now,
      disable: gone ? "the destination answered 410 Gone" : null,
      circuit: input.circuit,
    },
  };
}

/** The outcome of a delivery whose deadline passed before an attempt could start. */
export function expired(delivery: ClaimedDelivery): Omit<DeliveryOutcome, "alert"> {
  return {
    deliveryId: delivery.id,
    attempt: null,
    status: "failed",
    nextAttemptAt: null,
    lastStatus: null,
    lastError: "expired",
    destinationChange: null,
  };
}
