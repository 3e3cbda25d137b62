/**
 * Glossary (delivery)
 *
 * - destination: a URL events are delivered to, with its retry policy, signing and limits.
 * - route: which events (source, types, filter) go to which destinations.
 * - delivery: one (event, destination) pair to be delivered at least once; created in the same
 *   transaction as its event. `pending` until it succeeds or is exhausted (`failed`: a dead letter,
 *   kept for replay).
 * - attempt: one HTTP request of a delivery, with its outcome.
 * - trigger: why an attempt happens — `initial`, `retry` (the schedule), `manual` (retry now),
 *   `replay` (a replayed delivery).
 * - lease: a claim on a pending delivery by one worker until `leaseUntil`; a delivery whose
 *   worker died is claimed again once its lease has expired.
 * - transform: a route's reshaping of the event (a built-in template or sandboxed code), applied
 *   when a delivery is sent. A route with a transform has deliveries of its own (`route` names
 *   it); routes without one share the raw event's delivery per destination.
 * - skipped: a delivery whose transform returned null or undefined; nothing was sent.
 */

import type { BodyEncoding } from "./text.js";

export type DeliveryStatus = "pending" | "succeeded" | "failed" | "skipped";
/** What the last transform of a delivery did; null for a delivery of the raw event. */
export type TransformOutcome = "transformed" | "skipped" | "failed";
export type AttemptTrigger = "initial" | "retry" | "manual" | "replay";

/** A delivery to create along with its event. */
export interface NewDelivery {
  id: string;
  destination: string;
  routes: string[];
  /** The route whose transform shapes the body; absent or null: the raw event. */
  route?: string | null;
  nextAttemptAt: number;
  deadlineAt: number;
  trigger: AttemptTrigger;
  /**
   * Set when the worker of this process takes the delivery before its event is committed, to send
   * it from memory once the commit is done: the delivery is stored already leased to it.
   */
  lease?: { owner: string; until: number };
}

/** A delivery as listed by the API. */
export interface DeliveryRecord {
  id: string;
  tenant: string;
  eventId: string;
  eventType: string;
  destination: string;
  routes: string[];
  route: string | null;
  transform: TransformOutcome | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  deadlineAt: number;
  nextTrigger: AttemptTrigger;
  createdAt: number;
  updatedAt: number;
  lastStatus: number | null;
  lastError: string | null;
}

/** A pending delivery claimed by a worker, with what it needs to send. */
export interface ClaimedDelivery {
  id: string;
  tenant: string;
  eventId: string;
  eventType: string;
  source: string;
  destination: string;
  /** The route whose transform shapes the body, or null for the raw event. */
  route: string | null;
  attempts: number;
  /** Attempts made before the last manual retry or replay; the retry schedule counts from here. */
  scheduleBase: number;
  deadlineAt: number;
  trigger: AttemptTrigger;
  body: Uint8Array;
  leaseUntil: number;
}

/** What one attempt did. */
export interface AttemptRecord {
  number: number;
  trigger: AttemptTrigger;
  startedAt: number;
  durationMs: number;
  status: number | null;
  error: string | null;
  errorMessage: string | null;
  responseHeaders: Record<string, string> | null;
  /** The first 16 KiB of the response body, as text or (see `responseBodyEncoding`) base64. */
  responseBody: string | null;
  /** `utf8`: `responseBody` is the body; `base64`: the body's bytes were not storable text (not UTF-8, or NUL). */
  responseBodyEncoding: BodyEncoding | null;
}

/** The runtime state of a destination (its settings come from the config). */
export interface DestinationState {
  tenant: string;
  destination: string;
  state: "active" | "disabled";
  disabledReason: string | null;
  consecutiveFailures: number;
  circuitOpenUntil: number | null;
  circuitCooldownMs: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
}
