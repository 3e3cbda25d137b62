/**
 * The busiest messages between the main thread and the writer thread, as flat lists of values:
 * ingested events (main → writer), the deliveries a claim took (writer → main) and the outcomes to
 * record (main → writer).
 *
 * A structured clone writes the name of every property of every object it copies, and the thread
 * that reads it looks each name up again and rebuilds each object's shape one property at a time;
 * each body goes as an object of its own. For a batch of events, claimed deliveries or outcomes
 * that was most of what the copy cost, on both threads. Here an object is its values in a fixed
 * order, and a batch's bodies go end to end in one buffer that is moved, not copied (BENCHMARKS.md).
 */
import type { AttemptRecord, ClaimedDelivery, TransformOutcome } from "../../core/delivery-types.js";
import type { IncomingEvent } from "../../core/types.js";
import type { ClaimResult, DeliveryOutcome } from "../port.js";

/**
 * A batch of ingested events as it crosses: each event's values, then its deliveries', in
 * `values`; the bodies end to end in `bodies`, a buffer of its own that is moved, not copied. (A
 * request body is often a view of a much larger socket buffer, and cloning a view copies all of it.)
 */
export interface PackedEvents {
  values: unknown[];
  bodies: Uint8Array;
}

/** An event's values, not counting its deliveries'. */
const EVENT_WIDTH = 12;
/** A planned delivery's values. */
const DELIVERY_WIDTH = 8;

/** Flattens a batch of events, copying their bodies into one buffer. */
export function packEvents(events: readonly IncomingEvent[]): PackedEvents {
  const values: unknown[] = [];
  const bodies = joinBodies(events, (e, at) => {
    values.push(
      e.id,
      e.tenant,
      e.source,
      e.externalId,
      e.type,
      e.originalType,
      e.receivedAt,
      e.unknownType,
      e.schemaIssues,
      e.actions,
      at,
      e.deliveries.length,
    );
    for (const d of e.deliveries)
      values.push(d.id, d.destination, d.routes, d.route, d.nextAttemptAt, d.deadlineAt, d.trigger, d.lease);
  });
  return { values, bodies };
}

/**
 * Copies the items' bodies end to end into one buffer of its own (to be moved, not copied, to the
 * other thread); `each` gets each item, in order, with where its body ends.
 */
function joinBodies<T extends { body: Uint8Array }>(
  items: readonly T[],
  each: (item: T, end: number) => void,
): Uint8Array {
  let total = 0;
  for (const item of items) total += item.body.byteLength;
  const bodies = new Uint8Array(total);
  let at = 0;
  for (const item of items) {
    bodies.set(item.body, at);
    at += item.body.byteLength;
    each(item, at);
  }
  return bodies;
}

/** A packed batch's events, each with its body: a view of the batch's one buffer. */
export function unpackEvents(packed: PackedEvents): {
  events: Omit<IncomingEvent, "body">[];
  bodies: Buffer[];
} {
  const v = packed.values;
  const all = Buffer.from(packed.bodies.buffer, packed.bodies.byteOffset, packed.bodies.byteLength);
  const events: Omit<IncomingEvent, "body">[] = [];
  const bodies: Buffer[] = [];
  let from = 0;
  let i = 0;
  while (i < v.length) {
    const end = v[i + 10] as number;
    const count = v[i + 11] as number;
    const deliveries: IncomingEvent["deliveries"] = [];
    for (let d = i + EVENT_WIDTH; d < i + EVENT_WIDTH + count * DELIVERY_WIDTH; d += DELIVERY_WIDTH) {
      deliveries.push({
        id: v[d] as string,
        destination: v[d + 1] as string,
        routes: v[d + 2] as string[],
        route: v[d + 3] as string | null | undefined,
        nextAttemptAt: v[d + 4] as number,
        deadlineAt: v[d + 5] as number,
        trigger: v[d + 6] as IncomingEvent["deliveries"][number]["trigger"],
        lease: v[d + 7] as IncomingEvent["deliveries"][number]["lease"],
      });
    }
    events.push({
      id: v[i] as string,
      tenant: v[i + 1] as string,
      source: v[i + 2] as string,
      externalId: v[i + 3] as string | null,
      type: v[i + 4] as string,
      originalType: v[i + 5] as string,
      receivedAt: v[i + 6] as number,
      unknownType: v[i + 7] as boolean,
      schemaIssues: v[i + 8] as string[],
      actions: v[i + 9] as IncomingEvent["actions"],
      deliveries,
    });
    bodies.push(all.subarray(from, end));
    from = end;
    i += EVENT_WIDTH + count * DELIVERY_WIDTH;
  }
  return { events, bodies };
}

/** A claim's deliveries as they cross: `CLAIMED_WIDTH` values each, their bodies end to end in `bodies`. */
export interface ClaimWire {
  values: unknown[];
  /** Every body, one after the other; each delivery's values end with where its body ends. */
  bodies: Uint8Array;
  held: ClaimResult["held"];
  states: ClaimResult["states"];
}

const CLAIMED_WIDTH = 13;

/** Flattens a claim's result; its `bodies` is a buffer of its own, for the writer to move to the main thread. */
export function encodeClaim(result: ClaimResult): ClaimWire {
  const values: unknown[] = [];
  const bodies = joinBodies(result.deliveries, (d, at) => {
    values.push(
      d.id,
      d.tenant,
      d.eventId,
      d.eventType,
      d.source,
      d.destination,
      d.route,
      d.attempts,
      d.scheduleBase,
      d.deadlineAt,
      d.trigger,
      d.leaseUntil,
      at,
    );
  });
  return { values, bodies, held: result.held, states: result.states };
}

/** Whether an op's result is a claim's flat form, whose bodies' buffer the writer moves rather than copies. */
export function isClaimWire(value: unknown): value is ClaimWire {
  return typeof value === "object" && value !== null && (value as ClaimWire).bodies instanceof Uint8Array;
}

/**
 * A claim's result from its flat form. Each body is copied out of the buffer they came in: a
 * delivery may stay in flight long after the rest of its claim is done (a destination that takes
 * 30 s to answer), and a view would keep every body of that claim alive with it. The copy is a
 * Buffer, so a small body takes a slice of Node's shared pool rather than a buffer of its own,
 * which costs more than the copy.
 */
export function decodeClaim(wire: ClaimWire): ClaimResult {
  const v = wire.values;
  const deliveries: ClaimedDelivery[] = [];
  let from = 0;
  for (let i = 0; i < v.length; i += CLAIMED_WIDTH) {
    const end = v[i + 12] as number;
    deliveries.push({
      id: v[i] as string,
      tenant: v[i + 1] as string,
      eventId: v[i + 2] as string,
      eventType: v[i + 3] as string,
      source: v[i + 4] as string,
      destination: v[i + 5] as string,
      route: v[i + 6] as ClaimedDelivery["route"],
      attempts: v[i + 7] as number,
      scheduleBase: v[i + 8] as number,
      deadlineAt: v[i + 9] as number,
      trigger: v[i + 10] as ClaimedDelivery["trigger"],
      leaseUntil: v[i + 11] as number,
      body: Buffer.from(wire.bodies.subarray(from, end)),
    } satisfies Required<ClaimedDelivery>);
    from = end;
  }
  return { deliveries, held: wire.held, states: wire.states };
}

/** Outcomes as they cross: `OUTCOME_WIDTH` values each. */
export type OutcomesWire = unknown[];

const OUTCOME_WIDTH = 27;

/** Flattens outcomes. An alert (a dead letter's, rare) goes as the object it is. */
export function encodeOutcomes(outcomes: readonly DeliveryOutcome[]): OutcomesWire {
  const values: unknown[] = [];
  for (const o of outcomes) {
    const a = o.attempt;
    const c = o.destinationChange;
    values.push(
      o.deliveryId,
      o.status,
      o.nextAttemptAt,
      o.lastStatus,
      o.lastError,
      // Absent and null both leave the recorded transform as it is.
      o.transform ?? null,
      o.alert,
      a !== null,
      a?.number,
      a?.trigger,
      a?.startedAt,
      a?.durationMs,
      a?.status,
      a?.error,
      a?.errorMessage,
      a?.responseHeaders,
      a?.responseBody,
      a?.responseBodyEncoding,
      c !== null,
      c?.tenant,
      c?.destination,
      c?.ok,
      c?.at,
      c?.disable,
      c?.circuit.threshold,
      c?.circuit.baseCooldownMs,
      c?.circuit.maxCooldownMs,
    );
  }
  return values;
}

/** Outcomes from their flat form. */
export function decodeOutcomes(v: OutcomesWire): DeliveryOutcome[] {
  const outcomes: DeliveryOutcome[] = [];
  for (let i = 0; i < v.length; i += OUTCOME_WIDTH) {
    const a = i + 8;
    const c = i + 19;
    outcomes.push({
      deliveryId: v[i] as string,
      status: v[i + 1] as DeliveryOutcome["status"],
      nextAttemptAt: v[i + 2] as number | null,
      lastStatus: v[i + 3] as number | null,
      lastError: v[i + 4] as string | null,
      transform: v[i + 5] as TransformOutcome | null,
      alert: v[i + 6] as DeliveryOutcome["alert"],
      attempt: v[i + 7]
        ? ({
            number: v[a] as number,
            trigger: v[a + 1] as AttemptRecord["trigger"],
            startedAt: v[a + 2] as number,
            durationMs: v[a + 3] as number,
            status: v[a + 4] as number | null,
            error: v[a + 5] as string | null,
            errorMessage: v[a + 6] as string | null,
            responseHeaders: v[a + 7] as Record<string, string> | null,
            responseBody: v[a + 8] as string | null,
            responseBodyEncoding: v[a + 9] as AttemptRecord["responseBodyEncoding"],
          } satisfies Required<AttemptRecord>)
        : null,
      destinationChange: v[i + 18]
        ? {
            tenant: v[c] as string,
            destination: v[c + 1] as string,
            ok: v[c + 2] as boolean,
            at: v[c + 3] as number,
            disable: v[c + 4] as string | null,
            circuit: {
              threshold: v[c + 5] as number,
              baseCooldownMs: v[c + 6] as number,
              maxCooldownMs: v[c + 7] as number,
            },
          }
        : null,
    } satisfies Required<DeliveryOutcome>);
  }
  return outcomes;
}
